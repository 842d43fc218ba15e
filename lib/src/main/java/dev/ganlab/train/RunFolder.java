package dev.ganlab.train;

import dev.ganlab.core.UserError;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.data.LoadOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A run folder as {@link GanTrainer} writes it ({@code config.json}, {@code status.json},
 * {@code metrics.csv}, {@code checkpoints/}), read back to evaluate it: what was trained on what, how
 * far it got, its history, its training images, and samples from its newest checkpoint.
 * {@link #under} finds the runs below a folder such as {@code Profile.runsDir()}, where the stage
 * notebooks write theirs.
 */
public final class RunFolder {

    /** How deep below the root runs are looked for ({@code root/notebook/group/run}). */
    public static final int MAX_DEPTH = 3;

    private final String name;
    private final Path dir;
    private final TrainConfig config;
    private final RunStatus status;
    private final long checkpointStep;
    private final String problem;

    private RunFolder(String name, Path dir) {
        this.name = name;
        this.dir = dir;
        TrainConfig cfg = null;
        String why = null;
        try {
            cfg = TrainConfig.fromJson(Files.readString(dir.resolve("config.json"))).resolved();
        } catch (IOException | RuntimeException e) {
            // One unreadable run must not hide the others: it is listed with the reason.
            why = "config.json unreadable: " + e.getMessage();
        }
        this.config = cfg;
        this.status = RunStatus.read(dir.resolve("status.json"));
        List<Path> checkpoints = Checkpoint.list(dir.resolve("checkpoints"));
        this.checkpointStep = checkpoints.isEmpty() ? -1 : Checkpoint.stepOf(checkpoints.get(0));
        if (why == null && checkpoints.isEmpty()) {
            why = "no checkpoint yet";
        }
        this.problem = why;
    }

    /** The run in {@code dir}, named by its folder name. */
    public static RunFolder of(Path dir) {
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new UserError(dir + " is not a GAN Lab run (no config.json)");
        }
        return new RunFolder(dir.getFileName().toString(), dir);
    }

    /**
     * Every folder holding a {@code config.json} below {@code root} (at most {@value #MAX_DEPTH} levels
     * down; runs do not nest), named by its path relative to the root, sorted by name. An absent root
     * gives an empty list.
     */
    public static List<RunFolder> under(Path root) {
        List<RunFolder> out = new ArrayList<>();
        if (Files.isDirectory(root)) {
            collect(root, root, 0, out);
        }
        out.sort(Comparator.comparing(RunFolder::name));
        return out;
    }

    private static void collect(Path root, Path dir, int depth, List<RunFolder> out) {
        if (depth > 0 && Files.isRegularFile(dir.resolve("config.json"))) {
            out.add(new RunFolder(root.relativize(dir).toString().replace('\\', '/'), dir));
            return;
        }
        if (depth == MAX_DEPTH) {
            return;
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.filter(Files::isDirectory).toList()) {
                collect(root, child, depth + 1, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The path below the root it was found under (its folder name for {@link #of}). */
    public String name() {
        return name;
    }

    public Path dir() {
        return dir;
    }

    /** The resolved config, or null when {@code config.json} could not be read (see {@link #problem}). */
    public TrainConfig config() {
        return config;
    }

    /** {@code status.json}, or null when there is none. */
    public RunStatus status() {
        return status;
    }

    /** The step of the newest checkpoint, or -1 when there is none. */
    public long checkpointStep() {
        return checkpointStep;
    }

    /** Why the run cannot be sampled (unreadable config, no checkpoint), or null when it can. */
    public String problem() {
        return problem;
    }

    /** Whether it has a readable config and a checkpoint to sample from. */
    public boolean usable() {
        return problem == null;
    }

    /** {@code metrics.csv} as a table named after the run (no rows when the file is missing). */
    public Table history() {
        return TrainingHistory.readCsv(dir.resolve("metrics.csv")).withScoreSuffix(TrainingHistory.scoreSuffixOf(config))
                .table(name);
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
            state.append(r.status == null ? "" : r.status.liveStatus());
            checkpoint.append(r.checkpointStep);
            eval.append(c == null || c.eval.metrics.isBlank() ? "none" : c.eval.metrics + " on " + (c.eval.n == 0 ? "auto (256-2000)" : c.eval.n)
                    + " images, " + (c.eval.every > 0 ? "every " + c.eval.every + " steps" : "at the end"));
            problem.append(r.problem == null ? "" : r.problem);
        }
        return Table.create(title, name, model, loss, data, resolution, steps, state, checkpoint, eval, problem);
    }

    /** The training images as the trainer loaded them (resolution, channels and limit of the config). */
    public ImageDataset trainingData() {
        requireConfig();
        LoadOptions opt = LoadOptions.defaults().withResolution(config.resolution).withChannels(config.channels)
                .withLimit(config.dataLimit);
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

    @Override
    public String toString() {
        String what = config == null ? "?" : config.model + " " + config.loss + " on " + config.data;
        return name + " (" + what + ", " + (status == null ? "no status" : status.liveStatus()) + ", checkpoint step "
                + checkpointStep + ")" + (problem == null ? "" : ": " + problem);
    }
}
