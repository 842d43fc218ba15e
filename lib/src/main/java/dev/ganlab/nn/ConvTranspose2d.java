package dev.ganlab.nn;

import dev.ganlab.core.CpuKernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
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
 * <p>The engine has no transposed convolution (DJL 0.29 throws UnsupportedOperationException), so
 * it is computed exactly from ordinary convolutions. Output row {@code y} has phase
 * {@code r = (y + p) mod s} and takes input rows {@code q - t} ({@code q = (y + p - r) / s},
 * {@code t = 0, 1, ...}) with kernel taps {@code r + s t}: per phase it is a plain convolution of the
 * input with the sub-kernel of every s-th tap, flipped. With {@code T = ceil(k / s)} taps per phase
 * (missing taps are zero), one convolution with {@code s^2 C_out} output channels and a
 * {@code T x T} kernel, padded by {@code T - 1}, computes all phases on the input grid; the phases
 * are interleaved (reshape and transpose: a pixel shuffle) and the {@code p} border rows are
 * cropped. For DCGAN's 4x4 stride 2 padding 1 layer that is a 2x2 convolution with 4 C_out
 * channels. Values and the gradients of input, weight and bias match
 * {@code torch.nn.functional.conv_transpose2d} (LayersTest against fixtures of
 * {@code environment/reference/make_conv_transpose_fixtures.py}).
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
    /** Taps per phase and axis: ceil(k / s). */
    private final int taps;
    /** 1 when the phase grid needs one more row (large output padding), else 0. */
    private final int extra;

    private ConvTranspose2d(Builder b) {
        super(b.channels, b.bias, b.scaling, b.gain, b.weightInit, b.biasInit);
        this.kernel = b.kernel;
        this.stride = b.stride;
        this.padding = b.padding;
        this.outputPadding = b.outputPadding;
        this.taps = (kernel + stride - 1) / stride;
        // The phase grid padded by T - 1 holds s (H + T - 1) rows from output row -p on; the output
        // needs p + H' of them, which fits unless k - p + op > s T (then pad by one more).
        this.extra = kernel - padding + outputPadding > stride * taps ? 1 : 0;
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
        return convTranspose2d(input, w, b, stride, padding, outputPadding);
    }

    /**
     * {@code conv_transpose2d(x, w, b, stride, padding, output_padding)} with w {@code (C_in, C_out,
     * k, k)} and b {@code (C_out)} or null, computed by phase convolutions (see the class comment).
     */
    public static NDArray convTranspose2d(NDArray x, NDArray w, NDArray b, int stride, int padding, int outputPadding) {
        Shape s = x.getShape();
        long n = s.get(0);
        long h = s.get(2);
        long wd = s.get(3);
        long cin = w.getShape().get(0);
        long cout = w.getShape().get(1);
        int k = (int) w.getShape().get(2);
        int st = stride;
        int t = (k + st - 1) / st;
        int extra = k - padding + outputPadding > st * t ? 1 : 0;
        long hOut = (h - 1) * st - 2L * padding + k + outputPadding;
        long wOut = (wd - 1) * st - 2L * padding + k + outputPadding;
        // The parameter comes first in each operation so the results stay in the caller's scope.
        NDArray wp = w;
        if (st * t > k) { // zero taps past the kernel's end, so every phase has T taps
            wp = wp.concat(wp.zerosLike().get(new NDIndex(":, :, 0:" + (st * t - k))), 2);
            wp = wp.concat(wp.zerosLike().get(new NDIndex(":, :, :, 0:" + (st * t - k))), 3);
        }
        // tap a = s (T - 1 - j) + r: split each axis into (T - 1 - j, r), flip to j, and put the
        // phases (ry, rx) in front of the output channels
        NDArray kc = wp.reshape(cin, cout, t, st, t, st).flip(2, 4)      // (i, o, jy, ry, jx, rx)
                .transpose(3, 5, 1, 0, 2, 4)                              // (ry, rx, o, i, jy, jx)
                .reshape((long) st * st * cout, cin, t, t);
        NDArray bAll = b == null ? null : b.tile(st * st);
        int pad = t - 1 + extra;
        // Through CpuKernels: the phase conv has s*s*C_out channels (12 for an RGB output layer), and
        // oneDNN's blocked kernels read uninitialised pad channels unless C_out fills its blocks.
        NDArray all = CpuKernels.conv2d(x, kc, bAll, new Shape(1, 1), new Shape(pad, pad),
                new Shape(1, 1));                                            // (N, (ry, rx, o), Hq, Wq)
        long hq = h + t - 1 + 2L * extra;
        long wq = wd + t - 1 + 2L * extra;
        // Row s q + r of the interleaved grid is output row s q + r - p - s extra.
        NDArray grid = all.reshape(n, st, st, cout, hq, wq).transpose(0, 3, 4, 1, 5, 2)
                .reshape(n, cout, hq * st, wq * st);
        long top = padding + (long) st * extra;
        return grid.get(new NDIndex(":, :, " + top + ":" + (top + hOut) + ", " + top + ":" + (top + wOut)));
    }

    @Override
    protected long multiplyAdds(NDArray input, NDArray w, NDArray y) {
        // the phase convolution: s^2 C_out channels on the (H + T - 1) x (W + T - 1) grid, T x T taps
        Shape s = input.getShape();
        long g = s.get(2) + taps - 1 + 2L * extra;
        long gw = s.get(3) + taps - 1 + 2L * extra;
        return s.get(0) * stride * stride * outFeatures * g * gw * s.get(1) * taps * taps;
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
