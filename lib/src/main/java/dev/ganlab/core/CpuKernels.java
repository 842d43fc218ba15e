package dev.ganlab.core;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.util.Locale;
import java.util.Map;

/**
 * Which instruction set the engine's oneDNN convolution kernels may use, decided once per process
 * before the first engine operation.
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
 * memory at once). So capping at AVX2 only makes the failure rarer; this class caps at AVX.
 *
 * <p>The cap is oneDNN's own variable {@value #ONEDNN_VAR}, read by oneDNN when it first
 * creates a primitive; {@link #apply()} sets it in this process's C environment (libc
 * {@code setenv} through JNA) unless the user set it. {@value #ENV_ISA} chooses: {@code native}
 * leaves oneDNN free (fastest, exposed to the NaN above), any other value is passed on as the
 * cap (e.g. {@code AVX2}, {@code AVX512_CORE}). See lib/BENCHMARKS.md for the speed cost.
 */
public final class CpuKernels {

    /** GAN Lab's setting: {@code native} or a oneDNN ISA name; default {@value #DEFAULT_CAP}. */
    public static final String ENV_ISA = "GANLAB_ONEDNN_ISA";
    /** oneDNN's own variable; when the user sets it, GAN Lab leaves it alone. */
    public static final String ONEDNN_VAR = "ONEDNN_MAX_CPU_ISA";
    /** The cap that keeps backward_data convolutions off padded blocked layouts (see the class comment). */
    public static final String DEFAULT_CAP = "AVX";

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
        if (choice.isEmpty()) {
            return DEFAULT_CAP;
        }
        if (choice.equalsIgnoreCase("native")) {
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
            decision = user != null && !user.isBlank() ? "oneDNN capped at " + user + " (" + ONEDNN_VAR + " set by the user)"
                    : "oneDNN uncapped (" + ENV_ISA + "=native; convolutions with channel counts off the SIMD block"
                    + " may read uninitialised memory, see CpuKernels)";
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
            decision = "oneDNN capped at " + cap + " (GAN Lab default: avoids NaN input gradients of"
                    + " convolutions whose channels do not fill a SIMD block; " + ENV_ISA + "=native to lift)";
        } catch (RuntimeException | LinkageError e) {
            decision = "oneDNN uncapped (could not set " + ONEDNN_VAR + ": " + e.getMessage() + ")";
        }
    }

    /** One line for {@code ganlab info}: which cap is in force and why. */
    public static String describe() {
        apply();
        return decision;
    }
}
