package dev.ganlab.metrics;

import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One metric {@link Evaluator} can compute, as {@link MetricRegistry} lists it: its command-line name,
 * what it needs (pixels, features of a network, class logits), the columns it writes, its setup record
 * (the settings it was measured with, under {@link EvaluationReport#details()}) and its part of a
 * report's one-line summary. A new metric is one class implementing this and one line in
 * {@link MetricRegistry} (or {@link MetricRegistry#register} from outside the library).
 *
 * <p>The evaluator extracts features (and logits) once for all the metrics that need them and hands
 * each metric the same {@link Inputs}; the metric writes its values, setup record and warnings to an
 * {@link Output}.
 */
public interface Metric {

    /** What a metric reads. */
    enum Input {
        /** The images themselves. */
        PIXELS,
        /** Features of the evaluator's network (real and fake). */
        FEATURES,
        /** Class logits of the network (fakes; the network must have a classifier head). */
        LOGITS
    }

    /** Which way a column is better. */
    enum Better {
        LOWER, HIGHER,
        /** Neither: a spread, or a value to compare with the reals' (MS-SSIM diversity). */
        NONE
    }

    /**
     * A value a metric writes.
     *
     * @param base its name; a feature-network score's key carries the network's suffix
     *     ({@link #scoreKey}: {@code fid} is written {@code fid_fmnist} by the Fashion-MNIST network)
     * @param featureScore whether it is measured in a network's feature space (then suffixed)
     * @param better which way is better (ranking runs, {@code experiments.Objective})
     * @param headline whether run tables and comparisons show it (spreads and references are not)
     */
    record Column(String base, boolean featureScore, Better better, boolean headline) {}

    /** The command-line name ({@code --metrics fid,kid}), lower case. */
    String name();

    /** What it reads. */
    Set<Input> needs();

    /**
     * The values it writes, in order. A metric may write more keys than these (SWD's per-level
     * {@code swd_<res>_x1e3}); those are details, not ranked or shown by default.
     */
    List<Column> columns();

    /** The column runs are ranked by when a sweep evaluates with this metric: the first that has a direction. */
    default Column rankedBy() {
        return columns().stream().filter(c -> c.better() != Better.NONE).findFirst().orElse(null);
    }

    /**
     * Refuses counts it cannot work with, naming itself, the counts and the fix; by default at least
     * two images per side.
     */
    default void checkCounts(int real, int fake) {
        requireAtLeast(name(), 2, real, fake);
    }

    /** Measures the fakes against the reals. */
    void measure(Inputs in, Output out);

    /**
     * Its part of {@link EvaluationReport#tableLine()}, or null when the report has none of its values;
     * by default each of its headline columns as {@code key value}.
     */
    default String summary(EvaluationReport r) {
        List<String> parts = new ArrayList<>();
        for (Column c : columns()) {
            String key = r.key(c.base());
            if (c.headline() && r.has(key)) {
                parts.add(String.format(Locale.ROOT, "%s %.4g", key, r.get(key)));
            }
        }
        return parts.isEmpty() ? null : String.join(" ", parts);
    }

    /**
     * The name of a feature-network score: {@code base} alone for the Inception-v3 network that published
     * FID, KID and IS figures use (suffix empty), else {@code base_suffix}, e.g. {@code fid_fmnist}, so
     * that a score from another network is never read as the standard one.
     */
    static String scoreKey(String base, String suffix) {
        return suffix == null || suffix.isEmpty() ? base : base + "_" + suffix;
    }

    /** A UserError unless both sides have at least {@code need} images. */
    static void requireAtLeast(String metric, int need, int real, int fake) {
        if (real < need || fake < need) {
            throw new UserError("metric " + metric + ": needs at least " + need + " real and " + need
                    + " fake images, got " + real + " real and " + fake + " fake; raise --n or supply more images");
        }
    }

    /** What a metric reads, prepared once per evaluation by the evaluator. */
    interface Inputs {
        /** The reference images (already cut to the evaluator's n). */
        ImageDataset real();

        /** The images scored (the first n). */
        ImageDataset fake();

        /** Real features (extracted once per evaluator, cached on disk); only when the metric needs FEATURES. */
        FeatureMatrix realFeatures();

        /** Their Gaussian statistics (cached with them). */
        GaussianStats realStats();

        FeatureMatrix fakeFeatures();

        /** Class logits of the fakes; only when the metric needs LOGITS. */
        FeatureMatrix fakeLogits();

        /** The seed of every random choice. */
        long seed();

        /** The evaluator's settings that metrics read (FID_infinity, MS-SSIM pairs, KID subsets). */
        Evaluator.Options options();

        /**
         * A value kept for the evaluator's lifetime under {@code key} (a statistic of the real set that
         * each evaluation would otherwise recompute), made by {@code make} the first time.
         */
        <T> T memo(String key, Supplier<T> make);
    }

    /** Where a metric writes what it found. */
    final class Output {
        private final String suffix;
        final Map<String, Double> values = new LinkedHashMap<>();
        final Map<String, Object> details = new LinkedHashMap<>();
        final List<String> warnings = new ArrayList<>();

        Output(String suffix) {
            this.suffix = suffix == null ? "" : suffix;
        }

        /** The key of a feature-network score from this evaluator's network ({@link #scoreKey}). */
        public String scoreKey(String base) {
            return Metric.scoreKey(base, suffix);
        }

        /** Writes a value under its exact key. */
        public void put(String key, double value) {
            values.put(key, value);
        }

        /** Writes a feature-network score under {@link #scoreKey}. */
        public void score(String base, double value) {
            values.put(scoreKey(base), value);
        }

        /** The setup record of a metric (settings and intermediate figures), under {@code name}. */
        public void setup(String name, Map<String, ?> record) {
            details.put(name, record);
        }

        public void warn(String warning) {
            warnings.add(warning);
        }
    }
}
