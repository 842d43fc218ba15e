package dev.ganlab.bench;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.NativeAllocator;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.models.ModelPreset;
import dev.ganlab.models.Models;
import dev.ganlab.nn.FlopCounter;
import dev.ganlab.train.GanTrainer;
import dev.ganlab.train.TrainConfig;
import dev.ganlab.train.TrainingMonitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Times full training steps (discriminator and generator updates) of a model through the real
 * trainer, on random in-memory images of the requested size, and reports what a user needs to judge
 * the speed: milliseconds per step and images per second after a warm-up, the share of the step spent
 * outside the engine's operators (from the engine profiler), estimated GFLOP/s against the machine's
 * matrix-product peak, resident memory and live arrays before and after.
 */
public final class TrainStepBenchmark {

    /** What to measure. */
    public record Options(String model, int resolution, int batch, int steps, int warmup, int channels,
            int profiledSteps, Path trace) {

        /** Without keeping the profiler's trace. */
        public Options(String model, int resolution, int batch, int steps, int warmup, int channels,
                int profiledSteps) {
            this(model, resolution, batch, steps, warmup, channels, profiledSteps, null);
        }

        public Options {
            if (trace != null && profiledSteps < 1) {
                throw new UserError("bench --trace " + trace + " needs --profile-steps of at least 1");
            }
            if (!Models.names().contains(model)) {
                throw new UserError("bench --model '" + model + "': use " + String.join(", ", Models.names()));
            }
            if (resolution < 8 || batch < 2 || steps < 1 || warmup < 0 || profiledSteps < 0) {
                throw new UserError("bench needs resolution >= 8, batch >= 2, steps >= 1 (got " + resolution + ", "
                        + batch + ", " + steps + ")");
            }
            if (channels != 1 && channels != 3) {
                throw new UserError("bench channels " + channels + " must be 1 or 3");
            }
        }
    }

    /** The figures of one benchmark. */
    public record Result(String model, int resolution, int batch, int steps, String device, int threads,
            double msPerStep, double msPerStepMedian, double imagesPerSecond, double outsideEngineFraction,
            double gflopPerStep, double achievedGflops, double peakGflops, long rssAfterWarmupMb, long rssEndMb,
            long peakRssMb, long[] rssQuartilesMb, int arraysAfterWarmup, int arraysEnd, String engineFeatures,
            String engine, String allocator, long generatorParameters, long discriminatorParameters) {

        /** RSS growth from after the warm-up to the end, in percent. */
        public double rssGrowthPercent() {
            return 100.0 * (rssEndMb - rssAfterWarmupMb) / Math.max(1, rssAfterWarmupMb);
        }

        public String toJson() {
            Gson g = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
            var o = g.toJsonTree(this).getAsJsonObject();
            o.addProperty("rssGrowthPercent", rssGrowthPercent());
            return g.toJson(o);
        }

        /** A readable multi-line report. */
        public String report() {
            return String.format(Locale.ROOT, String.join("%n",
                    "%s %dpx batch %d on %s, %d threads (%s; %s; %s)",
                    "  step time        %.1f ms mean, %.1f ms median over %d steps -> %.1f images/s",
                    "  outside engine   %s",
                    "  compute          %.2f GFLOP/step (conv+dense, backward as 2x forward) -> %.1f GFLOP/s,"
                            + " %.0f%% of the %.1f GFLOP/s matmul peak",
                    "  memory           RSS %d MiB after warm-up, %d MiB at end (%+.1f%%), peak %d MiB;"
                            + " at 1/4, 1/2, 3/4, end of the timed steps: %s MiB",
                    "  live arrays      %d after warm-up, %d at end"),
                    model, resolution, batch, device, threads, engine, engineFeatures, allocator,
                    msPerStep, msPerStepMedian, steps, imagesPerSecond,
                    Double.isNaN(outsideEngineFraction) ? "not measured (--profile-steps 0)"
                            : String.format(Locale.ROOT, "%.1f%% of the step (engine profiler)",
                                    100 * outsideEngineFraction),
                    gflopPerStep, achievedGflops, 100 * achievedGflops / peakGflops, peakGflops,
                    rssAfterWarmupMb, rssEndMb, rssGrowthPercent(), peakRssMb,
                    Arrays.stream(rssQuartilesMb).mapToObj(Long::toString).collect(java.util.stream.Collectors.joining(", ")),
                    arraysAfterWarmup, arraysEnd);
        }
    }

    private TrainStepBenchmark() {}

    /** The model the Python peer environment/bench/dcgan_peer.py times. */
    public static final String PEER_MODEL = "dcgan";

    /**
     * The Python PyTorch peer of each model that has one, a script in environment/bench/ that builds
     * the model of {@link #config} (same layers and parameter counts) and times the same step.
     */
    public static final java.util.Map<String, String> PEER_SCRIPTS = java.util.Map.of(
            "dcgan", "dcgan_peer.py", "progan", "progan_peer.py", "fastgan", "fastgan_peer.py");

    private static <S> void fullSize(ModelPreset<S> p, TrainConfig c, int resolution) {
        p.fullSizeFromStart(c.sectionOf(p), resolution);
    }

