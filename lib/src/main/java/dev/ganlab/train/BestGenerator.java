package dev.ganlab.train;

import com.google.gson.JsonObject;
import dev.ganlab.core.UserError;
import dev.ganlab.metrics.EvaluationReport;
import dev.ganlab.metrics.Metric;
import dev.ganlab.metrics.MetricRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The best-scoring generator of a run ({@code eval.keepBest}, off by default). A GAN's score often gets worse
 * after a point while training goes on (this project's SNDCGAN reference run: FID 6.75 at 3,000 steps, 9.52 at
 * 7,000; lib/REPRODUCTION.md), and the generator at the end is then not the best the run made. StudioGAN
 * (Kang et al., 2022) keeps the checkpoint of the best FID seen during training for that reason; this class
 * does the same for any value of the run's evaluation that has a better direction (FID, KID, SWD, IS, ...).
 *
 * <p>After each evaluation whose value beats every earlier one of the run, the raw and EMA generators
 * are written to {@code best/} in the run folder: {@code best/config.json} (the run's) and one
 * generator-only checkpoint {@code best/checkpoints/step-N.ckpt} whose header also names the metric, its
 * value and the generator scored (the generator it beat is removed at the run's next checkpoint). The folder reads like a run: {@code TrainedGenerator.load(run.resolve("best"))}
 * and the sampling commands' {@code --run RUN/best}. The best value so far is read back from that header, and a
 * resumed run first forgets what was kept after its checkpoint, so it keeps exactly the generator an
 * uninterrupted run keeps (a tie keeps the earlier generator).
 *
 * <p>Off by default because the papers (DCGAN, SNGAN, ProGAN, FastGAN) report the generator at the end
 * of training; a best-of-run score is a selection on the evaluation set and reads optimistic beside them.
 */
public final class BestGenerator {

    /** The folder in a run that holds the kept generator. */
    public static final String FOLDER = "best";

    /** What the kept checkpoint's header says about it. */
    public record Kept(long step, String metric, double value, String generator, Path folder) {
        public String summary() {
            return String.format(java.util.Locale.ROOT, "%s %.4g at step %,d (%s generator) in %s", metric, value,
                    step, generator, folder);
        }
    }

    /** The evaluation has no value {@code eval.keepBest} names: a setting to fix, not a stage to skip. */
    static final class MissingValue extends UserError {
        private static final long serialVersionUID = 1L;

        MissingValue(String message) {
            super(message);
        }
    }

    private final String key;
    private final boolean lowerIsBetter;
    private boolean read;
    private Double best;

    BestGenerator(String key) {
        this.key = key;
        this.lowerIsBetter = GeneratorChoice.lowerIsBetter(key);
    }

    /**
     * Refuses a {@code eval.keepBest} that the evaluation cannot rank by: without metrics, a name that is not a
     * value with a better direction, or one that none of {@code eval.metrics} writes ("auto" is checked at the
     * first evaluation, when it has been resolved).
     */
    static void checkSetting(String keepBest, String metrics) {
        if (keepBest == null || keepBest.isBlank()) {
            return;
        }
        String where = "config: eval.keepBest '" + keepBest + "'";
        if (metrics == null || metrics.isBlank()) {
            throw new UserError(where + " needs eval.metrics (it ranks the evaluations, and there are none)");
        }
        List<Metric> among = metrics.equals("auto") ? MetricRegistry.all() : MetricRegistry.parseList(metrics);
        Metric.Column c = MetricRegistry.columnOf(keepBest, among);
        if (c == null || c.better() == Metric.Better.NONE) {
            throw new UserError(where + " is not a value with a better direction that eval.metrics '" + metrics
                    + "' writes (e.g. fid_fmnist or kid_fmnist for fid,kid in the fmnist features, swd_x1e3 for swd)");
        }
    }

    /**
     * Keeps the trainer's generators if {@code report} beats every earlier evaluation of the run.
     *
     * @return whether they were kept
     * @throws MissingValue when the report has no value {@code eval.keepBest} names
     */
    boolean offer(GanTrainer t, EvaluationReport report) {
        Map<String, Double> values = report.metrics();
        Double v = values.get(key);
        if (v == null) {
            throw new MissingValue("config: eval.keepBest '" + key + "': the evaluation writes no such value (it"
                    + " writes " + values.keySet() + ")");
        }
        if (!read) {
            best = read(t.dir()).map(Kept::value).orElse(null);
            read = true;
        }
        if (Double.isNaN(v) || (best != null && !(lowerIsBetter ? v < best : v > best))) {
            return false;
        }
        write(t, v);
        best = v;
        return true;
    }

    private void write(GanTrainer t, double value) {
        Path folder = t.dir().resolve(FOLDER);
        Path ckDir = folder.resolve("checkpoints");
        JsonObject header = CheckpointWriter.generatorHeader(t);
        JsonObject kept = new JsonObject();
        kept.addProperty("metric", key);
        kept.addProperty("value", value);
        kept.addProperty("generator", t.config().eval.ema && t.generators().hasEma() ? "ema" : "raw");
        header.add("best", kept);
        try {
            Files.createDirectories(ckDir);
            Path config = folder.resolve(RunFolder.CONFIG);
            if (!Files.exists(config)) {
                Path tmp = folder.resolve(RunFolder.CONFIG + ".tmp");
                Files.copy(t.dir().resolve(RunFolder.CONFIG), tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, config, StandardCopyOption.ATOMIC_MOVE);
            }
            // The one it beats stays until a checkpoint of the run is at or past this step (pruneAt): a run
            // resumed from an earlier checkpoint goes back to it (forgetAfter).
            Checkpoint.write(ckDir.resolve(Checkpoint.fileName(t.step())), header, CheckpointWriter.generatorSections(t));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the best generator in " + folder, e);
        }
    }

    /**
     * After the run's checkpoint of {@code step}: of the kept generators at or before it only the newest is
     * needed, since a resume starts at this step or later.
     */
    static void pruneAt(Path runDir, long step) {
        boolean newest = true;
        for (Path p : Checkpoint.list(runDir.resolve(FOLDER).resolve("checkpoints"))) {
            if (Checkpoint.stepOf(p) <= step) {
                if (!newest) {
                    delete(p);
                }
                newest = false;
            }
        }
    }

    /**
     * Before a run continues from its checkpoint of {@code step} (0: a new run): forgets the generators kept
     * after it, which belong to steps the run is about to take again, so that it keeps what a run without
     * the stop keeps.
     */
    static void forgetAfter(Path runDir, long step) {
        for (Path p : Checkpoint.list(runDir.resolve(FOLDER).resolve("checkpoints"))) {
            if (Checkpoint.stepOf(p) > step) {
                delete(p);
            }
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the superseded best generator " + p, e);
        }
    }

    /** The generator a run kept ({@code best/} of the run folder), or empty when it kept none. */
    public static Optional<Kept> read(Path runDir) {
        Path folder = runDir.resolve(FOLDER);
        for (Path p : Checkpoint.list(folder.resolve("checkpoints"))) {
            try {
                JsonObject h = Checkpoint.read(p).header();
                JsonObject b = h.getAsJsonObject("best");
                return Optional.of(new Kept(h.get("step").getAsLong(), b.get("metric").getAsString(),
                        b.get("value").getAsDouble(), b.get("generator").getAsString(), folder));
            } catch (IOException | RuntimeException e) {
                throw new UserError("kept best generator " + p + " unreadable: " + e.getMessage(), e);
            }
        }
        return Optional.empty();
    }
}
