package dev.ganlab.core;

import com.sun.jna.Library;
import com.sun.jna.Native;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.util.Locale;
import java.util.Map;

/**
 * How GAN Lab calls the engine's oneDNN convolutions safely, and which instruction set they may
 * use (an optional cap, set once per process before the first engine operation).
 *
 * <p>Why: libtorch's oneDNN convolutions store channels in blocks of 8 (AVX2) or 16 (AVX-512).
 * When a convolution's output channel count is not a multiple of the block (DCGAN's last generator
 * layer has 1 or 3; its phase form 4 or 12), the gradient with respect to the input
 * ({@code backward_data}) is computed on a padded copy whose pad channels are not initialised.
 * Whatever the C allocator hands out there is multiplied by zero; freed memory holding NaN or
 * infinity therefore turns the input gradient into NaN. Measured on an AMD EPYC with AVX-512
 * (probe: conv 64x64x32x32 -> 1 channel, 3x3, after freeing NaN-filled tensors): NaN in 2.1 to 3.4
 * million of the 4.2 million input-gradient values at the default ISA and also at
 * {@code ONEDNN_MAX_CPU_ISA=AVX2} (blocks of 8), none with 16 output channels (no padding), none
 * when the freed memory held finite values, and none at {@code ONEDNN_MAX_CPU_ISA=AVX}, where
 * oneDNN computes {@code backward_data} by GEMM on the plain layout. In training this showed as
 * NaN losses at step 2 of a default DCGAN run (4 of 5 runs with TCMalloc, which recycles freed
 * memory at once). So capping at AVX2 only makes the failure rarer, and capping at AVX made the
 * 32 px DCGAN step about 90 times slower ({@code bench --no-peer --model dcgan --resolution 32 --batch
 * 64 --steps 30}: 23.7 s median at load 17, vs 0.25-0.28 s). GAN Lab therefore pads a convolution's
 * output channels itself ({@link #conv2d}) and leaves the ISA alone. With the padding: 5 of 5
 * default 2-step DCGAN runs gave d_loss 1.371 / 1.051, no NaN; the same bench, alternated three
 * times with the unpadded jar at load 3-4, gave medians 252, 283, 240 ms against 507, 247, 278 ms
 * (no cost beyond the noise).
 *
 * <p>The input side fails too, in the forward pass: with 17, 20, 33, 129 input channels (a partial
 * block), a 3x3 convolution on a 4x4 map returned NaN in 7,168 to all 8,192 outputs (batch 16,
 * 33 -> 32 channels; 4,096 of 4,096 for 17 -> 16) after NaN-filled memory was freed, under plain
 * glibc malloc. That is ProGAN's last discriminator conv, fed nf(4) + 1 channels by minibatch
 * stddev: ProganModelTest's forward/backward gave NaN weight gradients in the final dense layer and
 * the head in 14 of 20 poisoned trials, and the notebook-02 quick run NaN losses. 1x1 convolutions
 * with the same counts, and 3x3 ones with 1 to 15 input channels, were exact. So {@link #conv2d}
 * pads input channels as well (beyond {@value #IMAGE_CHANNELS}); with it: 0 of 20 poisoned ProGAN
 * trials with NaN, and 5 of 5 notebook-02 quick runs (3 steps) gave the same finite losses where the
 * unpadded jar gave NaN at step 1 in 2 of 2. Cost, counted not timed (the bench did not finish on
 * the overloaded machine): in the quick profile only the final conv is padded, 33 -> 48 input
 * channels at 4x4, about 1.1 million extra multiply-adds per discriminator forward of batch 16,
 * under 0.5% of one 3x3 32 -> 32 conv at 32x32 (151 million); image inputs (up to 4 channels) and
 * layers with whole blocks are unchanged.
 *
 * <p>The cap is oneDNN's own variable {@value #ONEDNN_VAR}, read by oneDNN when it first
 * creates a primitive; {@link #apply()} sets it in this process's C environment (libc
 * {@code setenv} through JNA) when {@value #ENV_ISA} names one (e.g. {@code AVX2}) and the user did
 * not set oneDNN's variable; {@code native} or unset leaves oneDNN free.
 */
public final class CpuKernels {

    /** GAN Lab's setting: a oneDNN ISA name to cap at, or {@code native} (the default). */
    public static final String ENV_ISA = "GANLAB_ONEDNN_ISA";
    /** oneDNN's own variable; when the user sets it, GAN Lab leaves it alone. */
    public static final String ONEDNN_VAR = "ONEDNN_MAX_CPU_ISA";
    /** oneDNN's largest channel block (AVX-512: 16 floats); output channels are padded to a multiple of it. */
    public static final int CHANNEL_BLOCK = 16;