    /** The training config the benchmark uses for a model (papers' defaults at the given size). */
    public static TrainConfig config(Options o) {
        TrainConfig c = new TrainConfig();
        c.model = o.model();
        c.data = "random:" + o.channels() + "x" + o.resolution();
        c.batch = o.batch();
        c.steps = o.warmup() + o.steps() + o.profiledSteps() + 1;
        c.logEvery = Integer.MAX_VALUE / 2;
        c.sampleEvery = Integer.MAX_VALUE / 2;
        c.checkpointEvery = Integer.MAX_VALUE / 2;
        c.eval.metrics = "";
        if (o.model().equals(PEER_MODEL)) {
            // environment/bench/dcgan_peer.py builds PyTorch-GAN's networks: compare equal work.
            c.dcgan.generator = "pytorchgan";
            c.dcgan.discriminator = "pytorchgan";
            for (String opt : new String[] {"optG", "optD"}) {
                c.set(opt + ".weightDecay", "0"); // PyTorch-GAN's Adam (and the peer's) decays no weights
            }
        }
        fullSize(Models.preset(o.model()), c, o.resolution());
        return c;
    }

    /** Random images of the benchmark's size (content does not matter for timing). */
    static ImageDataset randomImages(Options o) {
        int n = Math.max(4 * o.batch(), 64);
        int len = o.channels() * o.resolution() * o.resolution();
        SplittableRandom r = new SplittableRandom(7);
        List<byte[]> px = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[len];
            for (int k = 0; k < len; k++) {
                b[k] = (byte) r.nextInt(256);
            }
            px.add(b);
        }
        return new ImageDataset("random " + o.channels() + "x" + o.resolution(), o.channels(), o.resolution(),
                o.resolution(), px, null, List.of());
    }

    /** Runs the benchmark. */
    public static Result run(Options o) {
        GanLab.init();
        GanLab.noGradOnThisThread();
        Path dir;
        try {
            dir = Files.createTempDirectory("ganlab-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (GanTrainer t = GanTrainer.start(config(o), dir, randomImages(o))) {
            t.addMonitor(new TrainingMonitor() {});
            BaseNDManager root = (BaseNDManager) t.rootManager();
            for (int i = 0; i < o.warmup(); i++) {
                t.step1();
            }
            int arraysAfterWarmup = root.getManagedArrays().size();
            long rssAfterWarmup = ProcessMemory.rssMb();
            double[] ms = new double[o.steps()];
            // RSS at each quarter of the timed steps: a leak grows linearly, an allocator settling levels off.
            long[] rssQuartiles = new long[4];
            for (int i = 0; i < o.steps(); i++) {
                long a = System.nanoTime();
                t.step1();
                ms[i] = (System.nanoTime() - a) / 1e6;
                for (int q = 0; q < 4; q++) {
                    if (i + 1 == Math.max(1, (q + 1) * o.steps() / 4)) {
                        rssQuartiles[q] = ProcessMemory.rssMb();
                    }
                }
            }
            int arraysEnd = root.getManagedArrays().size();
            long rssEnd = ProcessMemory.rssMb();

            FlopCounter.start();
            t.step1();
            long flops = FlopCounter.stop();

            double outside = Double.NaN;
            if (o.profiledSteps() > 0) {
                Path trace = dir.resolve("trace.json");
                JniUtils.startProfile(GanLab.device().isGpu(), false, false);
                long a = System.nanoTime();
                for (int i = 0; i < o.profiledSteps(); i++) {
                    t.step1();
                }
                double wallMicros = (System.nanoTime() - a) / 1e3;
                JniUtils.stopProfile(trace.toString());
                outside = Math.max(0, 1 - ProfileTrace.busyMicros(trace) / wallMicros);
                if (o.trace() != null) {
                    try {
                        Files.copy(trace, o.trace(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    } catch (IOException e) {
                        throw new UserError("bench --trace: cannot write " + o.trace() + ": " + e.getMessage(), e);
                    }
                }
            }
            double mean = Arrays.stream(ms).average().orElse(Double.NaN);
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            double median = sorted[sorted.length / 2];
            double peak = MatmulPeak.gflops(GanLab.device().isGpu() ? 4096 : 1024, 1.0);
            double gflop = flops / 1e9;
            var v = GanLab.versions();
            return new Result(o.model(), o.resolution(), o.batch(), o.steps(), GanLab.device().toString(),
                    GanLab.threads(), mean, median, o.batch() * 1000.0 / mean, outside, gflop, gflop * 1000.0 / mean,
                    peak, rssAfterWarmup, rssEnd, ProcessMemory.peakRssMb(), rssQuartiles, arraysAfterWarmup, arraysEnd,
                    String.join("+", new java.util.TreeSet<>(JniUtils.getFeatures())),
                    "DJL " + v.getProperty("djl") + ", libtorch " + v.getProperty("pytorch"),
                    NativeAllocator.active(), parameters(t.model().generator()),
                    parameters(t.model().discriminator()));
        } finally {
            deleteQuietly(dir);
        }
    }

    /** Trainable values of a network, as `ganlab summary` counts them. */
    private static long parameters(ai.djl.nn.Block network) {
        return dev.ganlab.models.ModelSummary.describe("network", network, 0).parameters();
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a temporary folder
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
