package dev.ganlab.experiments;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.UserError;
import dev.ganlab.metrics.EvaluationLog;
import dev.ganlab.train.RunStatus;
import dev.ganlab.train.TrainConfig;
import dev.ganlab.train.TrainingHistory;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;

/**
 * What a run folder says about its run, read once: the resolved config, the sweep labels (when a sweep
 * planned it), the status, the last step and the final values (the last row of {@code metrics.csv}:
 * losses, and the evaluation's FID/KID/... when the run scored itself at the end).
 *
 * <p>Status is one of {@link #STATUSES}. A status file that says running is believed only while its
 * process can be alive (see {@link RunStatus#liveStatus}); otherwise the run {@code crashed} (killed
 * by the OOM killer or kill -9, machine restarted) and resuming it continues from its last checkpoint.
 * {@code interrupted} is a run that was stopped and checkpointed cleanly. A folder a sweep planned but
 * never started is {@code pending}; {@code failed} means its worker ended with an error (the message
 * says which).
 */
public final class RunInfo {

    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String FINISHED = "finished";
    public static final String DIVERGED = "diverged";
    public static final String INTERRUPTED = "interrupted";
    public static final String FAILED = "failed";
    public static final String CRASHED = RunStatus.CRASHED;
    /** Every status a run can be in. */
    public static final List<String> STATUSES = List.of(PENDING, RUNNING, FINISHED, DIVERGED, INTERRUPTED, CRASHED,
            FAILED);

    /** Sample grids as the trainer names them (zero-padded steps, so names sort by step). */
    private static final Pattern SAMPLE_GRID = Pattern.compile("step-\\d+\\.png");

    private final String id;
    private final Path dir;
    private final TrainConfig config;
    private final String sweep;
    private final Map<String, String> labels;
    private final String status;
    private final long step;
    private final long steps;
    private final String message;
    private final String updated;
    private final Map<String, Double> finalValues;
    private Map<String, String> settings;

    private RunInfo(String id, Path dir, TrainConfig config, String sweep, Map<String, String> labels, String status,
            long step, long steps, String message, String updated, Map<String, Double> finalValues) {
        this.id = id;
        this.dir = dir;
        this.config = config;
        this.sweep = sweep;
        this.labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        this.status = status;
        this.step = step;
        this.steps = steps;
        this.message = message == null ? "" : message;
        this.updated = updated;
        this.finalValues = Collections.unmodifiableMap(finalValues);
    }

    /** Whether {@code dir} looks like a run folder (a config or a sweep's run spec). */
    public static boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json")) || Files.isRegularFile(dir.resolve(RunSpec.FILE));
    }

    /** Reads the run in {@code dir}, naming it {@code id}. */
    public static RunInfo read(Path dir, String id) {
        Path d = dir.toAbsolutePath().normalize();
        RunSpec spec = Files.isRegularFile(d.resolve(RunSpec.FILE)) ? readSpecOrNull(d.resolve(RunSpec.FILE)) : null;
        TrainConfig config = readConfigOrNull(d.resolve("config.json"));
        if (config == null && spec != null) {
            config = resolvedOrNull(spec.config()); // not started yet: show what it will run
        }
        RunStatus st = RunStatus.read(d.resolve("status.json"));
        String status = interpret(st);
        Map<String, Double> last = lastRow(d.resolve("metrics.csv"), TrainingHistory.scoreSuffixOf(config));
        long step = st != null ? st.step : last.getOrDefault("step", 0.0).longValue();
        long steps = st != null && st.steps > 0 ? st.steps : config != null ? config.steps : 0;
        return new RunInfo(id, d, config, spec != null ? spec.sweep() : "", spec != null ? spec.labels() : Map.of(),
                status, step, steps, st != null ? st.message : "", st != null ? st.updated : null, last);
    }

    /**
     * The status a status file stands for: its own word, except that "running" whose process is gone
     * means crashed, and no file at all means the run has not started (pending).
     */
    static String interpret(RunStatus st) {
        if (st == null || st.status == null) {
            return PENDING;
        }
        return st.liveStatus();
    }

    private static RunSpec readSpecOrNull(Path file) {
        try {
            return RunSpec.read(file);
        } catch (UserError | java.io.UncheckedIOException e) {
            return null;
        }
    }

    private static TrainConfig resolvedOrNull(TrainConfig c) {
        try {
            return c.resolved();
        } catch (UserError e) {
            return null;
        }
    }

    private static TrainConfig readConfigOrNull(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return TrainConfig.fromJson(Files.readString(file));
        } catch (IOException | UserError e) {
            return null;
        }
    }

    /** The last row of a metrics file (values present in it), or an empty map. */
    private static Map<String, Double> lastRow(Path metricsCsv, String scoreSuffix) {
        Map<String, Double> row = new LinkedHashMap<>();
        if (!Files.isRegularFile(metricsCsv)) {
            return row;
        }
        Table t;
        try {
            t = TrainingHistory.readCsv(metricsCsv).withScoreSuffix(scoreSuffix).table("last");
        } catch (UserError e) {
            return row;
        }
        int last = t.rowCount() - 1;
        if (last < 0) {
            return row;
        }
        for (String c : t.columnNames()) {
            NumericColumn<?> col = t.numberColumn(c);
            if (!col.isMissing(last)) {
                row.put(c, col.getDouble(last));
            }
        }
        return row;
    }

    /** The run's name: its folder relative to the registry's root. */
    public String id() {
        return id;
    }

    public Path dir() {
        return dir;
    }

    /** The run's resolved config, or null when its folder holds none that can be read. */
    public TrainConfig config() {
        return config;
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
    static Map<String, String> flatten(TrainConfig cfg) {
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

    /** The sweep that planned the run, or "". */
    public String sweep() {
        return sweep;
    }

    /** The sweep's labels of the run (swept setting or variant axis to value); empty outside sweeps. */
    public Map<String, String> labels() {
        return labels;
    }

    /** pending, running, finished, diverged, interrupted or failed. */
    public String status() {
        return status;
    }

    /** Whether the run has ended for good: finished or diverged (a sweep does not run it again). */
    public boolean isDone() {
        return status.equals(FINISHED) || status.equals(DIVERGED);
    }

    /** Steps completed (as of the last status or history row). */
    public long step() {
        return step;
    }

    /** Steps the run was asked for. */
    public long steps() {
        return steps;
    }

    /** Why the run stopped (divergence, failure), or "". */
    public String message() {
        return message;
    }

    /** When the status was last written (ISO-8601), or null. */
    public String updated() {
        return updated;
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
     * The newest sample grid the run wrote ({@code samples/step-N.png}: the EMA generator's when the
     * run keeps one), or null when it has written none yet.
     */
    public BufferedImage latestSamples() {
        Path samples = dir.resolve("samples");
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

    /**
     * The run's evaluations with the setup each was measured with ({@code evaluations.jsonl}), oldest
     * first; empty for a run that never evaluated or was written before that file existed.
     */
    public List<EvaluationLog.Entry> evaluations() {
        return EvaluationLog.read(dir.resolve(EvaluationLog.FILE));
    }

    /**
     * The run's full history ({@code metrics.csv}) as a table named by the run's id. Columns of a run
     * written before score names carried the feature network ({@code fid} from the Fashion-MNIST
     * network) are read under today's names ({@code fid_fmnist}).
     */
    public Table history() {
        return TrainingHistory.readCsv(dir.resolve("metrics.csv"))
                .withScoreSuffix(TrainingHistory.scoreSuffixOf(config)).table(id);
    }

    @Override
    public String toString() {
        return id + " [" + status + ", step " + step + "/" + steps + "]";
    }
}
