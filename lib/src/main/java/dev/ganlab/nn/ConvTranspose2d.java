package dev.ganlab.nn;

import dev.ganlab.core.CpuKernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * 2-D transposed ("fractionally strided") convolution, PyTorch's {@code ConvTranspose2d}, with an
 * optional run-time weight transform (spectral norm, equalized learning rate; see
 * {@link WeightScaling}). The generators of DCGAN (Radford et al., ICLR 2016) and SNDCGAN (Miyato
 * et al., ICLR 2018) upsample with it.
 *
 * <p>Input {@code (N, C_in, H, W)}; weight {@code (C_in, C_out, k, k)}, PyTorch's layout, so
 * parameter counts and checkpoints line up with the reference code; bias {@code (C_out)}; output
 * {@code (N, C_out, H', W')} with {@code H' = (H - 1) s - 2p + k + op} (op = output padding, which
 * adds a row and column at the bottom and right, as PyTorch's {@code output_padding}).
 *
 * <p>DJL 0.29's binding has no transposed convolution (its deconvolution throws), so the layer calls
 * libtorch's {@code conv_transpose2d} through a small TorchScript module
 * ({@link CpuKernels#convTranspose2d}; autograd records it like any engine operation). Values and the
 * gradients of input, weight and bias match {@code torch.nn.functional.conv_transpose2d}
 * (LayersTest against fixtures of {@code environment/reference/make_conv_transpose_fixtures.py}). Until
 * this change the layer computed the same function from ordinary convolutions, one per output
 * phase, interleaved by a reshape; that copy cost more than the convolutions saved (lib/BENCHMARKS.md).
 *
 * <p>Spectral norm divides by the largest singular value of the weight as a
 * {@code C_out x (C_in k k)} matrix (output channels as rows), as PyTorch's {@code spectral_norm}
 * does for transposed convolutions ({@code dim=1}) and as Miyato et al. define it for a layer's
 * output dimension. compare_gan's TensorFlow {@code spectral_norm} reshapes a deconvolution kernel
 * {@code (k, k, C_out, C_in)} to {@code (k k C_out) x C_in}, i.e. it normalises by the other
 * matricisation, which has a different largest singular value; neither compare_gan's SNDCGAN nor
 * Miyato's generators spectrally normalise a transposed convolution, so no reference model depends
 * on the choice. Equalized learning rate uses fan-in {@code C_in k k} (the weights per output
 * channel, as ProGAN's fused upsampling convolution).
 */
public final class ConvTranspose2d extends ScaledWeightLayer {

    private final int kernel;
    private final int stride;
    private final int padding;
    private final int outputPadding;

    private ConvTranspose2d(Builder b) {
        super(b.channels, b.bias, b.scaling, b.gain, b.weightInit, b.biasInit);
        this.kernel = b.kernel;
        this.stride = b.stride;
        this.padding = b.padding;
        this.outputPadding = b.outputPadding;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected Shape weightShape(Shape input) {
        checkInput(input);
        return new Shape(input.get(1), outFeatures, kernel, kernel);
    }

    @Override
    protected long fanIn(Shape input) {
        return input.get(1) * kernel * kernel;
    }

    @Override
    protected NDArray spectralMatrix(NDArray w) {
        return w.transpose(1, 0, 2, 3).reshape(outFeatures, -1); // (C_out, C_in k k)
    }

    @Override
    protected NDArray apply(NDArray input, NDArray w, NDArray b) {
        return CpuKernels.convTranspose2d(input, w, b, stride, padding, outputPadding);
    }

    @Override
    protected long multiplyAdds(NDArray input, NDArray w, NDArray y) {
        // every input value meets every k x k tap of every output channel
        return input.getShape().size() * (w.getShape().size() / w.getShape().get(0));
    }

    private void checkInput(Shape input) {
        if (input.dimension() != 4) {
            throw new IllegalArgumentException("ConvTranspose2d expects (N, C, H, W) input, got " + input);
        }
        if (input.get(2) < 1 || input.get(3) < 1) {
            throw new IllegalArgumentException("ConvTranspose2d input " + input + " is empty");
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape in = inputs[0];
        checkInput(in);
        long h = (in.get(2) - 1) * stride - 2L * padding + kernel + outputPadding;
        long w = (in.get(3) - 1) * stride - 2L * padding + kernel + outputPadding;
        return new Shape[] {new Shape(in.get(0), outFeatures, h, w)};
    }

    @Override
    public String toString() {
        return "ConvTranspose2d(" + outFeatures + ", k=" + kernel + ", s=" + stride + ", p=" + padding
                + (outputPadding == 0 ? "" : ", op=" + outputPadding)
                + (scaling == WeightScaling.NONE ? "" : ", " + scaling.name().toLowerCase()) + ")";
    }

    /** Builder: {@code channels} (output channels) and {@code kernel} are required. */
    public static final class Builder {
        private long channels;
        private int kernel;
        private int stride = 1;
        private int padding = 0;
        private int outputPadding = 0;
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

        /** Rows and columns cropped from each border of the full output (PyTorch's padding). */
        public Builder optPadding(int p) {
            this.padding = p;
            return this;
        }

        /** Extra rows and columns at the bottom and right (PyTorch's output_padding, below the stride). */
        public Builder optOutputPadding(int op) {
            this.outputPadding = op;
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

        public ConvTranspose2d build() {
            if (channels < 1) {
                throw new IllegalArgumentException("ConvTranspose2d channels must be >= 1, got " + channels);
            }
            if (kernel < 1 || stride < 1) {
                throw new IllegalArgumentException("ConvTranspose2d kernel " + kernel + " and stride " + stride
                        + " must be >= 1");
            }
            if (padding < 0 || padding >= kernel) {
                throw new IllegalArgumentException("ConvTranspose2d padding " + padding + " must be in 0.." + (kernel - 1));
            }
            if (outputPadding < 0 || outputPadding >= stride) {
                throw new IllegalArgumentException("ConvTranspose2d output padding " + outputPadding
                        + " must be in 0.." + (stride - 1) + " (below the stride)");
            }
            return new ConvTranspose2d(this);
        }
    }
}