    /**
     * Input channel counts up to this (grey, RGB, RGBA images) are left unpadded: oneDNN reads such
     * thin inputs in the plain layout (its "first convolution" kernels), and the probe found no NaN
     * for 1, 3, 4, 8, 12 or 15 input channels; padding an image input to 16 channels would multiply
     * the first layer's cost by up to 16.
     */
    public static final int IMAGE_CHANNELS = 4;

    private static volatile String decision;

    private CpuKernels() {}

    /** libc's setenv, which oneDNN's getenv sees (Java's System.getenv is a copy taken at start). */
    interface CLib extends Library {
        int setenv(String name, String value, int overwrite);
    }

    /** The cap to set given the environment, or null to set none. */
    static String capFor(Map<String, String> env) {
        String user = env.get(ONEDNN_VAR);
        if (user != null && !user.isBlank()) {
            return null;
        }
        String choice = env.getOrDefault(ENV_ISA, "").trim();
        if (choice.isEmpty() || choice.equalsIgnoreCase("native")) {
            return null;
        }
        if (!choice.matches("[A-Za-z0-9_]+")) {
            throw new UserError(ENV_ISA + "='" + choice + "': use native or a oneDNN ISA name such as AVX, AVX2,"
                    + " AVX512_CORE");
        }
        return choice.toUpperCase(Locale.ROOT);
    }

    /** Sets the cap in this process (before the engine loads); idempotent. */
    static synchronized void apply() {
        if (decision != null) {
            return;
        }
        Map<String, String> env = System.getenv();
        String cap = capFor(env);
        if (cap == null) {
            String user = env.get(ONEDNN_VAR);
            decision = (user != null && !user.isBlank() ? "oneDNN capped at " + user + " (" + ONEDNN_VAR + " set by the user)"
                    : "oneDNN native ISA") + "; conv output channels padded to multiples of " + CHANNEL_BLOCK
                    + " (GAN Lab's guard against a oneDNN defect: its pad channels are uninitialised; see CpuKernels)";
            return;
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
                && !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac")) {
            decision = "oneDNN uncapped (setenv unavailable on " + System.getProperty("os.name")
                    + "; set " + ONEDNN_VAR + "=" + cap + " before starting)";
            return;
        }
        try {
            CLib c = Native.load("c", CLib.class);
            if (c.setenv(ONEDNN_VAR, cap, 0) != 0) {
                throw new IllegalStateException("setenv returned an error");
            }
            decision = "oneDNN capped at " + cap + " (" + ENV_ISA + "); conv output channels padded to multiples of "
                    + CHANNEL_BLOCK;
        } catch (RuntimeException | LinkageError e) {
            decision = "oneDNN uncapped (could not set " + ONEDNN_VAR + ": " + e.getMessage() + ")";
        }
    }

    /**
     * 2-D convolution (DJL's {@code conv2d}, groups 1) whose output channels, and input channels
     * beyond {@value #IMAGE_CHANNELS}, are padded with zeros to multiples of {@value #CHANNEL_BLOCK}
     * so oneDNN never pads a channel block itself (see the class comment). Output side: zero filters, sliced off the result. Input side:
     * zero input channels and matching zero weight columns; each added product is 0 x 0, so the
     * outputs are the same sums, the input and weight gradients are slices of the padded ones (the
     * concat's backward), and every convolution autograd derives from this one (double backward of a
     * gradient penalty) also has whole channel blocks. Costs the extra channels' multiply-adds, which
     * only matters for thin layers (an RGB input or output layer).
     */
    public static NDArray conv2d(NDArray x, NDArray w, NDArray b, Shape stride, Shape padding, Shape dilation) {
        Shape ws = w.getShape();
        long cout = ws.get(0);
        long cin = ws.get(1);
        long outPadded = roundUp(cout);
        long inPadded = cin <= IMAGE_CHANNELS ? cin : roundUp(cin);
        if (outPadded == cout && inPadded == cin || !x.getDevice().getDeviceType().equals(ai.djl.Device.Type.CPU)) {
            return ai.djl.nn.convolutional.Conv2d.conv2d(x, w, b, stride, padding, dilation).singletonOrThrow();
        }
        // weight (C_out, C_in, k, k): input channels on axis 1, output channels on axis 0
        NDManager m = x.getManager();
        NDArray xp = zeroPadded(x, 1, inPadded, m);
        NDArray wp = zeroPadded(w, 1, inPadded, 0, outPadded, m);
        NDArray bp = b == null ? null : zeroPadded(b, 0, outPadded, m);
        NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(xp, wp, bp, stride, padding, dilation).singletonOrThrow();
        releasePadded(xp, x, wp, w, bp, b);
        return outPadded == cout ? y : keptChannels(y, cout);
    }

