package dev.ganlab.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.UserError;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.data.LoadOptions;
import dev.ganlab.metrics.EvaluationLog;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The one view of a run folder, read once: what was trained on what (the resolved config, the sweep's
 * labels), how far it got and in what state ({@link RunStatus}), its history, its evaluations, its
 * newest checkpoint and sample grid; it can load the training images and sample the newest
 * checkpoint. The notebooks, the run registry, sweeps and {@code ganlab runs} all read runs through it.
 *
 * <p>Layout of a run folder ({@link GanTrainer} writes all but the spec):
 * <pre>
 * config.json         the resolved TrainConfig                      {@value #CONFIG}
 * status.json         state, step, heartbeat (RunStatus)            {@value #STATUS}
 * metrics.csv         one history row per log step (TrainingHistory) {@value #HISTORY}
 * evaluations.jsonl   each evaluation with its setup (EvaluationLog)
 * platforms.jsonl     each training session's start step and platform (RunPlatforms)
 * checkpoints/        step-N checkpoints, newest kept (Checkpoint)   {@value #CHECKPOINTS}
 * samples/step-N.png  sample grids (EMA generator when kept)         {@value #SAMPLES}
 * best/               the best evaluation's generators, with eval.keepBest (BestGenerator)
 * run-spec.json       a sweep's plan for the run (experiments.RunSpec) {@value #SPEC}
 * </pre>
 * A folder is a run when it holds {@code config.json} or {@code run-spec.json} (planned by a sweep,
 * not started: {@link RunStatus#PENDING}).
 */
public final class RunFolder {

    public static final String CONFIG = "config.json";
    public static final String STATUS = "status.json";
    public static final String HISTORY = "metrics.csv";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String SAMPLES = "samples";
    /** A sweep's plan of the run, written before it starts (read and written by experiments.RunSpec). */
    public static final String SPEC = "run-spec.json";

    /** How deep below the root runs are looked for (sweeps put runs two levels down). */
    public static final int MAX_DEPTH = 6;

    /** Sample grids as the trainer names them (zero-padded steps, so names sort by step). */
    private static final Pattern SAMPLE_GRID = Pattern.compile("step-\\d+\\.png");

    private final String name;
    private final Path dir;
    private final TrainConfig config;
    private final String sweep;
    private final Map<String, String> labels;
    private final RunStatus statusFile;
    private final String status;
    private final long checkpointStep;
    private final String problem;
    private final Map<String, Double> finalValues;
    private Map<String, String> settings;

    private RunFolder(String name, Path dir) {
        this.name = name;
        this.dir = dir.toAbsolutePath().normalize();
        String why = null;
        TrainConfig cfg = null;
        JsonObject spec = Files.isRegularFile(this.dir.resolve(SPEC)) ? readSpecOrNull(this.dir.resolve(SPEC)) : null;
        if (Files.isRegularFile(this.dir.resolve(CONFIG))) {
            try {
                cfg = TrainConfig.ofRun(this.dir).resolved(); // as stored, with what an older run's file lacks
            } catch (RuntimeException e) {
                // One unreadable run must not hide the others: it is listed with the reason.
                why = "config.json unreadable: " + e.getMessage();
            }
        } else if (spec != null && spec.has("config")) {
            cfg = resolvedOrNull(spec.get("config").toString()); // not started yet: what it will run
            why = "not started";
        }
        this.config = cfg;
        this.sweep = spec != null && spec.has("sweep") ? spec.get("sweep").getAsString() : "";
        Map<String, String> l = new LinkedHashMap<>();
        if (spec != null && spec.has("labels") && spec.get("labels").isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : spec.getAsJsonObject("labels").entrySet()) {
                l.put(e.getKey(), e.getValue().getAsString());
            }
        }
        this.labels = Collections.unmodifiableMap(l);
        this.statusFile = RunStatus.read(this.dir.resolve(STATUS));
        // An exported reference model has a config and generator weights but no status or checkpoints:
        // it is a finished generator that loads and samples like a run, not a run waiting to start.
        boolean exported = statusFile == null && cfg != null && ReferenceModel.isReferenceFolder(this.dir)
                && Files.isRegularFile(this.dir.resolve(ReferenceModel.WEIGHTS));
        this.status = exported ? RunStatus.EXPORTED
                : statusFile == null || statusFile.status == null ? RunStatus.PENDING : statusFile.liveStatus();
        List<Path> checkpoints = Checkpoint.list(this.dir.resolve(CHECKPOINTS));
        long step = checkpoints.isEmpty() ? -1 : Checkpoint.stepOf(checkpoints.get(0));
        if (exported) {
            try {
                step = ReferenceModel.open(this.dir).step(); // the step its weights were exported at
            } catch (RuntimeException e) {
                if (why == null) {
                    why = e.getMessage(); // listed with the reason, like an unreadable run
                }
            }
        } else if (why == null && checkpoints.isEmpty()) {
            why = "no checkpoint yet";
        }
        this.checkpointStep = step;
        this.problem = why;
        this.finalValues = Collections.unmodifiableMap(lastRow());
    }

    /** Whether {@code dir} is a run folder (a config, or a sweep's run spec). */
    public static boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG)) || Files.isRegularFile(dir.resolve(SPEC));
    }

    /** The run in {@code dir}, named by its folder name. */
    public static RunFolder of(Path dir) {
        return of(dir, dir.toAbsolutePath().normalize().getFileName().toString());
    }

    /**
     * The run in {@code dir}, named {@code name} (its path below a registry's root).
     *
     * @throws UserError when the folder holds neither a config nor a run spec
     */
    public static RunFolder of(Path dir, String name) {
        if (!isRun(dir)) {
            throw new UserError(dir + " is not a GAN Lab run (no " + CONFIG + " or " + SPEC + ")");
        }
        return new RunFolder(name, dir);
    }

    /**
     * What {@code dir} says about the run named {@code name}, whatever it holds: a folder a sweep has
     * planned but not written yet reads as {@link RunStatus#PENDING} with no config. For code that owns
     * the folder (sweeps, executors); {@link #of(Path)} checks that the folder is a run.
     */
    public static RunFolder read(Path dir, String name) {
        return new RunFolder(name, dir);
    }

    /**
     * Every run folder below {@code root} (at most {@value #MAX_DEPTH} levels down; runs do not nest;
     * folders whose names start with a dot are skipped), named by its path relative to the root with
     * {@code /} separators, sorted by name. The root itself counts when it is a run. An absent root
     * gives an empty list. Nothing is cached: each call reads the folders again.
     */
    public static List<RunFolder> under(Path root) {
        Path r = root.toAbsolutePath().normalize();
        List<RunFolder> out = new ArrayList<>();
        if (Files.isDirectory(r)) {
            collect(r, r, 0, out);
        }
        out.sort(Comparator.comparing(RunFolder::name));
        return out;
    }

    private static void collect(Path root, Path dir, int depth, List<RunFolder> out) {
        if (isRun(dir)) {
            String name = dir.equals(root) ? dir.getFileName().toString()
                    : root.relativize(dir).toString().replace('\\', '/');
            out.add(new RunFolder(name, dir));
            return; // a run's own sub-folders (samples, checkpoints) hold no runs
        }
        if (depth >= MAX_DEPTH) {
            return;
        }
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        for (Path c : children) {
            collect(root, c, depth + 1, out);
        }
    }

    private static JsonObject readSpecOrNull(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static TrainConfig resolvedOrNull(String json) {
        try {
            return TrainConfig.fromJson(json).resolved();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The last history row: column to value, missing values left out. */
    private Map<String, Double> lastRow() {
        Map<String, Double> row = new LinkedHashMap<>();
        if (!Files.isRegularFile(dir.resolve(HISTORY))) {
            return row;
        }
        Table t;
        try {
            t = history();
        } catch (UserError e) {
            return row;
        }
        int last = t.rowCount() - 1;
        for (String c : last < 0 ? List.<String>of() : t.columnNames()) {
            NumericColumn<?> col = t.numberColumn(c);
            if (!col.isMissing(last)) {
                row.put(c, col.getDouble(last));
            }
        }
        return row;
    }

    // ---- What the folder says --------------------------------------------------------------------

    /** The path below the root it was found under (its folder name for {@link #of(Path)}). */
    public String name() {
        return name;
    }

    public Path dir() {
        return dir;
    }

    /**
     * The resolved config ({@code config.json}, or the sweep's plan for a run not started yet), or null
     * when none can be read (see {@link #problem}).
     */
    public TrainConfig config() {
        return config;
    }

    /** The sweep that planned the run, or "". */
    public String sweep() {
        return sweep;
    }

    /** The sweep's labels of the run (swept setting or variant axis to value); empty outside sweeps. */
    public Map<String, String> labels() {
        return labels;
    }

    /**
     * One of {@link RunStatus#STATUSES}: the word in {@code status.json}, except {@link RunStatus#CRASHED}
     * for a running run whose process is gone ({@link RunStatus#liveStatus}), {@link RunStatus#EXPORTED} for a
     * reference model folder and {@link RunStatus#PENDING} when there is no status yet.
     */
    public String status() {
        return status;
    }

    /** {@code status.json} as written (pid, host, heartbeat), or null when there is none. */
    public RunStatus statusFile() {
        return statusFile;
    }

    /** Whether the run has ended for good: finished or diverged (a sweep does not run it again). */
    public boolean isDone() {
        return status.equals(RunStatus.FINISHED) || status.equals(RunStatus.DIVERGED);
    }

    /** Steps completed (as of the last status, else an export's step, else the last history row). */
    public long step() {
        if (statusFile != null) {
            return statusFile.step;
        }
        return status.equals(RunStatus.EXPORTED) && checkpointStep >= 0 ? checkpointStep
                : finalValues.getOrDefault("step", 0.0).longValue();
    }

    /** Steps the run was asked for. */
    public long steps() {
        return statusFile != null && statusFile.steps > 0 ? statusFile.steps : config != null ? config.steps : 0;
    }

    /** Why the run stopped (divergence, failure), or "". */
    public String message() {
        return statusFile == null || statusFile.message == null ? "" : statusFile.message;
    }

    /** When the status was last written (ISO-8601), or null. */
    public String updated() {
        return statusFile == null ? null : statusFile.updated;
    }

    /** The step of the newest checkpoint (of the exported weights, for a reference model), or -1 when there is none. */
    public long checkpointStep() {
        return checkpointStep;
    }

    /** Why the run cannot be sampled (unreadable config, not started, no checkpoint), or null when it can. */
    public String problem() {
        return problem;
    }

    /** Whether it has a readable config and a checkpoint to sample from. */
    public boolean usable() {
        return problem == null;
    }

    /**
     * The run's settings as dotted keys ({@code optD.lr}) to their values as text (strings unquoted);
     * empty when the config cannot be read.
     */
    public synchronized Map<String, String> settings() {
        if (settings == null) {
            settings = Collections.unmodifiableMap(flatten(config));
        }
        return settings;
    }

    /** One setting's value as text ({@code setting("optD.lr")}), or "" when the run has none. */
    public String setting(String key) {
        return settings().getOrDefault(key, "");
    }

    /** A config as dotted keys to values (strings without quotes, other values as JSON). */
    public static Map<String, String> flatten(TrainConfig cfg) {
        Map<String, String> out = new LinkedHashMap<>();
        if (cfg != null) {
            flatten("", JsonParser.parseString(cfg.toJson()).getAsJsonObject(), out);
        }
        return out;
    }

    private static void flatten(String prefix, JsonObject o, Map<String, String> out) {
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            String key = prefix + e.getKey();
            JsonElement v = e.getValue();
            if (v.isJsonObject()) {
                flatten(key + ".", v.getAsJsonObject(), out);
            } else if (v.isJsonPrimitive()) {
                out.put(key, v.getAsString());
            } else if (!v.isJsonNull()) {
                out.put(key, v.toString());
            }
        }
    }

    // ---- History, evaluations, samples ----------------------------------------------------------

    /**
     * {@code metrics.csv} as a table named after the run (no rows when the file is missing). Columns of
     * a run written before score names carried the feature network ({@code fid} from the Fashion-MNIST
     * network) are read under today's names ({@code fid_fmnist}).
     */
    public Table history() {
        return TrainingHistory.readCsv(dir.resolve(HISTORY)).withScoreSuffix(TrainingHistory.scoreSuffixOf(config))
                .table(name);
    }

    /** The last history row: column to value (missing values left out). */
    public Map<String, Double> finalValues() {
        return finalValues;
    }

    /** A final value, or NaN when the last row has none (no evaluation, diverged). */
    public double value(String key) {
        return finalValues.getOrDefault(key, Double.NaN);
    }

    /**
     * The logged values of one column against the step, only at the rows that have it: evaluation
     * columns ({@code fid}, {@code swd_x1e3}, ...) are filled every {@code eval.every} steps only.
     * Empty when the run never logged the column.
     */
    public Curve curve(String column) {
        Table h = history();
        if (!h.columnNames().contains(column)) {
            return new Curve(column, new double[0], new double[0]);
        }
        Table present = h.where(h.doubleColumn(column).isNotMissing());
        return new Curve(column, present.doubleColumn("step").asDoubleArray(),
                present.doubleColumn(column).asDoubleArray());
    }

    /**
     * A column of the history against the step.
     *
     * @param column the column's name
     * @param steps the steps of the rows that have a value
     * @param values the values
     */
    public record Curve(String column, double[] steps, double[] values) {
        public boolean isEmpty() {
            return steps.length == 0;
        }
    }

    /**
     * The run's evaluations with the setup each was measured with ({@code evaluations.jsonl}), oldest
     * first; empty for a run that never evaluated or was written before that file existed.
     */
    public List<EvaluationLog.Entry> evaluations() {
        return EvaluationLog.read(dir.resolve(EvaluationLog.FILE));
    }

    /**
     * The newest sample grid the run wrote ({@code samples/step-N.png}: the EMA generator's when the
     * run keeps one), or null when it has written none yet.
     */
    public BufferedImage latestSamples() {
        Path samples = dir.resolve(SAMPLES);
        if (!Files.isDirectory(samples)) {
            return null;
        }
        Path newest;
        try (Stream<Path> s = Files.list(samples)) {
            newest = s.filter(p -> SAMPLE_GRID.matcher(p.getFileName().toString()).matches()).max(Path::compareTo)
                    .orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + samples, e);
        }
        if (newest == null) {
            return null;
        }
        try {
            return ImageIO.read(newest.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + newest, e);
        }
    }

    /** The training images as the trainer loaded them (resolution, channels and limit of the config). */
    public ImageDataset trainingData() {
        requireConfig();
        LoadOptions opt = LoadOptions.defaults().withResolution(config.resolution).withChannels(config.channels)
                .withLimit(config.dataLimit).withStorage(dev.ganlab.data.DataStorage.parse(config.dataStorage));
        return Datasets.load(config.data, opt);
    }

    /**
     * {@code n} images from the newest checkpoint's generator (the EMA generator when the run scores
     * that one, {@code eval.ema}), from latents drawn with {@code seed}.
     *
     * @throws UserError when the run has no readable checkpoint
     */
    public ImageDataset sample(int n, long seed) {
        requireConfig();
        try (TrainedGenerator g = TrainedGenerator.load(dir)) {
            return g.sample(n, config.eval.ema, seed);
        }
    }

    private void requireConfig() {
        if (config == null) {
            throw new UserError("run " + name + ": " + problem);
        }
    }

    /**
     * One row per run: its name, model, loss, data, resolution, steps asked for, status, newest
     * checkpoint, evaluation setup ({@code eval.metrics} every {@code eval.every} steps on
     * {@code eval.n} images) and what keeps it from being sampled.
     */
    public static Table overview(String title, List<RunFolder> runs) {
        StringColumn name = StringColumn.create("run");
        StringColumn model = StringColumn.create("model");
        StringColumn loss = StringColumn.create("loss");
        StringColumn data = StringColumn.create("data");
        IntColumn resolution = IntColumn.create("resolution");
        IntColumn steps = IntColumn.create("steps");
        StringColumn state = StringColumn.create("status");
        LongColumn checkpoint = LongColumn.create("checkpoint step");
        StringColumn eval = StringColumn.create("in-run evaluation");
        StringColumn problem = StringColumn.create("problem");
        for (RunFolder r : runs) {
            TrainConfig c = r.config;
            name.append(r.name);
            model.append(c == null ? "" : c.model);
            loss.append(c == null ? "" : c.loss);
            data.append(c == null ? "" : c.data);
            if (c == null || c.resolution == null) {
                resolution.appendMissing();
            } else {
                resolution.append(c.resolution);
            }
            if (c == null) {
                steps.appendMissing();
            } else {
                steps.append(c.steps);
            }
            state.append(r.status);
            checkpoint.append(r.checkpointStep);
            eval.append(c == null || c.eval.metrics.isBlank() ? "none" : c.eval.metrics + " on " + (c.eval.n == 0 ? "auto (256-2000)" : c.eval.n)
                    + " images, " + (c.eval.every > 0 ? "every " + c.eval.every + " steps" : "at the end"));
            problem.append(r.problem == null ? "" : r.problem);
        }
        return Table.create(title, name, model, loss, data, resolution, steps, state, checkpoint, eval, problem);
    }

    @Override
    public String toString() {
        String what = config == null ? "?" : config.model + " " + config.loss + " on " + config.data;
        return name + " (" + what + ", " + status + ", step " + step() + "/" + steps() + ", checkpoint step "
                + checkpointStep + ")" + (problem == null ? "" : ": " + problem);
    }
}
