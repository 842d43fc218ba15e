package dev.ganlab.experiments;

import dev.ganlab.core.UserError;
import dev.ganlab.metrics.Extractors;
import dev.ganlab.metrics.Metric;
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
        Boolean dir = EVALUATION_KEYS.get(baseOf(lower));
        if (dir == null) {
            throw new UserError("rank '" + s + "': the direction of '" + t + "' is not known; write min:" + t
                    + " or max:" + t + " (known: fid, fid_infinity, kid, swd_x1e3 lower is better; is, recall higher;"
                    + " also with a feature network's suffix, e.g. fid_fmnist)");
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
            String base = switch (m.trim()) {
                case "fid" -> "fid";
                case "kid" -> "kid";
                case "swd" -> "swd_x1e3";
                case "is" -> "is";
                case "pr" -> "recall";
                default -> null;
            };
            if (base != null) {
                String key = base.equals("swd_x1e3") ? base
                        : Metric.scoreKey(base, Extractors.scoreSuffix(resolved.eval.features));
                return new Objective(key, EVALUATION_KEYS.get(base));
            }
        }
        return null;
    }

    /**
     * The evaluation key a metric name stands for: itself when listed, else the longest listed key it
     * extends with a feature network's suffix ({@code fid_infinity_fmnist} -> {@code fid_infinity},
     * {@code kid_fmnist} -> {@code kid}); the name itself when none fits.
     */
    static String baseOf(String key) {
        if (EVALUATION_KEYS.containsKey(key)) {
            return key;
        }
        for (String spread : new String[] {"kid_std", "is_std"}) {
            if (key.equals(spread) || key.startsWith(spread + "_")) {
                return key;   // a spread has no better direction
            }
        }
        String best = null;
        for (String k : EVALUATION_KEYS.keySet()) {
            if (key.startsWith(k + "_") && (best == null || k.length() > best.length())) {
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
