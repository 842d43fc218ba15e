package dev.ganlab.train;

import dev.ganlab.core.AtomicFiles;
import dev.ganlab.core.UserError;
import dev.ganlab.metrics.Extractors;
import dev.ganlab.metrics.Metric;
import dev.ganlab.metrics.MetricRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

/**
 * The loss and metric history of a run: one row per log step with the step, images shown, wall time
 * and every value logged since the previous row (averaged over the interval). Rows may have different
 * columns (a penalty logged every k steps, a metric every n); missing values stay empty. Written as
 * {@code metrics.csv}; read back on resume, dropping rows newer than the checkpoint.
 */
public final class TrainingHistory {

    private final List<Map<String, Double>> rows = new ArrayList<>();
    private final Set<String> columns = new LinkedHashSet<>(List.of("step", "images", "seconds"));

    /** Appends a row (its keys become columns). */
    public synchronized void add(Map<String, Double> row) {
        rows.add(new LinkedHashMap<>(row));
        columns.addAll(row.keySet());
    }

    public synchronized int size() {
        return rows.size();
    }

    /** The last value of a column, or NaN. */
    public synchronized double last(String column) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            Double v = rows.get(i).get(column);
            if (v != null && !v.isNaN()) {
                return v;
            }
        }
        return Double.NaN;
    }

    /** The rows, oldest first (copies: changing them does not change the history). */
    public synchronized List<Map<String, Double>> rows() {
        return rows.stream().map(r -> (Map<String, Double>) new LinkedHashMap<>(r)).toList();
    }

    /** Drops rows after {@code step} (a resumed run replays them). */
    public synchronized void truncateAfter(long step) {
        rows.removeIf(r -> r.getOrDefault("step", 0.0) > step);
    }

    /** The history as a Tablesaw table (one double column per value). */
    public synchronized Table table(String name) {
        Table t = Table.create(name);
        for (String c : columns) {
            DoubleColumn col = DoubleColumn.create(c);
            for (Map<String, Double> r : rows) {
                Double v = r.get(c);
                if (v == null || v.isNaN()) {
                    col.appendMissing();
                } else {
                    col.append(v);
                }
            }
            t.addColumns(col);
        }
        return t;
    }

    /** Writes {@code metrics.csv} atomically. */
    public synchronized void writeCsv(Path file) {
        StringBuilder sb = new StringBuilder(String.join(",", columns)).append('\n');
        for (Map<String, Double> r : rows) {
            boolean first = true;
            for (String c : columns) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                Double v = r.get(c);
                if (v != null && !v.isNaN()) {
                    sb.append(v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString(v.longValue())
                            : String.format(Locale.ROOT, "%.7g", v));
                }
            }
            sb.append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /**
     * Renames the feature-network scores of a history written before score names carried the network
     * ({@code fid} measured with the Fashion-MNIST network becomes {@code fid_fmnist};
     * {@link Metric#scoreKey}), so that old run folders read under today's names. A column whose new
     * name is already present is left alone. Returns this history.
     */
    public synchronized TrainingHistory withScoreSuffix(String suffix) {
        if (suffix == null || suffix.isEmpty()) {
            return this;
        }
        Map<String, String> rename = new LinkedHashMap<>();
        for (String base : MetricRegistry.featureScores()) {
            if (columns.contains(base) && !columns.contains(Metric.scoreKey(base, suffix))) {
                rename.put(base, Metric.scoreKey(base, suffix));
            }
        }
        if (rename.isEmpty()) {
            return this;
        }
        rows.replaceAll(r -> {
            Map<String, Double> out = new LinkedHashMap<>();
            r.forEach((k, v) -> out.put(rename.getOrDefault(k, k), v));
            return out;
        });
        List<String> renamed = columns.stream().map(c -> rename.getOrDefault(c, c)).toList();
        columns.clear();
        columns.addAll(renamed);
        return this;
    }

    /**
     * The suffix of a run's feature-network scores, from its config: the Fashion-MNIST network's when
     * the config names none (the evaluator's default), "" when the config is unknown or names no valid
     * network.
     */
    public static String scoreSuffixOf(TrainConfig config) {
        if (config == null || config.eval == null) {
            return "";
        }
        String f = config.eval.features;
        try {
            return Extractors.scoreSuffix(f == null || f.equals("auto") ? "" : f);
        } catch (UserError e) {
            return "";
        }
    }

    /** The column name both precisions shared before the collapse alarm's got its own. */
    private static final String LEGACY_PRECISION = "precision";

    /**
     * Files written before {@link CollapseDetector#PRECISION_KEY} existed logged the collapse alarm's
     * precision as {@code precision}, the column the evaluation's improved precision also uses. In such
     * a row the value is the alarm's when the row has the alarm's {@code coverage} and no evaluation
     * {@code recall} (an evaluation writes both precision and recall, after the alarm when both happen
     * at one step); it is then renamed. A row with a recall keeps its {@code precision}.
     */
    private static Map<String, Double> renameLegacyCollapsePrecision(Map<String, Double> row) {
        if (row.containsKey(LEGACY_PRECISION) && row.containsKey("coverage") && !row.containsKey("recall")
                && !row.containsKey(CollapseDetector.PRECISION_KEY)) {
            Map<String, Double> out = new LinkedHashMap<>();
            row.forEach((k, v) -> out.put(k.equals(LEGACY_PRECISION) ? CollapseDetector.PRECISION_KEY : k, v));
            return out;
        }
        return row;
    }

    private boolean hasEvaluationPrecision() {
        return rows.stream().anyMatch(r -> r.containsKey(LEGACY_PRECISION));
    }

    /**
     * Reads a {@code metrics.csv} written by {@link #writeCsv}. In files from before the collapse alarm's
     * precision had its own column, its values move to {@code collapse_precision} (see
     * {@link CollapseDetector#PRECISION_KEY}).
     */
    public static TrainingHistory readCsv(Path file) {
        TrainingHistory h = new TrainingHistory();
        if (!Files.isRegularFile(file)) {
            return h;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return h;
            }
            String[] header = lines.get(0).split(",", -1);
            for (int i = 1; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) {
                    continue;
                }
                String[] cells = lines.get(i).split(",", -1);
                Map<String, Double> row = new LinkedHashMap<>();
                for (int k = 0; k < header.length && k < cells.length; k++) {
                    if (!cells[k].isEmpty()) {
                        row.put(header[k], Double.parseDouble(cells[k]));
                    }
                }
                h.add(renameLegacyCollapsePrecision(row));
            }
            for (String c : header) {
                h.columns.add(c.equals(LEGACY_PRECISION) && !h.hasEvaluationPrecision() ? CollapseDetector.PRECISION_KEY
                        : c);
            }
            return h;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NumberFormatException e) {
            throw new UserError(file + ": not a GAN Lab metrics file (" + e.getMessage() + ")", e);
        }
    }
}
