package dev.ganlab.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Evaluation reports side by side: one row per labelled {@link EvaluationReport} with its metric
 * values and the setup they were measured with (feature network and the SHA-256 of its weights, image
 * preparation, reference set, real and fake counts, seed). Scores from different setups are not
 * comparable, so a table of scores keeps the setup in the same row. Rows with different metrics share
 * one table; a metric a row lacks stays empty.
 */
public final class EvaluationTable {

    /** Hex digits of the weights' SHA-256 shown in a table (the full hash is in each report). */
    public static final int SHA_PREFIX = SetupColumns.SHA_PREFIX;

    private final List<String> labels = new ArrayList<>();
    private final List<EvaluationReport> reports = new ArrayList<>();

    /**
     * Adds a row.
     *
     * @throws IllegalArgumentException when the label is already taken
     */
    public EvaluationTable add(String label, EvaluationReport report) {
        if (labels.contains(label)) {
            throw new IllegalArgumentException("a row labelled '" + label + "' is already in the table");
        }
        labels.add(label);
        reports.add(report);
        return this;
    }

    public int size() {
        return reports.size();
    }

    /** The labels, in the order added. */
    public List<String> labels() {
        return List.copyOf(labels);
    }

    /** The report of a row. */
    public EvaluationReport report(String label) {
        int i = labels.indexOf(label);
        if (i < 0) {
            throw new IllegalArgumentException("no row labelled '" + label + "'; rows: " + labels);
        }
        return reports.get(i);
    }

    /** Every metric key of any row, in the order first seen. */
    public List<String> metricKeys() {
        Set<String> keys = new LinkedHashSet<>();
        reports.forEach(r -> keys.addAll(r.metrics().keySet()));
        return List.copyOf(keys);
    }

    /** The labels of the rows that have {@code key}, in order (the x axis of a bar chart of it). */
    public List<String> labelsWith(String key) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            if (reports.get(i).has(key)) {
                out.add(labels.get(i));
            }
        }
        return out;
    }

    /** The values of {@code key} of the rows that have it, in the order of {@link #labelsWith}. */
    public double[] values(String key) {
        return reports.stream().filter(r -> r.has(key)).mapToDouble(r -> r.get(key)).toArray();
    }

    /**
     * Every report's warnings, each once, prefixed with the labels of the rows it concerns ({@code "a, b: FID from
     * 2000 fakes is biased"}, or {@code "every row: ..."} when more than two rows share it and no row lacks it): eight
     * rows scored alike would otherwise repeat the same sentences eight times.
     */
    public List<String> warnings() {
        Map<String, Set<String>> rowsOf = new LinkedHashMap<>();
        for (int i = 0; i < reports.size(); i++) {
            for (String w : reports.get(i).warnings()) {
                rowsOf.computeIfAbsent(w, k -> new LinkedHashSet<>()).add(labels.get(i));
            }
        }
        List<String> out = new ArrayList<>();
        rowsOf.forEach((w, rows) -> out.add((rows.size() > 2 && rows.size() == labels.size() ? "every row"
                : String.join(", ", rows)) + ": " + w));
        return out;
    }

    /**
     * The rows as a table: a {@code run} column, one column per metric key (those given, or all of
     * {@link #metricKeys()} when none are), then the setup: {@code features}, {@code sha256} (first
     * {@value #SHA_PREFIX} hex digits), {@code real}, {@code real n}, {@code fake n}, {@code seed},
     * {@code preparation} (of the fakes; both sides' when they differ).
     *
     * @throws IllegalArgumentException for a key that no row has (a misspelt metric)
     */
    public Table table(String title, String... keys) {
        List<String> known = metricKeys();
        List<String> cols = keys.length == 0 ? known : List.of(keys);
        for (String k : cols) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("no row has metric '" + k + "'; metrics present: " + known);
            }
        }
        StringColumn run = StringColumn.create("run");
        List<DoubleColumn> metricCols = new ArrayList<>();
        cols.forEach(k -> metricCols.add(DoubleColumn.create(k)));
        SetupColumns setup = new SetupColumns("");
        for (int i = 0; i < reports.size(); i++) {
            EvaluationReport r = reports.get(i);
            run.append(labels.get(i));
            for (int c = 0; c < cols.size(); c++) {
                if (r.has(cols.get(c))) {
                    metricCols.get(c).append(r.get(cols.get(c)));
                } else {
                    metricCols.get(c).appendMissing();
                }
            }
            setup.append(r.setup());
        }
        Table t = Table.create(title, run);
        metricCols.forEach(t::addColumns);
        setup.all().forEach(t::addColumns);
        return t;
    }
}
