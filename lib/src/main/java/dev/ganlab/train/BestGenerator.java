package dev.ganlab.train;

import com.google.gson.JsonObject;
import dev.ganlab.core.AtomicFiles;
import dev.ganlab.core.UserError;
import dev.ganlab.metrics.Extractors;
import dev.ganlab.metrics.Metric;
import dev.ganlab.metrics.MetricRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * are written to {@code best/} in the run folder: {@code best/config.json} (the run's) and a
 * generator-only checkpoint {@code best/checkpoints/step-N.ckpt} whose header also names the metric, its
 * value and the generator scored. The folder reads like a run: {@code TrainedGenerator.load(run.resolve("best"))}
 * and the sampling commands' {@code --run RUN/best}. A growing model (ProGAN) is ranked from its final
 * resolution on, its fade-in included (the kept checkpoint records the stage, so it loads as it was): scores
 * at smaller stages measure other images.
 *
 * <p>Resume: each regular checkpoint records the best so far (metric, step, value) and a resumed run takes it
 * from there, forgetting generators kept after that checkpoint; a kept generator is removed only when no
 * checkpoint still on disk can resume to a state that needs it. So a stopped run keeps what an
 * uninterrupted one keeps, except where the stop abandoned an evaluation in progress: that evaluation is
 * not redone (it is missing from the history too). A tie keeps the earlier generator.
 *
 * <p>Off by default because the papers (DCGAN, SNGAN, ProGAN, FastGAN) report the generator at the end
 * of training; a best-of-run score is a selection on the evaluation set and reads optimistic beside them.
 */
public final class BestGenerator {

    /** The folder in a run that holds the kept generator. */
    public static final String FOLDER = "best";
    /** The entry of a checkpoint header that records the best so far ({@code metric}, {@code step}, {@code value}). */
    static final String HEADER = "best";

    /** What the kept checkpoint's header says about it. */
    public record Kept(long step, String metric, double value, String generator, Path folder) {
        public String summary() {
            return String.format(java.util.Locale.ROOT, "%s %.4g at step %,d (%s generator) in %s", metric, value,
                    step, generator, folder);
        }
    }

    /** The evaluation has no value {@code eval.keepBest} names, so it cannot be ranked (the scores are kept). */
    static final class MissingValue extends UserError {
        private static final long serialVersionUID = 1L;

        MissingValue(String message) {
            super(message);
        }
    }

    private final String key;
    private final boolean lowerIsBetter;
    private Double best;
    private long bestStep = -1;

    BestGenerator(String key) {
        this.key = key;
        this.lowerIsBetter = GeneratorChoice.lowerIsBetter(key);
    }

    /**
     * Refuses a {@code eval.keepBest} that the evaluation cannot rank by: without metrics, a name that is not a
     * value with a better direction that {@code eval.metrics} writes, or a feature score of another network than
     * {@code eval.features}' ("auto" settings are checked once resolved).
     */
    static void checkSetting(String keepBest, String metrics, String features) {
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
        if (c.featureScore() && !"auto".equals(features)) {
            String written = Metric.scoreKey(c.base(), Extractors.scoreSuffix(features));
            if (!written.equals(keepBest)) {
                throw new UserError(where + ": with eval.features '" + features + "' the evaluation writes '"
                        + written + "'");
            }
        }
    }

    /**
     * Keeps the trainer's generators if {@code values} (an evaluation's) beat every earlier evaluation of the run.
     *
     * @return whether they were kept
     * @throws MissingValue when the values have none that {@code eval.keepBest} names
     */
    boolean offer(GanTrainer t, Map<String, Double> values) {
        Double v = values.get(key);
        if (v == null) {
            throw new MissingValue("eval.keepBest '" + key + "': the evaluation at step " + t.step() + " writes no such"
                    + " value (it writes " + values.keySet() + "), so nothing is kept");
        }
        if (Double.isNaN(v) || (best != null && !(lowerIsBetter ? v < best : v > best))) {
            return false;
        }
        write(t, v);
        best = v;
        bestStep = t.step();
        return true;
    }

    /** The best so far for a checkpoint's header, or null before the first evaluation. */
    JsonObject state() {
        if (best == null) {
            return null;
        }
        JsonObject s = new JsonObject();
        s.addProperty("metric", key);
        s.addProperty("step", bestStep);
        s.addProperty("value", best);
        return s;
    }

    /**
     * Takes the best so far from a checkpoint being resumed (its {@link #HEADER} entry). A record of another
     * metric (a run resumed with another {@code eval.keepBest}) is not a rank in this one: ranking starts anew.
     */
    void restore(JsonObject state, Path runDir) {
        if (state == null || !key.equals(state.get("metric").getAsString())) {
            return;
        }
        best = state.get("value").getAsDouble();
        bestStep = state.get("step").getAsLong();
        if (!Files.isRegularFile(keptDir(runDir).resolve(Checkpoint.fileName(bestStep)))) {
            System.err.println("eval.keepBest: the generator kept at step " + bestStep + " (" + key + " " + best
                    + ") is not in " + runDir.resolve(FOLDER) + "; later evaluations are ranked against its value");
        }
    }

    private void write(GanTrainer t, double value) {
        Path folder = t.dir().resolve(FOLDER);
        JsonObject header = CheckpointWriter.generatorHeader(t);
        JsonObject kept = new JsonObject();
        kept.addProperty("metric", key);
        kept.addProperty("value", value);
        kept.addProperty("generator", t.config().eval.ema && t.generators().hasEma() ? "ema" : "raw");
        header.add(HEADER, kept);
        try {
            Files.createDirectories(keptDir(t.dir()));
            // the run's settings, rewritten each time: the folder must never pair them with another run's weights
            AtomicFiles.writeString(folder.resolve(RunFolder.CONFIG), Files.readString(t.dir().resolve(RunFolder.CONFIG)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the best generator in " + folder, e);
        }
        Checkpoint.write(keptDir(t.dir()).resolve(Checkpoint.fileName(t.step())), header,
                CheckpointWriter.generatorSections(t));
    }

    /**
     * After a checkpoint of the run (and the pruning of old ones): removes the kept generators that no
     * checkpoint on disk needs. A checkpoint needs the one its header names; a resume from it forgets those
     * after it. The newest kept generator always stays.
     */
    static void prune(Path runDir, List<Path> checkpoints) {
        List<Path> kept = Checkpoint.list(keptDir(runDir));
        if (kept.size() < 2) {
            return;
        }
        long oldestNeeded = Long.MAX_VALUE;
        for (Path c : checkpoints) {
            try {
                JsonObject h = Checkpoint.readHeader(c);
                if (h.has(HEADER)) {
                    oldestNeeded = Math.min(oldestNeeded, h.getAsJsonObject(HEADER).get("step").getAsLong());
                }
            } catch (IOException e) {
                return; // an unreadable checkpoint is not resumed from, but keep everything rather than guess
            }
        }
        for (Path p : kept.subList(1, kept.size())) {
            if (Checkpoint.stepOf(p) < oldestNeeded) {
                delete(p);
            }
        }
    }

    /**
     * Before a run continues from its checkpoint of {@code step} (0: a new run): forgets the generators kept
     * after it, which belong to steps the run is about to take again.
     */
    static void forgetAfter(Path runDir, long step) {
        for (Path p : Checkpoint.list(keptDir(runDir))) {
            if (Checkpoint.stepOf(p) > step) {
                delete(p);
            }
        }
    }

    /** Where a run's kept generators are: {@code best/checkpoints}. */
    private static Path keptDir(Path runDir) {
        return runDir.resolve(FOLDER).resolve("checkpoints");
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the superseded best generator " + p, e);
        }
    }

    /** The generator a run kept ({@code best/} of the run folder): the newest there, or empty when it kept none. */
    public static Optional<Kept> read(Path runDir) {
        Path folder = runDir.resolve(FOLDER);
        for (Path p : Checkpoint.list(keptDir(runDir))) {
            try {
                JsonObject h = Checkpoint.readHeader(p);
                JsonObject b = h.getAsJsonObject(HEADER);
                return Optional.of(new Kept(h.get("step").getAsLong(), b.get("metric").getAsString(),
                        b.get("value").getAsDouble(), b.get("generator").getAsString(), folder));
            } catch (IOException | RuntimeException e) {
                throw new UserError("kept best generator " + p + " unreadable: " + e.getMessage(), e);
            }
        }
        return Optional.empty();
    }
}
