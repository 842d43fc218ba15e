package dev.ganlab.experiments;

import dev.ganlab.core.UserError;
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
     * Evaluation values a run's last history row can hold (EvaluationReport's keys), in the order
     * tables show them, with whether lower is better (null: neither, e.g. a diversity to compare with
     * the reals').
     */
    static final Map<String, Boolean> EVALUATION_KEYS = new LinkedHashMap<>();

    static {
        EVALUATION_KEYS.put("fid", true);
        EVALUATION_KEYS.put("fid_infinity", true);
        EVALUATION_KEYS.put("kid", true);
        EVALUATION_KEYS.put("swd_x1e3", true);
        EVALUATION_KEYS.put("is", false);
        EVALUATION_KEYS.put("precision", false);
        EVALUATION_KEYS.put("recall", false);
        EVALUATION_KEYS.put("msssim_fake", null);
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
        Boolean dir = EVALUATION_KEYS.get(lower);
        if (dir == null) {
            throw new UserError("rank '" + s + "': the direction of '" + t + "' is not known; write min:" + t
                    + " or max:" + t + " (known: fid, fid_infinity, kid, swd_x1e3 lower is better; is, recall higher)");
        }
        return new Objective(lower, dir);
    }

    /**
     * What runs of this (resolved) config are ranked by when nothing is said: the first metric of its
     * evaluation that has a direction (FID when it computes FID), or null when it does not evaluate.
     */
    public static Objective auto(TrainConfig resolved) {
        String metrics = resolved.eval.metrics == null ? "" : resolved.eval.metrics.toLowerCase(Locale.ROOT);
        for (String m : metrics.split(",")) {
            String key = switch (m.trim()) {
                case "fid" -> "fid";
                case "kid" -> "kid";
                case "swd" -> "swd_x1e3";
                case "is" -> "is";
                case "pr" -> "recall";
                default -> null;
            };
            if (key != null) {
                return new Objective(key, EVALUATION_KEYS.get(key));
            }
        }
        return null;
    }

    /** Best first; runs without the value (not evaluated, diverged) last. */
    public Comparator<RunInfo> comparator() {
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
