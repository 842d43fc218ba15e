package dev.ganlab.experiments;

import dev.ganlab.core.UserError;
import dev.ganlab.train.RunFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The runs under a folder (by default the {@code runs/} of the project or of a profile), as
 * {@link RunFolder#under} finds them: every folder below it that holds a {@code config.json} or a
 * sweep's {@code run-spec.json} is a run, named by its path relative to the root
 * ({@code sweeps/loss-x-reg/loss=ns,reg=sn,seed=1}). Nothing is cached: each call reads the folders
 * again, so a notebook sees runs that are still going. Adds lookup by id and the runs table.
 */
public final class RunRegistry {

    private final Path root;

    private RunRegistry(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The registry of the runs under {@code root} (which need not exist yet). */
    public static RunRegistry of(Path root) {
        return new RunRegistry(root);
    }

    public Path root() {
        return root;
    }

    /** Every run under the root, sorted by id ({@link RunFolder#under}). */
    public List<RunFolder> runs() {
        return RunFolder.under(root);
    }

    /** The run with this id; a UserError lists the ids there are. */
    public RunFolder run(String id) {
        Path dir = root.resolve(id).normalize();
        if (dir.startsWith(root) && RunFolder.isRun(dir)) {
            return RunFolder.of(dir, id);
        }
        List<String> ids = runs().stream().map(RunFolder::name).toList();
        throw new UserError("no run '" + id + "' under " + root + (ids.isEmpty() ? " (there are no runs)"
                : " (runs: " + String.join(", ", ids.size() > 20 ? ids.subList(0, 20) : ids)
                        + (ids.size() > 20 ? ", ..." : "") + ")"));
    }

    /** The history ({@code metrics.csv}) of the run with this id, as a table. */
    public Table history(String id) {
        return run(id).history();
    }

    /**
     * One row per run: id, status, steps done and asked for, what was trained (model, data, loss,
     * penalty, seed), the final evaluation values and the training time.
     */
    public Table table() {
        return table(runs(), "runs under " + root);
    }

    static Table table(List<RunFolder> runs, String name) {
        Table t = Table.create(name, StringColumn.create("run", runs.stream().map(RunFolder::name).toList()),
                StringColumn.create("status", runs.stream().map(RunFolder::status).toList()),
                LongColumn.create("step", runs.stream().mapToLong(RunFolder::step).toArray()),
                LongColumn.create("steps", runs.stream().mapToLong(RunFolder::steps).toArray()));
        for (String key : List.of("model", "data", "loss", "penalty", "seed")) {
            t.addColumns(StringColumn.create(key, runs.stream().map(r -> r.setting(key)).toList()));
        }
        for (String m : Comparison.evaluationMetricsOf(runs)) {
            t.addColumns(valueColumn(runs, m));
        }
        t.addColumns(valueColumn(runs, "seconds"));
        return t;
    }

    /** A column of one final value per run (missing where a run has none). */
    static DoubleColumn valueColumn(List<RunFolder> runs, String key) {
        DoubleColumn col = DoubleColumn.create(key);
        for (RunFolder r : runs) {
            double v = r.value(key);
            if (Double.isNaN(v)) {
                col.appendMissing();
            } else {
                col.append(v);
            }
        }
        return col;
    }
}
