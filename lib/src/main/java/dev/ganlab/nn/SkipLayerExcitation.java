package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.Locale;

/**
 * Skip-layer excitation, SLE (Liu et al., ICLR 2021, "Towards Faster and Stabilized GAN Training
 * for High-fidelity Few-shot Image Synthesis", skip-layer channel-wise excitation): a
 * low-resolution feature map gates the channels of a high-resolution one, a skip connection across
 * resolutions that costs one multiplication instead of a full-size addition.
 *
 * <p>{@code gate = sigmoid(conv1x1(act(conv4x4(pool4(low)))))}; output {@code high * gate}.
 * {@code pool4} averages {@code low} to 4x4 ({@link AdaptiveAvgPool2d}); the 4x4 convolution without
 * padding brings it to 1x1 with the high map's channel count; {@code act} is LeakyReLU(0.1) in the
 * paper and Swish in the official code ({@link Activation}).
 *
 * <p>Inputs {@code (low (N, C_low, h, h), high (N, C_high, H, W))}, {@code h} a multiple of 4;
 * weights {@code (C_high, C_low, 4, 4)} and {@code (C_high, C_high, 1, 1)}; output {@code (N, C_high,
 * H, W)}.
 */
public final class SkipLayerExcitation extends AbstractBlock {

    private static final byte VERSION = 1;

    /** Paper: the low-resolution map is pooled to 4x4 and a 4x4 convolution reduces it to 1x1. */
    public static final int POOL_SIZE = 4;
    /** Paper: LeakyReLU slope 0.1 between the two convolutions (the official code uses Swish). */
    public static final float PAPER_LEAKY_SLOPE = 0.1f;

    /** The nonlinearity between the two convolutions. */
    public enum Activation {
        /** {@code x * sigmoid(x)}, the official code's choice. */
        SWISH,
        /** LeakyReLU with slope {@link #PAPER_LEAKY_SLOPE}, the paper's choice. */
        LEAKY_RELU;

        public NDArray apply(NDArray x) {
            return this == SWISH
                    ? x.mul(ai.djl.nn.Activation.sigmoid(x))
                    : ai.djl.nn.Activation.leakyRelu(x, PAPER_LEAKY_SLOPE);
        }

        /** The config name: "swish" or "leaky_relu". */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses "swish" or "leaky_relu". */
        public static Activation parse(String s) {
            for (Activation a : values()) {
                if (a.key().equals(s)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("unknown SLE activation '" + s + "': use swish or leaky_relu");
        }
    }

    private final Activation activation;
    private final Conv2d squeeze;
    private final Conv2d excite;

    /**
     * @param highChannels channels of the high-resolution map being gated
     * @param activation the nonlinearity between the convolutions
     * @param scaling weight transform of both convolutions (FastGAN: spectral)
     * @param bias whether the convolutions have biases (the official code has none)
     */
    public SkipLayerExcitation(long highChannels, Activation activation, WeightScaling scaling, boolean bias) {
        super(VERSION);
        this.activation = activation;
        squeeze = addChildBlock("squeeze", Conv2d.builder().setChannels(highChannels).setKernel(POOL_SIZE)
                .optScaling(scaling).optBias(bias).build());
        excite = addChildBlock("excite", Conv2d.builder().setChannels(highChannels).setKernel(1)
                .optScaling(scaling).optBias(bias).build());
    }

    /** The 4x4 convolution (low channels to high channels). */
    public Conv2d squeeze() {
        return squeeze;
    }

    /** The 1x1 convolution. */
    public Conv2d excite() {
        return excite;
    }

    /** The per-channel gate {@code (N, C_high, 1, 1)} computed from the low-resolution map. */
    public NDArray gate(ParameterStore ps, NDArray low, boolean training) {
        NDArray pooled = AdaptiveAvgPool2d.pool(low, POOL_SIZE); // (N, C_low, 4, 4)
        NDArray h = squeeze.forward(ps, new NDList(pooled), training).singletonOrThrow(); // (N, C_high, 1, 1)
        NDArray e = excite.forward(ps, new NDList(activation.apply(h)), training).singletonOrThrow();
        return ai.djl.nn.Activation.sigmoid(e);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (inputs.size() != 2) {
            throw new IllegalArgumentException("SLE takes (low, high) feature maps, got " + inputs.size() + " arrays");
        }
        NDArray low = inputs.get(0);
        NDArray high = inputs.get(1);
        checkShapes(low.getShape(), high.getShape());
        return new NDList(high.mul(gate(ps, low, training)));
    }

    private void checkShapes(Shape low, Shape high) {
        if (high.dimension() != 4 || low.dimension() != 4 || low.get(0) != high.get(0)) {
            throw new IllegalArgumentException("SLE expects (N, C, h, h) and (N, C', H, W) maps, got " + low
                    + " and " + high);
        }
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape low = inputShapes[0];
        Shape high = inputShapes[1];
        checkShapes(low, high);
        Shape pooled = new AdaptiveAvgPool2d(POOL_SIZE).getOutputShapes(new Shape[] {low})[0];
        squeeze.initialize(manager, dataType, pooled);
        excite.initialize(manager, dataType, new Shape(low.get(0), high.get(1), 1, 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[1]};
    }

    @Override
    public String toString() {
        return "SLE(" + activation.key() + ", " + squeeze + ", " + excite + ")";
    }
}
