package dev.ganlab.train;

import dev.ganlab.core.ProjectHome;
import dev.ganlab.core.UserError;
import dev.ganlab.metrics.Metric;
import dev.ganlab.metrics.MetricRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where a reference model stands in this checkout, so that a notebook can show what its recipe reaches
 * beside its own quick run, whatever the zoo holds today:
 * <ul>
 *   <li>{@link State#EXPORTED}: the finished model, {@code lib/zoo/NAME} ({@link ReferenceModel});
 *   <li>{@link State#TRAINING}: a run longer than one working session, carried in git between sessions in
 *       {@code lib/zoo/training/NAME} ({@code environment/zoo/train-reference.sh NAME --carry}): a run
 *       folder with its newest checkpoint and history, which {@link TrainedGenerator#load} reads like any run
 *       (a checkpoint of more than 95 MB is carried in parts, {@link SplitCheckpoint}, and joined here when shown);
 *   <li>{@link State#ABSENT}: neither.
 * </ul>
 * A run in training is shown as what it is: its step against its length and its newest evaluation, never
 * as the finished reference.
 */
public final class ReferenceStanding {

    /** The three states a reference model can be in. */
    public enum State { EXPORTED, TRAINING, ABSENT }

    /** The folder under the zoo that holds the runs in progress. */
    public static final String TRAINING_DIR = "training";
    /** Inside a carried run: the checkpoint carried in parts, joined (ignored by git). */
    public static final String JOINED_DIR = "joined";

    private final String name;
    private final State state;
    /** Where it is kept (lib/zoo/NAME or lib/zoo/training/NAME). */
    private final Path folder;
    /** The folder {@link TrainedGenerator#load} reads: {@link #folder}, or the joined copy of a run carried in parts. */
    private final Path loadable;
    private final ReferenceModel model;
    private final long step;
    private final long steps;
    private final Map<String, Double> lastScores;
    /** A run in training: whether its generator has an average and its evaluations score it. */
    private final boolean evaluatesEma;

    private ReferenceStanding(String name, State state, Path folder, Path loadable, ReferenceModel model, long step,
            long steps, Map<String, Double> lastScores, boolean evaluatesEma) {
        this.name = name;
        this.state = state;
        this.folder = folder;
        this.loadable = loadable;
        this.model = model;
        this.step = step;
        this.steps = steps;
        this.lastScores = lastScores;
        this.evaluatesEma = evaluatesEma;
    }

    /** The standing of {@code lib/zoo/NAME} in this project. */
    public static ReferenceStanding of(String name) {
        return of(ReferenceModel.zooDir(), name);
    }

    /** The standing of the reference model {@code name} in the zoo folder {@code zoo}. */
    public static ReferenceStanding of(Path zoo, String name) {
        if (name == null || name.isBlank() || name.contains("/") || name.equals(TRAINING_DIR)) {
            throw new UserError("'" + name + "' is not a reference model name (a folder name under " + zoo + ")");
        }
        Path exported = zoo.resolve(name);
        if (Files.isRegularFile(exported.resolve(ReferenceModel.WEIGHTS))) {
            ReferenceModel m = ReferenceModel.open(exported);
            long length = TrainConfig.ofRun(exported).steps;
            return new ReferenceStanding(name, State.EXPORTED, exported, exported, m, m.step(), length, Map.of(), false);
        }
        Path run = zoo.resolve(TRAINING_DIR).resolve(name);
        List<Path> checkpoints = Checkpoint.list(run.resolve("checkpoints"));
        List<Path> split = SplitCheckpoint.manifests(run.resolve("checkpoints"));
        if (checkpoints.isEmpty() && split.isEmpty()) {
            return new ReferenceStanding(name, State.ABSENT, null, null, null, 0, 0, Map.of(), false);
        }
        long whole = checkpoints.isEmpty() ? -1 : Checkpoint.stepOf(checkpoints.get(0));
        long inParts = split.isEmpty() ? -1 : SplitCheckpoint.stepOf(split.get(0));
        long at = Math.max(whole, inParts);
        TrainConfig cfg = TrainConfig.ofRun(run); // first: a carried run without its config is refused as such
        Path loadable = inParts > whole ? joined(run, split.get(0)) : run;
        String suffix = TrainingHistory.scoreSuffixOf(cfg);
        TrainingHistory history = TrainingHistory.readCsv(run.resolve(ReferenceModel.HISTORY)).withScoreSuffix(suffix);
        history.truncateAfter(at); // the carried history may run past the checkpoint
        // null decay = the default 0.999 (SamplingGenerators); 0 = no average
        boolean hasEma = cfg.emaDecay == null || cfg.emaDecay > 0;
        boolean evaluatesEma = hasEma && (cfg.eval == null || cfg.eval.ema);
        return new ReferenceStanding(name, State.TRAINING, run, loadable, null, at, cfg.steps,
                newestScores(history, headlineScoreKeys(suffix)), evaluatesEma);
    }

    /**
     * A run whose checkpoint is carried in parts ({@link SplitCheckpoint}), as a run folder that
     * {@link TrainedGenerator#load} reads: {@code NAME/joined} (not in git) with the run's config and the
     * joined checkpoint, made the first time it is asked for.
     */
    private static Path joined(Path run, Path manifest) {
        Path folder = run.resolve(JOINED_DIR);
        SplitCheckpoint.join(manifest, folder.resolve("checkpoints"));
        try {
            Files.copy(run.resolve(RunFolder.CONFIG), folder.resolve(RunFolder.CONFIG), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the config of " + run + " into " + folder, e);
        }
        return folder;
    }

    /**
     * The headline values of every registered metric as a run with this score suffix logs them
     * ({@code fid_fmnist}, {@code precision_fmnist}, {@code swd_x1e3}, ...); spreads, references and
     * per-level details are not among them.
     */
    private static Set<String> headlineScoreKeys(String suffix) {
        Set<String> keys = new HashSet<>();
        for (Metric.Column c : MetricRegistry.columns()) {
            if (c.headline()) {
                keys.add(c.featureScore() ? Metric.scoreKey(c.base(), suffix) : c.base());
            }
        }
        return keys;
    }

    /** The scores of the newest row that has any of {@code scoreKeys} (an evaluation row). */
    private static Map<String, Double> newestScores(TrainingHistory history, Set<String> scoreKeys) {
        List<Map<String, Double>> rows = history.rows();
        for (int i = rows.size() - 1; i >= 0; i--) {
            Map<String, Double> scores = new LinkedHashMap<>();
            rows.get(i).forEach((k, v) -> {
                if (scoreKeys.contains(k) && !v.isNaN()) {
                    scores.put(k, v);
                }
            });
            if (!scores.isEmpty()) {
                scores.put("step", rows.get(i).get("step"));
                return scores;
            }
        }
        return Map.of();
    }

    public String name() {
        return name;
    }

    public State state() {
        return state;
    }

    /**
     * The folder {@link TrainedGenerator#load} reads: the exported model, the carried run or, for a run
     * carried in parts, its joined copy ({@code training/NAME/joined}); empty when absent.
     */
    public Optional<Path> folder() {
        return Optional.ofNullable(loadable);
    }

    /** The exported model with its scores; empty unless {@link State#EXPORTED}. */
    public Optional<ReferenceModel> model() {
        return Optional.ofNullable(model);
    }

    /** The step of the exported checkpoint or of the carried run's newest checkpoint (0 when absent). */
    public long step() {
        return step;
    }

    /** The run's length in steps, as its config says (0 when absent). */
    public long steps() {
        return steps;
    }

    /**
     * A run in training: its newest evaluation at or before {@link #step} (the scores by column, and
     * {@code step}, the step it was measured at); empty when it has none or is not training.
     */
    public Map<String, Double> lastScores() {
        return lastScores;
    }

    /**
     * Which generator to show: the better scored one of an exported model; for a run in training, the one
     * its evaluations score: the average when it has one and {@code eval.ema} is on (the long runs' recipes
     * evaluate the average, as the ProGAN and FastGAN papers report theirs), else the raw generator.
     */
    public boolean showEma() {
        return model != null ? model.bestIsEma() : evaluatesEma;
    }

    /** One line saying where the model stands, with its score or its newest evaluation. */
    public String summary() {
        return switch (state) {
            case EXPORTED -> "reference model " + model.summary();
            case TRAINING -> String.format(Locale.ROOT, "reference model %s: still training, carried between sessions"
                    + " in %s: step %,d of %,d%s", name, shown(folder), step, steps, lastScores.isEmpty()
                    ? " (not evaluated yet)" : "; newest evaluation of its " + (evaluatesEma ? "EMA" : "raw")
                    + " generator " + scoresText());
            case ABSENT -> "reference model " + name + ": neither trained nor training in this checkout"
                    + " (environment/zoo/train-reference.sh " + name + " trains it)";
        };
    }

    /** A folder inside the project as a path from its root (lib/zoo/...), any other in full. */
    private static Path shown(Path folder) {
        Path home = ProjectHome.find();
        Path f = folder.toAbsolutePath().normalize();
        return f.startsWith(home) ? home.relativize(f) : f;
    }

    private String scoresText() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "at step %,d:", lastScores.get("step").longValue()));
        lastScores.forEach((k, v) -> {
            if (!k.equals("step")) {
                b.append(String.format(Locale.ROOT, " %s %.3g", k, v));
            }
        });
        return b.toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
