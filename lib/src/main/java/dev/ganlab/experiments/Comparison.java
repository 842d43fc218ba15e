package dev.ganlab.experiments;

import dev.ganlab.core.UserError;
import dev.ganlab.metrics.EvaluationLog;
import dev.ganlab.metrics.SetupColumns;
import dev.ganlab.train.RunFolder;
import dev.ganlab.train.RunStatus;
import dev.ganlab.train.TrainConfig;
import dev.ganlab.viz.Plots;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

/**
 * Runs side by side: what differs between their configs, how they ended, and how a metric spreads
 * over seeds. One call gives the table; the figures show a metric against the step per run, and a
 * final metric per cell (a configuration, all its seeds) or against one swept setting.
 *
 * <p>A <b>cell</b> is a configuration without its seed: the sweep's labels other than {@code seed}
 * for runs a sweep planned, else the differing settings other than {@code seed}. Several seeds of one
 * cell show how much of a difference between cells is luck ("Are GANs Created Equal?", Lucic et al.,
 * 2018, found most of the gaps between losses within the spread over seeds and tuning).
 */
public final class Comparison {

    private final List<RunFolder> runs;
    private final List<String> differing;
    private final List<String> axes;
    private Objective objective;
    private List<String> metrics;

    private Comparison(List<RunFolder> runs) {
        this.runs = List.copyOf(runs);
        Set<String> keys = new LinkedHashSet<>();
        this.runs.forEach(r -> keys.addAll(r.settings().keySet()));
        List<String> diff = new ArrayList<>();
        for (String k : keys) {
            Set<String> values = new LinkedHashSet<>();
            for (RunFolder r : this.runs) {
                values.add(r.setting(k));
            }
            if (values.size() > 1) {
                diff.add(k);
            }
        }
        this.differing = List.copyOf(diff);
        Set<String> labelKeys = new LinkedHashSet<>();
        for (RunFolder r : this.runs) {
            for (String k : r.labels().keySet()) {
                if (!keys.contains(k)) {
                    labelKeys.add(k); // a variant axis: not a setting, only a sweep's name for a bundle
                }
            }
        }
        this.axes = List.copyOf(labelKeys);
        this.metrics = evaluationMetricsOf(this.runs);
        this.objective = defaultObjective();
    }

    /**
     * What the runs' configs say they are scored by when the runs have that value, else the first
     * evaluation metric they have whose direction is known, else none.
     */
    private Objective defaultObjective() {
        TrainConfig first = runs.stream().map(RunFolder::config).filter(c -> c != null).findFirst().orElse(null);
        Objective own = first == null ? null : Objective.auto(first);
        if (own != null && metrics.contains(own.metric())) {
            return own;
        }
        for (String m : metrics) {
            Boolean lower = Objective.evaluationKeys().get(Objective.baseOf(m));
            if (lower != null) {
                return new Objective(m, lower);
            }
        }
        return null;
    }

    /** A comparison of these runs, in this order. */
    public static Comparison of(Collection<RunFolder> runs) {
        return new Comparison(new ArrayList<>(runs));
    }

    /** A comparison of every run under a folder (a sweep's, or a whole runs/ folder). */
    public static Comparison of(Path folder) {
        return of(RunRegistry.of(folder).runs());
    }

    /** Ranks by this objective ({@code fid}, {@code max:is}); by default the runs' own evaluation metric. */
    public Comparison rankBy(String objective) {
        return rankBy(Objective.parse(objective));
    }

    /** Ranks by this objective; null keeps the runs' order. */
    public Comparison rankBy(Objective o) {
        this.objective = o;
        if (o != null && !metrics.contains(o.metric())) {
            List<String> m = new ArrayList<>(metrics);
            m.add(0, o.metric()); // the number runs are ranked by is always shown
            metrics = List.copyOf(m);
        }
        return this;
    }

    /** The final values shown per run (by default the evaluation metrics the runs have). */
    public Comparison metrics(String... keys) {
        this.metrics = List.of(keys);
        return this;
    }

    public List<RunFolder> runs() {
        return runs;
    }

    /** Settings (dotted keys of the resolved configs) whose value is not the same in every run. */
    public List<String> differingKeys() {
        return differing;
    }

