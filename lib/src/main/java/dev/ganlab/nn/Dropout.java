package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Dropout (Srivastava et al., JMLR 2014) of single values: during training each value is zeroed with
 * probability p and the rest scaled by 1/(1-p) (inverted dropout, as PyTorch's Dropout and pylearn2's
 * dropout with input scale 1/include_prob); at evaluation it is the identity. The mask comes from the
 * engine's generator, so a seeded step replays the same mask. See {@link Dropout2d} for whole maps.
 */
public final class Dropout extends AbstractBlock {

    private static final byte VERSION = 1;
    private final float p;

    public Dropout(float p) {
        super(VERSION);
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability " + p + " must be in [0, 1)");
        }
        this.p = p;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (!training || p == 0) {
            return new NDList(x);
        }
        NDArray keep = x.getManager().randomUniform(0f, 1f, x.getShape(), DataType.FLOAT32, x.getDevice())
                .gte(p).toType(x.getDataType(), false);
        return new NDList(x.mul(keep).div(1 - p));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return "Dropout(" + p + ")";
    }
}
