package dev.ganlab.experiments;

import dev.ganlab.core.UserError;
import dev.ganlab.metrics.Extractors;
import dev.ganlab.metrics.Metric;
import dev.ganlab.metrics.MetricRegistry;
import dev.ganlab.train.RunFolder;
import dev.ganlab.train.TrainConfig;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The number runs are ranked by: a final value of the history (an evaluation metric) and whether
 * lower is better. Written {@code fid}, {@code min:kid} or {@code max:is}; the bare name works for the
 * metrics whose direction is known.
 *
 * @param metric a column of {@code metrics.csv}, e.g. fid
 * @param lowerIsBetter true for distances (FID, KID, SWD), false for scores (IS, recall)
 */
public record Objective(String metric, boolean lowerIsBetter) {

    /**
     * Evaluation values a run's last history row can hold and tables show (the headline columns of the
     * registered metrics, {@link MetricRegistry}), in the order tables show them, with whether lower is
     * better (null: neither, e.g. a diversity to compare with the reals').
     */
    static Map<String, Boolean> evaluationKeys() {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (Metric.Column c : MetricRegistry.columns()) {
            if (c.headline()) {
                out.put(c.base(), direction(c));
            }
        }
        return out;
    }

    /**
     * Whether {@code key} names a registered metric's value (with or without a feature network's suffix):
     * a value runs have once evaluated, even if none has yet.
     */
    public static boolean isEvaluationKey(String key) {
        return MetricRegistry.columns().stream().anyMatch(c -> c.base().equals(baseOf(key)));
    }

    private static Boolean direction(Metric.Column c) {
        return c.better() == Metric.Better.LOWER ? Boolean.TRUE : c.better() == Metric.Better.HIGHER ? Boolean.FALSE : null;
    }

    public Objective {
        if (metric == null || metric.isBlank()) {
            throw new UserError("objective: no metric named");
        }
    }

    /** Parses {@code fid}, {@code min:fid} or {@code max:is}. */
    public static Objective parse(String s) {
        String t = s.trim();
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.startsWith("min:")) {
            return new Objective(t.substring(4).trim(), true);
        }
        if (lower.startsWith("max:")) {
            return new Objective(t.substring(4).trim(), false);
        }
        String base = baseOf(lower);
        Boolean dir = MetricRegistry.columns().stream().filter(c -> c.base().equals(base)).map(Objective::direction)
                .filter(d -> d != null).findFirst().orElse(null);
        if (dir == null) {
            throw new UserError("rank '" + s + "': the direction of '" + t + "' is not known; write min:" + t
                    + " or max:" + t + " (known: " + known(Metric.Better.LOWER) + " lower is better; "
                    + known(Metric.Better.HIGHER) + " higher; also with a feature network's suffix, e.g. fid_fmnist)");
        }
        return new Objective(lower, dir);
    }

    private static String known(Metric.Better better) {
        return String.join(", ", MetricRegistry.columns().stream().filter(c -> c.better() == better)
                .map(Metric.Column::base).toList());
    }

    /**
     * What runs of this (resolved) config are ranked by when nothing is said: the column its first
     * evaluation metric ranks by ({@link Metric#rankedBy}: FID when it computes FID), or null when it
     * does not evaluate with a ranked metric.
     */
    public static Objective auto(TrainConfig resolved) {
        String metrics = resolved.eval.metrics == null ? "" : resolved.eval.metrics.toLowerCase(Locale.ROOT);
        for (String m : metrics.split(",")) {
            Metric metric = MetricRegistry.all().stream().filter(x -> x.name().equals(m.trim())).findFirst()
                    .orElse(null);
            Metric.Column c = metric == null ? null : metric.rankedBy();
            if (c != null) {
                String key = c.featureScore() ? Metric.scoreKey(c.base(), Extractors.scoreSuffix(resolved.eval.features))
                        : c.base();
                return new Objective(key, direction(c));
            }
        }
        return null;
    }

    /**
     * The metric column a key stands for: the longest column name of a registered metric that it equals
     * or extends with a feature network's suffix ({@code fid_infinity_fmnist} -> {@code fid_infinity},
     * {@code kid_std_fmnist} -> {@code kid_std}); the key itself when none fits.
     */
    static String baseOf(String key) {
        String best = null;
        for (Metric.Column c : MetricRegistry.columns()) {
            String k = c.base();
            if ((key.equals(k) || key.startsWith(k + "_")) && (best == null || k.length() > best.length())) {
                best = k;
            }
        }
        return best == null ? key : best;
    }

    /** Best first; runs without the value (not evaluated, diverged) last. */
    public Comparator<RunFolder> comparator() {
        return (a, b) -> {
            double x = a.value(metric);
            double y = b.value(metric);
            if (Double.isNaN(x) || Double.isNaN(y)) {
                return Boolean.compare(Double.isNaN(x), Double.isNaN(y));
            }
            return lowerIsBetter ? Double.compare(x, y) : Double.compare(y, x);
        };
    }

    @Override
    public String toString() {
        return (lowerIsBetter ? "min:" : "max:") + metric;
    }
}
