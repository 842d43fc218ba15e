package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * 2-D convolution with an optional run-time weight transform (spectral norm, equalized learning
 * rate; see {@link WeightScaling}).
 *
 * <p>Input {@code (N, C_in, H, W)}; weight {@code (C_out, C_in, k, k)}; bias {@code (C_out)}; output
 * {@code (N, C_out, H', W')} with {@code H' = (H + 2p - k) / s + 1}.
 */
public final class Conv2d extends ScaledWeightLayer {

    private final int kernel;
    private final int stride;
    private final int padding;
    private final Shape strideShape;
    private final Shape paddingShape;
    private final Shape dilation = new Shape(1, 1);

    private Conv2d(Builder b) {
        super(b.channels, b.bias, b.scaling, b.gain, b.weightInit, b.biasInit);
        this.kernel = b.kernel;
        this.stride = b.stride;
        this.padding = b.padding;
        this.strideShape = new Shape(stride, stride);
        this.paddingShape = new Shape(padding, padding);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected Shape weightShape(Shape input) {
        checkInput(input);
        return new Shape(outFeatures, input.get(1), kernel, kernel);
    }

    @Override
    protected long fanIn(Shape input) {
        return input.get(1) * kernel * kernel;
    }

    @Override
    protected NDArray apply(NDArray input, NDArray w) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(input, w, null, strideShape, paddingShape, dilation)
                .singletonOrThrow();
    }

    @Override
    protected NDArray broadcastBias(NDArray b) {
        return b.reshape(1, outFeatures, 1, 1);
    }

    private void checkInput(Shape input) {
        if (input.dimension() != 4) {
            throw new IllegalArgumentException("Conv2d expects (N, C, H, W) input, got " + input);
        }
        if (input.get(2) + 2L * padding < kernel || input.get(3) + 2L * padding < kernel) {
            throw new IllegalArgumentException("Conv2d kernel " + kernel + " with padding " + padding
                    + " does not fit input " + input);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape in = inputs[0];
        checkInput(in);
        long h = (in.get(2) + 2L * padding - kernel) / stride + 1;
        long w = (in.get(3) + 2L * padding - kernel) / stride + 1;
        return new Shape[] {new Shape(in.get(0), outFeatures, h, w)};
    }

    @Override
    public String toString() {
        return "Conv2d(" + outFeatures + ", k=" + kernel + ", s=" + stride + ", p=" + padding
                + (scaling == WeightScaling.NONE ? "" : ", " + scaling.name().toLowerCase()) + ")";
    }

    /** Builder: {@code channels} and {@code kernel} are required. */
    public static final class Builder {
        private long channels;
        private int kernel;
        private int stride = 1;
        private int padding = 0;
        private boolean bias = true;
        private WeightScaling scaling = WeightScaling.NONE;
        private double gain = Math.sqrt(2);
        private Initializer weightInit = Init.normal(0, Init.DCGAN_STD);
        private Initializer biasInit = Init.zeros();

        /** Output channels. */
        public Builder setChannels(long c) {
            this.channels = c;
            return this;
        }

        /** Square kernel size. */
        public Builder setKernel(int k) {
            this.kernel = k;
            return this;
        }

        public Builder optStride(int s) {
            this.stride = s;
            return this;
        }

        public Builder optPadding(int p) {
            this.padding = p;
            return this;
        }

        public Builder optBias(boolean b) {
            this.bias = b;
            return this;
        }

        /** Weight transform (default none). */
        public Builder optScaling(WeightScaling s) {
            this.scaling = s;
            return this;
        }

        /** Gain of the equalized-LR He constant (default sqrt(2), for (leaky) ReLU layers). */
        public Builder optGain(double g) {
            this.gain = g;
            return this;
        }

        /** Weight initialiser (default N(0, 0.02); ignored when equalized, which uses N(0, 1)). */
        public Builder optWeightInit(Initializer i) {
            this.weightInit = i;
            return this;
        }

        public Builder optBiasInit(Initializer i) {
            this.biasInit = i;
            return this;
        }

        public Conv2d build() {
            if (channels < 1) {
                throw new IllegalArgumentException("Conv2d channels must be >= 1, got " + channels);
            }
            if (kernel < 1) {
                throw new IllegalArgumentException("Conv2d kernel must be >= 1, got " + kernel);
            }
            if (stride < 1 || padding < 0) {
                throw new IllegalArgumentException("Conv2d stride " + stride + " / padding " + padding + " invalid");
            }
            return new Conv2d(this);
        }
    }
}
