package dev.ganlab.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import dev.ganlab.core.CpuKernels;
import dev.ganlab.core.StepScope;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * 2-D convolution with an optional run-time weight transform (spectral norm, equalized learning
 * rate; see {@link WeightScaling}).
 *
 * <p>Input {@code (N, C_in, H, W)}; weight {@code (C_out, C_in, k, k)}; bias {@code (C_out)}; output
 * {@code (N, C_out, H', W')} with {@code H' = (H + 2p - k) / s + 1}.
 *
 * <p>With {@link Builder#optUpsample2x} the layer first doubles its input by nearest-neighbour
 * upsampling (the generator pattern of DCGAN, ProGAN and FastGAN), so {@code H} above is twice the
 * input's height. For the usual 3x3 kernel, stride 1, padding 1 it never builds the upsampled
 * tensor: conv3x3(up2x(x)) is a transposed convolution of x with a 4x4 kernel, stride 2, padding 1,
 * whose taps are sums of the 3x3 taps. Along one axis an even output row 2m sees input rows m-1
 * and m with weights W0 and W1+W2, an odd row 2m+1 rows m and m+1 with W0+W1 and W2; a transposed
 * convolution with stride 2 and padding 1 gives output row 2i - 1 + k tap k of input row i, so its
 * 1-D kernel is (W2, W1+W2, W0+W1, W0). That is 16 instead of 36 multiply-adds per input pixel and
 * channel pair, and libtorch writes the interleaved output itself. Until 2026-11-30 the layer ran four
 * 2x2 phase convolutions and interleaved them with a strided copy; per layer (forward and backward,
 * batch 8, 32 to 1,024 channels, 7 repetitions) the transposed form took 0.5-0.9x that time and beat
 * upsample-then-convolve at all but the widest 4 px layer, and the FastGAN step's copies fell from
 * 530 to 62 ms (lib/BENCHMARKS.md, "ProGAN and FastGAN against their Python PyTorch peers"). The
 * function is the same to float rounding (LayersTest).
 */
public final class Conv2d extends ScaledWeightLayer {

    private final int kernel;
    private final int stride;
    private final int padding;
    private final Shape strideShape;
    private final Shape paddingShape;
    private final Shape dilation = new Shape(1, 1);
    private final boolean upsample;

    /**
     * Row k of this 4x3 matrix gives tap k of the 1-D transposed kernel as a sum of the 3 taps of the
     * original kernel: (W2, W1+W2, W0+W1, W0), see the class comment.
     */
    private static final float[][] TRANSPOSED_TAPS = {{0, 0, 1}, {0, 1, 1}, {1, 1, 0}, {1, 0, 0}};
    /**
     * Per device, the 9 x 16 matrix that maps a flattened 3x3 kernel to the flattened 4x4 one (the
     * outer product of the 1-D tap sums), made once: an array built from Java values points into a
     * Java buffer, and autograd keeps this one for the weight's gradient (see StepScope), so it must
     * outlive every step rather than be made and closed in one.
     */
    private static final Map<Device, NDArray> TAPS_2D = new ConcurrentHashMap<>();

    private Conv2d(Builder b) {
        super(b.channels, b.bias, b.scaling, b.gain, b.weightInit, b.biasInit);
        this.kernel = b.kernel;
        this.stride = b.stride;
        this.padding = b.padding;
        this.strideShape = new Shape(stride, stride);
        this.paddingShape = new Shape(padding, padding);
        this.upsample = b.upsample;
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

    /** Whether the transposed-convolution form of upsample-then-convolve applies (3x3, stride 1, padding 1). */
    private boolean asTransposed() {
        return upsample && kernel == 3 && stride == 1 && padding == 1;
    }

    @Override
    protected NDArray apply(NDArray input, NDArray w, NDArray b) {
        if (asTransposed()) {
            return upsampleConv3x3(input, w, b);
        }
        NDArray x = upsample ? Ops.upsample2x(input) : input;
        return CpuKernels.conv2d(x, w, b, strideShape, paddingShape, dilation);
    }

    @Override
    protected long multiplyAdds(NDArray input, NDArray w, NDArray y) {
        if (asTransposed()) {
            // the transposed convolution: every input value meets 4x4 taps of every output channel
            return input.getShape().size() * w.getShape().get(0) * 16;
        }
        return super.multiplyAdds(input, w, y);
    }

    private static NDArray taps2d(Device device) {
        return TAPS_2D.computeIfAbsent(device, d -> {
            float[] t = new float[9 * 16];
            for (int a = 0; a < 3; a++) {
                for (int c = 0; c < 3; c++) {
                    for (int ky = 0; ky < 4; ky++) {
                        for (int kx = 0; kx < 4; kx++) {
                            t[(a * 3 + c) * 16 + ky * 4 + kx] = TRANSPOSED_TAPS[ky][a] * TRANSPOSED_TAPS[kx][c];
                        }
                    }
                }
            }
            // Made directly in its final layout (a view would outlive the array that holds the
            // buffer) and kept out of any open NDScope, which would close it with the step.
            NDArray taps = NDManager.newBaseManager(d).create(t, new Shape(9, 16));
            NDScope.unregister(taps);
            return taps;
        });
    }

    /** conv3x3(up2x(x), w) + b, padding 1, as a 4x4 transposed convolution of x (see the class comment). */
    static NDArray upsampleConv3x3(NDArray x, NDArray w, NDArray b) {
        long cout = w.getShape().get(0);
        long cin = w.getShape().get(1);
        // k[i, o, (ky, kx)] = sum_{(a, c)} w[o, i, a, c] taps2d[(a, c), (ky, kx)]: one matrix product of
        // the weight laid out as (C_in C_out) x 9 rows, so the kernel comes out in the transposed
        // convolution's (C_in, C_out, 4, 4) layout without a copy of the larger 4x4 kernel. (A
        // batched 3x3-by-3x4 product per channel pair, the first form, took about 350 ms of a 2.4 s
        // FastGAN step with its backward and copies.) The parameter comes first so the results stay
        // in the caller's scope.
        NDArray k = w.transpose(1, 0, 2, 3).reshape(cin * cout, 9).matMul(taps2d(x.getDevice()))
                .reshape(cin, cout, 4, 4);
        return CpuKernels.convTranspose2d(x, k, b, 2, 1, 0);
    }

    private void checkInput(Shape given) {
        if (given.dimension() != 4) {
            throw new IllegalArgumentException("Conv2d expects (N, C, H, W) input, got " + given);
        }
        Shape input = convInput(given);
        if (input.get(2) + 2L * padding < kernel || input.get(3) + 2L * padding < kernel) {
            throw new IllegalArgumentException("Conv2d kernel " + kernel + " with padding " + padding
                    + " does not fit input " + input);
        }
    }

    /** The shape the convolution itself sees (twice the size when upsampling first). */
    private Shape convInput(Shape input) {
        return upsample ? new Shape(input.get(0), input.get(1), 2 * input.get(2), 2 * input.get(3)) : input;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        checkInput(inputs[0]);
        Shape in = convInput(inputs[0]);
        long h = (in.get(2) + 2L * padding - kernel) / stride + 1;
        long w = (in.get(3) + 2L * padding - kernel) / stride + 1;
        return new Shape[] {new Shape(in.get(0), outFeatures, h, w)};
    }

    @Override
    public String toString() {
        return (upsample ? "Upsample2x+" : "") + "Conv2d(" + outFeatures + ", k=" + kernel + ", s=" + stride + ", p=" + padding
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
        private boolean upsample;

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

        /** Nearest-neighbour 2x upsampling of the input before the convolution (default off). */
        public Builder optUpsample2x(boolean u) {
            this.upsample = u;
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
