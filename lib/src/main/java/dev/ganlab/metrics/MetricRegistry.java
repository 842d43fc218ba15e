package dev.ganlab.metrics;

import dev.ganlab.core.UserError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every metric {@link Evaluator} can compute, by name, in the order reports list their values (as in
 * stylegan2-ada-pytorch's {@code metric_main}: a metric registers itself, the evaluator iterates). A
 * new metric is one {@link Metric} class and one line in the list below; code outside the library (a
 * notebook, a test) adds its own with {@link #register}.
 */
public final class MetricRegistry {

    private static final Map<String, Metric> METRICS = new LinkedHashMap<>();

    static {
        // Report order: these values appear in this order in metrics.csv and evaluations.jsonl.
        register(new FidMetric());
        register(new KidMetric());
        register(new IsMetric());
        register(new PrMetric());
        register(new MsSsimMetric());
        register(new SwdMetric());
    }

    private MetricRegistry() {}

    /**
     * Adds a metric after the ones already registered.
     *
     * @throws IllegalArgumentException when its name is taken, is not lower case, or is "all"
     */
    public static synchronized void register(Metric m) {
        String name = m.name();
        if (name == null || name.isBlank() || !name.equals(name.toLowerCase(Locale.ROOT)) || name.contains(",")
                || name.equals("all")) {
            throw new IllegalArgumentException("metric name '" + name + "': must be lower case, without commas, not 'all'");
        }
        if (METRICS.containsKey(name)) {
            throw new IllegalArgumentException("a metric named '" + name + "' is already registered: "
                    + METRICS.get(name).getClass().getName());
        }
        METRICS.put(name, m);
    }

    /** Removes a metric added with {@link #register} (a test cleaning up); false when there was none. */
    public static synchronized boolean unregister(String name) {
        return METRICS.remove(name) != null;
    }

    /** Every registered metric, in registration order. */
    public static synchronized List<Metric> all() {
        return List.copyOf(METRICS.values());
    }

    /** The registered names, comma-separated (for messages and help). */
    public static synchronized String names() {
        return String.join(", ", METRICS.keySet());
    }

    /**
     * Parses a comma-separated list such as {@code fid,kid,is,pr,msssim,swd} ({@code all} for every
     * registered metric), in registration order whatever the order written.
     *
     * @throws UserError naming an unknown metric and listing the known ones
     */
    public static synchronized List<Metric> parseList(String csv) {
        if (csv == null || csv.isBlank()) {
            throw new UserError("no metrics named: use a list such as fid,kid,is,pr,msssim,swd");
        }
        Set<String> asked = new LinkedHashSet<>();
        for (String part : csv.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals("all")) {
                asked.addAll(METRICS.keySet());
                continue;
            }
            if (!METRICS.containsKey(p)) {
                throw new UserError("unknown metric '" + part.trim() + "' in '" + csv + "': use " + names()
                        + " (comma-separated) or all");
            }
            asked.add(p);
        }
        if (asked.isEmpty()) {
            throw new UserError("no metrics named in '" + csv + "': use " + names());
        }
        List<Metric> out = new ArrayList<>();
        METRICS.forEach((name, m) -> {
            if (asked.contains(name)) {
                out.add(m);
            }
        });
        return out;
    }

    /**
     * Every column of every metric, in order (a feature-network score under its base name,
     * {@code fid}, not {@code fid_fmnist}).
     */
    public static synchronized List<Metric.Column> columns() {
        List<Metric.Column> out = new ArrayList<>();
        METRICS.values().forEach(m -> out.addAll(m.columns()));
        return out;
    }

    /**
     * The column that writes the value {@code key} among the given metrics' columns: {@code fid_fmnist} is
     * FID's {@code fid} (a feature score carries its network's suffix), {@code swd_x1e3} is SWD's own; null
     * when none of them writes it.
     */
    public static Metric.Column columnOf(String key, List<Metric> among) {
        Metric.Column best = null;
        for (Metric m : among) {
            for (Metric.Column c : m.columns()) {
                boolean match = key.equals(c.base()) || (c.featureScore() && key.startsWith(c.base() + "_"));
                if (match && (best == null || c.base().length() > best.base().length())) {
                    best = c; // the longest base: kid_std_fmnist is kid_std's, not kid's
                }
            }
        }
        return best;
    }

    /**
     * Names of the values measured in a feature network's space, before the network's suffix
     * ({@link Metric#scoreKey}); pixel metrics' values (msssim_*, swd_*) keep their names.
     */
    public static List<String> featureScores() {
        return columns().stream().filter(Metric.Column::featureScore).map(Metric.Column::base).toList();
    }
}
