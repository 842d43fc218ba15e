package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A learned bias per channel, initialised to zero, for a layer whose own bias would have the wrong
 * shape. ProGAN's generator maps the latent with a dense layer, reshapes it to {@code (C, 4, 4)} and
 * only then adds a bias of one value per channel (official code, networks.py G_paper); a dense
 * layer's own bias would hold one value per channel and pixel.
 *
 * <p>Input {@code (N, C, ...)} (rank >= 2); bias {@code (C)}; output {@code x + b} broadcast over the
 * axes after the channel axis, same shape as the input.
 */
public final class ChannelBias extends ShapeCheckedLayer {

    private static final byte VERSION = 1;

    private final Parameter bias;

    public ChannelBias() {
        super(VERSION);
        bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                .optInitializer(Init.zeros()).build());
    }

    /** The maths: {@code x + b} with b {@code (C)} reshaped to {@code (1, C, 1, ...)}. */
    public static NDArray channelBias(NDArray x, NDArray b) {
        return x.add(b.reshape(broadcastShape(x.getShape())));
    }

    private static Shape broadcastShape(Shape input) {
        long[] dims = new long[input.dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[1] = input.get(1);
        return new Shape(dims);
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        bias.setShape(new Shape(inputShapes[0].get(1)));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray b = ps.getValue(bias, x.getDevice(), training);
        try (ParamScope scope = ParamScope.of(x, b)) {
            return new NDList(scope.keep(channelBias(x, b)));
        }
    }

    @Override
    protected Shape outputShape(Shape input) {
        return requireRank(input, 2, false, "ChannelBias", "(N, C, ...)");
    }

    /** The bias parameter. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public String toString() {
        return "ChannelBias";
    }
}