    /**
     * Transposed convolution {@code conv_transpose2d(x, w, b, stride, padding, outputPadding)} (w
     * {@code (C_in, C_out, k, k)}, PyTorch's layout; b null for none; groups and dilation 1), through
     * libtorch's own operation ({@link ConvTransposeScript}). oneDNN computes it as a convolution's
     * data gradient, whose pad channels are the ones {@link #conv2d} guards, so on the CPU both channel
     * counts are padded with zeros to multiples of {@value #CHANNEL_BLOCK} here, inputs included (a
     * transposed convolution's input is a feature map or a latent, never a thin image); the result is
     * the same sums and the gradients slices of the padded ones.
     */
    public static NDArray convTranspose2d(NDArray x, NDArray w, NDArray b, int stride, int padding, int outputPadding) {
        Shape ws = w.getShape();
        long cin = ws.get(0);
        long cout = ws.get(1);
        long inPadded = roundUp(cin);
        long outPadded = roundUp(cout);
        if (outPadded == cout && inPadded == cin || !x.getDevice().getDeviceType().equals(ai.djl.Device.Type.CPU)) {
            return ConvTransposeScript.apply(x, w, b, stride, padding, outputPadding);
        }
        // weight (C_in, C_out, k, k): input channels on axis 0, output channels on axis 1
        NDManager m = x.getManager();
        NDArray xp = zeroPadded(x, 1, inPadded, m);
        NDArray wp = zeroPadded(w, 0, inPadded, 1, outPadded, m);
        NDArray bp = b == null ? null : zeroPadded(b, 0, outPadded, m);
        NDArray y = ConvTransposeScript.apply(xp, wp, bp, stride, padding, outputPadding);
        releasePadded(xp, x, wp, w, bp, b);
        return outPadded == cout ? y : keptChannels(y, cout);
    }

    /**
     * {@code a} with zeros appended along {@code axis} up to {@code size} (itself when already that size).
     * The zeros are made in the input's manager, never in a parameter's long-lived one.
     */
    private static NDArray zeroPadded(NDArray a, int axis, long size, NDManager m) {
        Shape shape = a.getShape();
        long have = shape.get(axis);
        if (have == size) {
            return a;
        }
        long[] dims = shape.getShape().clone(); // Shape hands out its own array
        dims[axis] = size - have;
        NDArray zeros = m.zeros(new Shape(dims), a.getDataType());
        NDArray padded = NDArrays.concat(new NDList(a, zeros), axis);
        StepScope.release(zeros);
        return padded;
    }

    /** A weight padded along two axes; the intermediate (padded along the first only) is closed. */
    private static NDArray zeroPadded(NDArray w, int axis1, long size1, int axis2, long size2, NDManager m) {
        NDArray once = zeroPadded(w, axis1, size1, m);
        NDArray twice = zeroPadded(once, axis2, size2, m);
        if (once != w && once != twice) {
            StepScope.release(once);
        }
        return twice;
    }

    /**
     * Closes the padded copies once the convolution has read them: a DJL array holds its tensor until
     * closed, and these are input-sized (autograd keeps its own reference where the backward reads them).
     */
    private static void releasePadded(NDArray xp, NDArray x, NDArray wp, NDArray w, NDArray bp, NDArray b) {
        for (NDArray[] pair : new NDArray[][] {{xp, x}, {wp, w}, {bp, b}}) {
            if (pair[0] != null && pair[0] != pair[1]) {
                StepScope.release(pair[0]);
            }
        }
    }

    /**
     * The first {@code cout} channels of a padded result. With a graph, whatever reads a slice saves it
     * for backward, and a slice keeps all of y's storage: at FastGAN's 1024 px RGB output, 16 channels
     * for 3 (537 MB at batch 8). A copy of the kept channels lets y go: times 1, exact in value and
     * gradient and recorded by autograd (duplicate() would cut the graph: DJL's clone is detached),
     * and y is closed here.
     */
    private static NDArray keptChannels(NDArray y, long cout) {
        NDArray view = y.get(new NDIndex(":, 0:" + cout));
        // Without a graph the slice itself would pin y (a linear RGB layer's output is the image the
        // caller keeps): a detached copy is the same values.
        NDArray kept = ai.djl.pytorch.jni.JniUtils.isGradMode() ? view.mul(1f) : view.duplicate();
        StepScope.release(view);
        StepScope.release(y);
        return kept;
    }

    /** The next multiple of {@value #CHANNEL_BLOCK} at or above {@code channels}. */
    static long roundUp(long channels) {
        return (channels + CHANNEL_BLOCK - 1) / CHANNEL_BLOCK * CHANNEL_BLOCK;
    }

    /** One line for {@code ganlab info}: which cap is in force and why. */
    public static String describe() {
        apply();
        return decision;
    }
}
