package dev.ganlab.metrics;

import com.google.gson.GsonBuilder;

import dev.ganlab.core.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link Evaluator#evaluate} found: flat metric values, the setup that produced them, details
 * (per-level SWD, FID_infinity's points, ...) and warnings. Serialises to JSON and prints as one line.
 *
 * <p>Metric keys: {@code fid}, {@code fid_infinity}, {@code kid}, {@code kid_std}, {@code is},
 * {@code is_std}, {@code precision}, {@code recall}, {@code msssim_fake}, {@code msssim_real},
 * {@code swd_x1e3} (mean over levels) and {@code swd_<resolution>_x1e3}. The feature-network scores
 * (fid to recall) carry the network's name unless it is the standard Inception-v3: {@code fid_fmnist},
 * {@code is_fmnist}, ... from the Fashion-MNIST network ({@link #scoreSuffix()}, {@link #key}).
 */
public final class EvaluationReport {

    /**
     * Everything a score depends on.
     *
     * @param features extractor id
     * @param featuresSha256 SHA-256 of its weights file
     * @param realPreparation how real images were prepared for the network
     * @param fakePreparation how fake images were prepared
     * @param real the reference set's name (e.g. fashion-mnist:test)
     * @param realCount real images used
     * @param fake the fake set's name
     * @param fakeCount fake images used
     * @param seed seed of every random choice (subsets, pairs, descriptors, directions)
     * @param realCache the cache entry of the real features, or "none"
     */
    public record Setup(String features, String featuresSha256, String realPreparation, String fakePreparation,
            String real, int realCount, String fake, int fakeCount, long seed, String realCache) {}

    private final Setup setup;
    private final String scoreSuffix;
    private final Map<String, Double> metrics;
    private final Map<String, Object> details;
    private final List<String> warnings;

    EvaluationReport(Setup setup, Map<String, Double> metrics, Map<String, Object> details, List<String> warnings) {
        this(setup, "", metrics, details, warnings);
    }

    EvaluationReport(Setup setup, String scoreSuffix, Map<String, Double> metrics, Map<String, Object> details,
            List<String> warnings) {
        this.setup = setup;
        this.scoreSuffix = scoreSuffix == null ? "" : scoreSuffix;
        this.metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
        this.warnings = List.copyOf(warnings);
    }

    public Setup setup() {
        return setup;
    }

    /** Metric name to value, in the order computed. */
    public Map<String, Double> metrics() {
        return metrics;
    }

    /** What the feature-network scores' names end with: empty for Inception-v3, e.g. {@code fmnist}. */
    public String scoreSuffix() {
        return scoreSuffix;
    }

    /** The key of a score in this report: {@code key("fid")} is {@code fid_fmnist} for the Fashion-MNIST network. */
    public String key(String base) {
        return MetricRegistry.featureScores().contains(base) ? Metric.scoreKey(base, scoreSuffix) : base;
    }

    /** The value of a metric key. */
    public double get(String key) {
        Double v = metrics.get(key);
        if (v == null) {
            String named = key(key);
            throw new IllegalArgumentException("no metric '" + key + "' in this report"
                    + (!named.equals(key) && metrics.containsKey(named) ? " (scores from the " + setup.features()
                    + " network are named " + named + ")" : "") + "; it has " + metrics.keySet());
        }
        return v;
    }

    public boolean has(String key) {
        return metrics.containsKey(key);
    }

    /** Per-metric details: settings (subset sizes, scales, levels) and intermediate figures. */
    public Map<String, Object> details() {
        return details;
    }

    public List<String> warnings() {
        return warnings;
    }

    /** Pretty JSON: {"setup": ..., "metrics": ..., "details": ..., "warnings": [...]}. */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("setup", setup);
        root.put("metrics", metrics);
        root.put("details", details);
        root.put("warnings", warnings);
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(root);
    }

    /** Writes {@link #toJson()} to a file (temp file, then rename). */
    public void writeJson(Path file) throws IOException {
        byte[] text = (toJson() + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(text));
    }

    /**
     * One compact line, e.g. {@code fid_fmnist 12.34 (inf 11.90) | kid_fmnist 0.0123±0.0004 | ...}: each
     * registered metric's {@link Metric#summary}, each score under its key, so that a Fashion-MNIST FID
     * never reads as an Inception FID.
     */
    public String tableLine() {
        List<String> parts = new ArrayList<>();
        for (Metric m : MetricRegistry.all()) {
            String part = m.summary(this);
            if (part != null) {
                parts.add(part);
            }
        }
        return String.join(" | ", parts) + String.format(Locale.ROOT, "  [%s %s, real %s x%d, fake x%d, seed %d]",
                setup.features(), SetupColumns.shortSha(setup.featuresSha256()),
                setup.real(), setup.realCount(), setup.fakeCount(), setup.seed());
    }

    @Override
    public String toString() {
        return tableLine();
    }
}
