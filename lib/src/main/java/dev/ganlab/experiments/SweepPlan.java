package dev.ganlab.experiments;

import java.nio.file.Path;
import java.util.List;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A checked sweep expanded into its runs ({@link SweepSpec#plan()}): one {@link RunSpec} per
 * configuration and seed, the label keys that tell them apart, and what they are ranked by.
 */
public final class SweepPlan {

    private final SweepSpec spec;
    private final List<RunSpec> runs;
    private final List<String> labelKeys;
    private final Objective objective;

    SweepPlan(SweepSpec spec, List<RunSpec> runs, List<String> labelKeys, Objective objective) {
        this.spec = spec;
        this.runs = List.copyOf(runs);
        this.labelKeys = List.copyOf(labelKeys);
        this.objective = objective;
    }

    public SweepSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    /** The sweep's folder (absolute). */
    public Path out() {
        return spec.outDir();
    }

    /** The runs, seeds outermost. */
    public List<RunSpec> runs() {
        return runs;
    }

    public int size() {
        return runs.size();
    }

    /** The swept settings and variant axes, in the order run ids name them. */
    public List<String> labelKeys() {
        return labelKeys;
    }

    /** What the runs are ranked by, or null when the base config does not evaluate. */
    public Objective objective() {
        return objective;
    }

    /** One row per planned run: its id and labels. */
    public Table table() {
        Table t = Table.create("sweep " + name() + ": " + size() + " runs");
        t.addColumns(StringColumn.create("run", runs.stream().map(RunSpec::id).toList()));
        for (String k : labelKeys) {
            t.addColumns(StringColumn.create(k, runs.stream().map(r -> r.labels().getOrDefault(k, "")).toList()));
        }
        return t;
    }

    @Override
    public String toString() {
        return "SweepPlan[" + name() + ", " + size() + " runs over " + labelKeys + " -> " + out() + "]";
    }
}
