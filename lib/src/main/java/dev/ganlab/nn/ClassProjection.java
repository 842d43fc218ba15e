package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The projection discriminator's class term (Miyato &amp; Koyama 2018, eq. 3): {@code y^T V phi(x)}, the inner
 * product of the image's features {@code phi(x) (N, F)} with its class's embedding, a row of
 * {@code V (K, F)}; the discriminator adds it to its unconditional score {@code psi(phi(x))}.
 *
 * <p>Inputs: features {@code (N, F)} and class weights {@code (N, K)} (one-hot rows). Output: {@code (N)}.
 * The embedding is a {@link Linear} from K to F without bias, spectrally normalised when the discriminator
 * is (the official chainer code's SNEmbedID), initialised N(0, 0.02) like the model's other weights
 * (the official code uses Glorot uniform; GAN Lab keeps one initialiser per model).
 */
public final class ClassProjection extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Linear embedding;

    /**
     * @param features F, the width of phi(x)
     * @param scaling spectral norm or none, as the discriminator's other layers
     */
    public ClassProjection(long features, WeightScaling scaling) {
        super(VERSION);
        this.embedding = addChildBlock("embedding", Linear.builder().setUnits(features).optBias(false)
                .optScaling(scaling).build());
    }

    /** The maths: {@code sum_f (w V)_f phi_f} per image, with {@code embedded = w V} of shape (N, F). */
    public static NDArray project(NDArray features, NDArray embedded) {
        return features.mul(embedded).sum(new int[] {1});
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        embedding.initialize(manager, dataType, inputShapes[1]);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray phi = inputs.get(0);
        NDArray e = embedding.forward(ps, new NDList(inputs.get(1)), training).singletonOrThrow();   // (N, F)
        if (!e.getShape().equals(phi.getShape())) {
            throw new IllegalArgumentException("class projection: features " + phi.getShape() + " but embedding "
                    + e.getShape());
        }
        return new NDList(project(phi, e));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0))};
    }

    @Override
    public String toString() {
        return "ClassProjection(" + embedding + ")";
    }
}