    /** The final values the table shows. */
    public List<String> metrics() {
        return metrics;
    }

    public Objective objective() {
        return objective;
    }

    /**
     * One row per run: id, status, step, the variant axes of a sweep, every differing setting, the
     * final metrics and the training time; best first with a rank column when there is an objective.
     */
    public Table table() {
        List<RunFolder> ordered = ranked();
        Table t = Table.create(objective == null ? "runs" : "runs ranked by " + objective);
        if (objective != null) {
            IntColumn rank = IntColumn.create("rank");
            for (int i = 0; i < ordered.size(); i++) {
                if (Double.isNaN(ordered.get(i).value(objective.metric()))) {
                    rank.appendMissing();
                } else {
                    rank.append(i + 1);
                }
            }
            t.addColumns(rank);
        }
        t.addColumns(StringColumn.create("run", ordered.stream().map(RunFolder::name).toList()),
                StringColumn.create("status", ordered.stream().map(RunFolder::status).toList()),
                LongColumn.create("step", ordered.stream().mapToLong(RunFolder::step).toArray()));
        for (String a : axes) {
            t.addColumns(StringColumn.create(a, ordered.stream().map(r -> r.labels().getOrDefault(a, "")).toList()));
        }
        for (String k : differing) {
            t.addColumns(StringColumn.create(k, ordered.stream().map(r -> r.setting(k)).toList()));
        }
        for (String m : metrics) {
            t.addColumns(RunRegistry.valueColumn(ordered, m));
        }
        if (!metrics.isEmpty()) {
            addEvaluationSetup(t, ordered);
        }
        t.addColumns(RunRegistry.valueColumn(ordered, "seconds"));
        return t;
    }

    /** The runs best first by the objective (runs without its value last), or as given without one. */
    public List<RunFolder> ranked() {
        List<RunFolder> out = new ArrayList<>(runs);
        if (objective != null) {
            out.sort(objective.comparator());
        }
        return out;
    }

    /** The best run by the objective; a UserError when there is no objective or no run has its value. */
    public RunFolder best() {
        if (objective == null) {
            throw new UserError("no objective to rank by: the runs have no evaluation metric (set eval.metrics) or"
                    + " call rankBy(\"min:<column>\")");
        }
        RunFolder b = ranked().isEmpty() ? null : ranked().get(0);
        if (b == null || Double.isNaN(b.value(objective.metric()))) {
            String m = objective.metric();
            List<String> named = metrics.stream().filter(k -> k.startsWith(m + "_") && Objective.baseOf(k).equals(m))
                    .toList();
            throw new UserError("no run has a final '" + m + "'" + (named.isEmpty() ? ""
                    : "; scores from a feature network other than Inception-v3 carry its name: " + named));
        }
        return b;
    }

    // ---- Cells and spread ---------------------------------------------------------------------------

    /** The run's cell: its configuration without the seed, as "key=value, ...". */
    public String cell(RunFolder run) {
        List<String> parts = new ArrayList<>();
        if (!run.labels().isEmpty()) {
            run.labels().forEach((k, v) -> {
                if (!k.equals("seed")) {
                    parts.add(k + "=" + v);
                }
            });
        } else {
            for (String k : differing) {
                if (!k.equals("seed")) {
                    parts.add(k + "=" + run.setting(k));
                }
            }
        }
        return parts.isEmpty() ? "all runs" : String.join(", ", parts);
    }

