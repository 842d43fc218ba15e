package dev.ganlab.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.util.Pair;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.Setting;
import dev.ganlab.core.UserError;
import dev.ganlab.models.GanModel;
import dev.ganlab.models.Models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * A run's peak resident memory, estimated before it starts, so that a run that cannot fit is refused
 * with a clear message instead of being killed by the kernel mid-run (issue 18, item 4).
 *
 * <p>The estimate: a fixed JVM, engine and data overhead; per trainable value of G four floats
 * (weight, gradient, Adam's two moments) and one more for the EMA copy, of D four; and per image of
 * the batch the floats of every leaf layer's output of G and D at batch 1, times
 * {@link #ACTIVATION_FACTOR} and the family's {@link #ACTIVATION_SHARE}. Leaf outputs stand for what one phase of a step keeps alive until its
 * backward (the phases are closed one after the other, see {@link PhaseScope}): the generator phase
 * runs G and D with graphs, a critic update D twice; the factor covers the intermediates inside
 * the layers, their gradients and DiffAugment's copies, calibrated against the peak resident sizes
 * (VmHWM) measured in lib/BENCHMARKS.md ("Peak memory by model and resolution"), where the table
 * sets estimate beside measurement.
 *
 * <p>Available memory is {@code MemAvailable} of {@code /proc/meminfo}; {@value #ENV_AVAILABLE} (or
 * the system property {@code ganlab.memoryAvailable}) overrides it in GB, e.g. to allow a run the
 * estimate refuses ({@code GANLAB_MEMORY_AVAILABLE=1000}) or to plan for another machine.
 */
public record MemoryEstimate(String model, int resolution, int batch, long generatorParameters,
        long discriminatorParameters, boolean ema, long generatorFloatsPerImage, long discriminatorFloatsPerImage,
        boolean generatorGraphThroughCritic) {

    /** Overrides the available memory, in GB. */
    public static final String ENV_AVAILABLE = "GANLAB_MEMORY_AVAILABLE";
    private static final Setting AVAILABLE = new Setting("ganlab.memoryAvailable", ENV_AVAILABLE);
    /**
     * JVM (its heap grows towards its cap before collecting: 2 GB in the measured runs), engine
     * libraries and data set overhead, bytes. Was 1 GB, under which FastGAN's 64 and 128 px rows
     * (peaks 3.4 and 4.7 GB) were estimated below their peaks.
     */
    static final long OVERHEAD_BYTES = 2_000_000_000L;
    /** Bytes kept per float of leaf output at the peak phase of a step (calibrated, see the class comment). */
    static final double ACTIVATION_FACTOR = 4.0 * 3.0;
    /**
     * Per family, the share of {@link #ACTIVATION_FACTOR} its measured peaks need (1 when not listed).
     * ProGAN: its leaf outputs include a pixel norm and an activation per convolution that the engine
     * does not keep for the backward, and since its gradient penalty is back-propagated on its own
     * ({@link dev.ganlab.objective.GanObjective#criticBackward}) its peak is D's graphs on reals and
     * fakes; measured 64 to 1024 px (lib/BENCHMARKS.md), the activations at full factor were 2.0 to 2.6
     * times what the peaks needed, so half keeps the estimate 1.17 to 1.24 times the peaks.
     */
    static final Map<String, Double> ACTIVATION_SHARE = Map.of("progan", 0.5);
    /**
     * With {@code generatorFakes=reuse} the generator's graph is held through the critic update: this share
     * of G's activation term comes on top. Measured on FastGAN (lib/BENCHMARKS.md, "One generator forward
     * per step"), the peaks moved by +0.2, +0.1, +0.6, -0.1 and +1.2 GB at 64 to 1024 px: where the
     * generator's own update was the peak phase, holding its graph earlier costs nothing. 0.1 keeps every
     * measured row at or above its peak and within 1.7 times it (0.25 overestimated 512 px 1.8 times).
     */
    static final double REUSED_FAKES_SHARE = 0.1;

    /**
     * The estimate of a new run of {@code resolved} (a resolved config with a resolution; 3 channels
     * assumed when it names none, the larger case), with the batch it trains its final resolution with.
     */
    public static MemoryEstimate of(TrainConfig resolved) {
        if (resolved.resolution == null) {
            throw new IllegalArgumentException("a memory estimate needs the config's resolution");
        }
        int c = resolved.channels != null ? resolved.channels : 3;
        GanModel m = Models.create(resolved, c, resolved.resolution, "memory estimate");
        NDManager scratch = GanLab.newManager();
        try {
            m.onImagesShown(Long.MAX_VALUE / 4); // a growing model at its last stage (ProGAN: its minibatch there)
            int batch = m.batchSize(resolved.batch);
            m.initializeGenerator(m.generator(), scratch);
            m.initializeDiscriminator(scratch);
            long[] g = walk(m.generator());
            long[] d = walk(m.discriminator());
            return new MemoryEstimate(m.name(), resolved.resolution, batch, g[0], d[0], resolved.emaDecay != null
                    && resolved.emaDecay > 0, g[1], d[1], resolved.reusesFakes());
        } finally {
            scratch.close();
            m.close();
        }
    }

    /** {trainable values, floats of leaf outputs per image} of an initialised network. */
    static long[] walk(Block b) {
        long params = 0;
        for (Pair<String, ai.djl.nn.Parameter> p : b.getParameters()) {
            if (p.getValue().requiresGradient() && p.getValue().isInitialized()) {
                params += p.getValue().getArray().getShape().size();
            }
        }
        return new long[] {params, leafFloats(b)};
    }

    private static long leafFloats(Block b) {
        if (!b.getChildren().isEmpty()) {
            long sum = 0;
            for (Pair<String, Block> child : b.getChildren()) {
                sum += leafFloats(child.getValue());
            }
            return sum;
        }
        Shape[] in;
        try {
            in = b.getInputShapes();
        } catch (IllegalStateException e) {
            return 0; // a block its parent never initialised (not on the path at this resolution)
        }
        if (in == null) {
            return 0;
        }
        Shape[] out;
        try {
            out = b.getOutputShapes(in);
        } catch (IllegalArgumentException e) {
            return 0; // shapes recorded at initialisation that the leaf's own shape rule rejects: not counted
        }
        long sum = 0;
        for (Shape s : out) {
            sum += s.size() / Math.max(1, s.get(0));
        }
        return sum;
    }

    /** Estimated peak resident bytes of the run. */
    public long bytes() {
        double params = 4.0 * ((ema ? 5.0 : 4.0) * generatorParameters + 4.0 * discriminatorParameters);
        // bytes the batch keeps for each float of one image's leaf outputs
        double perImageFloat = ACTIVATION_FACTOR * ACTIVATION_SHARE.getOrDefault(model, 1.0) * (double) batch;
        double activations = perImageFloat * (generatorFloatsPerImage + discriminatorFloatsPerImage
                + (generatorGraphThroughCritic ? REUSED_FAKES_SHARE * generatorFloatsPerImage : 0));
        return OVERHEAD_BYTES + (long) (params + activations);
    }

    /** The one-line report, e.g. for {@code ganlab train --estimate-memory}. */
    public String describe(long availableBytes) {
        return String.format(Locale.ROOT, "%s at %d px, batch %d: needs about %.1f GB%s", model, resolution, batch,
                bytes() / 1e9, availableBytes < 0 ? "" : String.format(Locale.ROOT, ", %.1f GB available",
                        availableBytes / 1e9));
    }

    /** Refuses (UserError) when the estimate exceeds {@code availableBytes}. */
    public void check(long availableBytes) {
        if (bytes() > availableBytes) {
            MemoryEstimate fresh = new MemoryEstimate(model, resolution, batch, generatorParameters,
                    discriminatorParameters, ema, generatorFloatsPerImage, discriminatorFloatsPerImage, false);
            String lower = generatorGraphThroughCritic && fresh.bytes() <= availableBytes
                    ? String.format(Locale.ROOT, "set generatorFakes=fresh (about %.1f GB: a second generator forward"
                            + " per step instead of holding the first one's graph), or lower the batch or the resolution",
                            fresh.bytes() / 1e9)
                    : "lower the batch or the resolution";
            throw new UserError(String.format(Locale.ROOT,
                    "%s at %d px, batch %d: this run needs about %.1f GB, %.1f GB available: %s"
                            + " (%s=<GB> overrides the available figure)",
                    model, resolution, batch, bytes() / 1e9, availableBytes / 1e9, lower, ENV_AVAILABLE));
        }
    }

    /** Refuses a new run of {@code resolved} that would not fit; no check without a resolution or a figure. */
    public static void checkNewRun(TrainConfig resolved) {
        long available = availableBytes();
        if (resolved.resolution != null && available >= 0) {
            MemoryEstimate estimate;
            try {
                estimate = of(resolved);
            } catch (UserError e) {
                // Settings the model refuses (a size it cannot build): the run says so itself, once, when it
                // builds the same model; a warning here would print the same error twice.
                return;
            } catch (RuntimeException e) {
                // The estimate guards against runs that cannot fit; when it cannot be made, say so and train.
                System.err.println("memory estimate unavailable for " + resolved.model + " at " + resolved.resolution
                        + " px (" + e.getMessage() + "); training without the pre-run check");
                return;
            }
            estimate.check(available);
        }
    }

    /** Bytes available to a new run: the override (GB) when set, else MemAvailable; -1 when unknown. */
    public static long availableBytes() {
        String override = AVAILABLE.value();
        if (override != null) {
            try {
                return (long) (Double.parseDouble(override.trim()) * 1e9);
            } catch (NumberFormatException e) {
                throw new UserError(AVAILABLE.origin() + "='" + override + "' is not a number of GB");
            }
        }
        return memAvailable(Path.of("/proc/meminfo"));
    }

    static long memAvailable(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1; // not Linux: no check
        }
        return -1;
    }
}
