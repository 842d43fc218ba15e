package dev.ganlab.metrics;

import dev.ganlab.core.UserError;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The metrics {@link Evaluator} computes, by their command-line names. */
public enum Metric {
    /** Fréchet distance of feature Gaussians, with FID_infinity below 10k samples. */
    FID("fid"),
    /** Kernel distance, cubic polynomial kernel, unbiased, over subsets. */
    KID("kid"),
    /** Inception Score over 10 splits (needs an extractor with logits). */
    IS("is"),
    /** Improved precision and recall, k = 3. */
    PR("pr"),
    /** MS-SSIM diversity of the fakes beside that of the reals. */
    MSSSIM("msssim"),
    /** ProGAN's sliced Wasserstein distance per pyramid level. */
    SWD("swd");

    /**
     * Names of the values measured in a feature network's space, before the network's suffix (see
     * {@link #scoreKey}); pixel metrics (msssim_*, swd_*) keep their names.
     */
    public static final List<String> FEATURE_SCORES = List.of("fid", "fid_infinity", "kid", "kid_std", "is", "is_std",
            "precision", "recall");

    private final String key;

    Metric(String key) {
        this.key = key;
    }

    /**
     * The name of a feature-network score: {@code base} alone for the Inception-v3 network that published
     * FID, KID and IS figures use (suffix empty), else {@code base_suffix}, e.g. {@code fid_fmnist}, so
     * that a score from another network is never read as the standard one.
     */
    public static String scoreKey(String base, String suffix) {
        return suffix == null || suffix.isEmpty() ? base : base + "_" + suffix;
    }

    /** The command-line name. */
    public String key() {
        return key;
    }

    /** Whether the metric works on extracted features (as opposed to pixels). */
    public boolean usesFeatures() {
        return this == FID || this == KID || this == IS || this == PR;
    }

    /**
     * Parses a comma-separated list such as {@code fid,kid,is,pr,msssim,swd} ({@code all} for all).
     *
     * @throws UserError naming an unknown metric
     */
    public static Set<Metric> parseList(String csv) {
        Set<Metric> out = EnumSet.noneOf(Metric.class);
        if (csv == null || csv.isBlank()) {
            throw new UserError("no metrics named: use a list such as fid,kid,is,pr,msssim,swd");
        }
        for (String part : csv.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals("all")) {
                out.addAll(EnumSet.allOf(Metric.class));
                continue;
            }
            Metric found = null;
            for (Metric m : values()) {
                if (m.key.equals(p)) {
                    found = m;
                }
            }
            if (found == null) {
                throw new UserError("unknown metric '" + part.trim() + "' in '" + csv
                        + "': use fid, kid, is, pr, msssim, swd (comma-separated) or all");
            }
            out.add(found);
        }
        if (out.isEmpty()) {
            throw new UserError("no metrics named in '" + csv + "': use fid, kid, is, pr, msssim, swd");
        }
        return out;
    }
}