    /** Cells in order of first appearance, each with its runs. */
    public Map<String, List<RunFolder>> cells() {
        Map<String, List<RunFolder>> out = new LinkedHashMap<>();
        for (RunFolder r : runs) {
            out.computeIfAbsent(cell(r), k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    /**
     * A metric's spread per cell: runs, how many have the value, how many diverged, mean, standard
     * deviation (over seeds, n - 1), min, max and the best run.
     */
    public Table spread(String metric) {
        StringColumn cell = StringColumn.create("cell");
        IntColumn n = IntColumn.create("runs");
        IntColumn scored = IntColumn.create("scored");
        IntColumn diverged = IntColumn.create("diverged");
        DoubleColumn mean = DoubleColumn.create("mean");
        DoubleColumn std = DoubleColumn.create("std");
        DoubleColumn min = DoubleColumn.create("min");
        DoubleColumn max = DoubleColumn.create("max");
        StringColumn best = StringColumn.create("best run");
        boolean lower = lowerIsBetter(metric);
        for (Map.Entry<String, List<RunFolder>> e : cells().entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(r -> r.value(metric)).filter(d -> !Double.isNaN(d))
                    .toArray();
            cell.append(e.getKey());
            n.append(e.getValue().size());
            scored.append(v.length);
            diverged.append((int) e.getValue().stream().filter(r -> r.status().equals(RunStatus.DIVERGED)).count());
            SeedSpread s = SeedSpread.of(v);
            appendOrMissing(mean, s.mean());
            appendOrMissing(std, s.std());
            appendOrMissing(min, s.min());
            appendOrMissing(max, s.max());
            RunFolder b = null;
            for (RunFolder r : e.getValue()) {
                double x = r.value(metric);
                if (!Double.isNaN(x) && (b == null || (lower ? x < b.value(metric) : x > b.value(metric)))) {
                    b = r;
                }
            }
            best.append(b == null ? "" : b.name());
        }
        return Table.create(metric + " per cell (spread over seeds)", cell, n, scored, diverged, mean, std, min, max,
                best);
    }

    /**
     * Which cell would have looked best had every cell been trained once, with one seed: per seed, the
     * cell of the best run among that seed's runs, and its value. When the winner changes from seed to
     * seed, a comparison of single runs says more about the seed than about the cells.
     */
    public Table winnerPerSeed(String metric) {
        boolean lower = lowerIsBetter(metric);
        Map<String, RunFolder> best = new LinkedHashMap<>();
        for (RunFolder r : runs) {
            String seed = r.labels().getOrDefault("seed", r.setting("seed"));
            double v = r.value(metric);
            RunFolder b = best.get(seed);
            if (!Double.isNaN(v) && (b == null || (lower ? v < b.value(metric) : v > b.value(metric)))) {
                best.put(seed, r);
            }
        }
        StringColumn seed = StringColumn.create("seed", best.keySet());
        StringColumn cell = StringColumn.create("best cell", best.values().stream().map(this::cell).toList());
        DoubleColumn value = DoubleColumn.create(metric, best.values().stream().mapToDouble(r -> r.value(metric)));
        return Table.create("the best cell by " + metric + " if each cell had run once, with one seed", seed, cell,
                value);
    }

    private boolean lowerIsBetter(String metric) {
        if (objective != null && objective.metric().equals(metric)) {
            return objective.lowerIsBetter();
        }
        Boolean b = Objective.evaluationKeys().get(Objective.baseOf(metric));
        return b == null || b;
    }

    private static void appendOrMissing(DoubleColumn c, double v) {
        if (Double.isNaN(v)) {
            c.appendMissing();
        } else {
            c.append(v);
        }
    }

    // ---- Figures ------------------------------------------------------------------------------------

    /** A metric against the training step, one line per run, one colour per cell. */
    public Figure curves(String metric) {
        List<Plots.Series> series = new ArrayList<>();
        Map<String, String> colours = new LinkedHashMap<>();
        for (RunFolder r : runs) {
            Table h = r.history();
            if (!h.columnNames().contains(metric)) {
                continue;
            }
            String cell = cell(r);
            String colour = colours.computeIfAbsent(cell,
                    c -> Plots.PALETTE.get(colours.size() % Plots.PALETTE.size()));
            series.add(new Plots.Series(r.name(), Plots.column(h, "step"), Plots.column(h, metric), colour, cell));
        }
        if (series.isEmpty()) {
            throw new UserError("no run has a '" + metric + "' column in its history (columns of the first: "
                    + (runs.isEmpty() ? "none" : String.join(", ", runs.get(0).history().columnNames())) + ")");
        }
        return Plots.lines(metric + " during training", "step", metric, series, false);
    }

    /** The final metric per cell: every seed as a point, the mean with one standard deviation either side. */
    public Figure spreadPlot(String metric) {
        Map<String, List<RunFolder>> cells = cells();
        List<double[]> values = new ArrayList<>();
        List<String[]> labels = new ArrayList<>();
        for (List<RunFolder> rs : cells.values()) {
            values.add(rs.stream().mapToDouble(r -> r.value(metric)).toArray());
            labels.add(rs.stream().map(RunFolder::name).toArray(String[]::new));
        }
        return Plots.spread("final " + metric + " per cell: each point a seed, mean ± std", "", metric,
                new ArrayList<>(cells.keySet()), null, values, labels, false);
    }

    /**
     * The final metric against one setting or sweep label ({@code optD.lr}, {@code loss}, a variant
     * axis): a numeric axis (log scale when the values span more than a factor of 20) when every value
     * is a number, else one group per value.
     */
    public Figure versus(String key, String metric) {
        Map<String, List<RunFolder>> groups = new LinkedHashMap<>();
        for (RunFolder r : runs) {
            String v = r.labels().containsKey(key) ? r.labels().get(key) : r.setting(key);
            groups.computeIfAbsent(v, x -> new ArrayList<>()).add(r);
        }
        if (groups.size() == 1 && groups.containsKey("")) {
            throw new UserError("no run has a setting or label '" + key + "' (differing settings: "
                    + String.join(", ", differing) + ")");
        }
        List<String> names = new ArrayList<>(groups.keySet());
        double[] positions = new double[names.size()];
        boolean numeric = true;
        for (int i = 0; i < names.size() && numeric; i++) {
            try {
                positions[i] = Double.parseDouble(names.get(i));
            } catch (NumberFormatException e) {
                numeric = false;
            }
        }
        boolean log = false;
        if (numeric) {
            double lo = java.util.Arrays.stream(positions).min().orElse(0);
            double hi = java.util.Arrays.stream(positions).max().orElse(0);
            log = lo > 0 && hi / lo > 20;
        }
        List<double[]> values = new ArrayList<>();
        List<String[]> labels = new ArrayList<>();
        for (List<RunFolder> rs : groups.values()) {
            values.add(rs.stream().mapToDouble(r -> r.value(metric)).toArray());
            labels.add(rs.stream().map(RunFolder::name).toArray(String[]::new));
        }
        return Plots.spread("final " + metric + " vs " + key, key, metric, names, numeric ? positions : null, values,
                labels, log);
    }

    // ---- Helpers ------------------------------------------------------------------------------------

    /**
     * The setup of each run's last evaluation beside its scores ({@code eval features}, {@code eval
     * sha256}, {@code eval fake n}; empty for runs without {@code evaluations.jsonl}): scores measured
     * with different feature networks or counts are not comparable, and the table shows it.
     */
    private static void addEvaluationSetup(Table t, List<RunFolder> ordered) {
        SetupColumns setup = new SetupColumns("eval ");
        for (RunFolder r : ordered) {
            List<EvaluationLog.Entry> log = r.evaluations();
            if (log.isEmpty()) {
                setup.appendMissing();
            } else {
                setup.append(log.get(log.size() - 1).setup());
            }
        }
        setup.only("features", "sha256", "fake n").forEach(t::addColumns);
    }

    /**
     * The evaluation metrics any of the runs has in its last history row, in a fixed order: each listed
     * key, then the same score under feature-network suffixes ({@code fid}, {@code fid_fmnist}, ...).
     */
    static List<String> evaluationMetricsOf(List<RunFolder> runs) {
        Set<String> present = new LinkedHashSet<>();
        runs.forEach(r -> r.finalValues().forEach((k, v) -> {
            if (!Double.isNaN(v)) {
                present.add(k);
            }
        }));
        List<String> out = new ArrayList<>();
        Map<String, Boolean> keys = Objective.evaluationKeys();
        for (String base : keys.keySet()) {
            // The collapse alarm's precision has its own column (collapse_precision), so "precision" here
            // is the evaluation's.
            for (String k : present) {
                if (Objective.baseOf(k).equals(base) && keys.containsKey(Objective.baseOf(k))
                        && (k.equals(base) || k.startsWith(base + "_"))) {
                    out.add(k);
                }
            }
        }
        return out;
    }
}
