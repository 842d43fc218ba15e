package dev.ganlab.metrics;

import dev.ganlab.core.GanLab;
import dev.ganlab.core.Stoppable;
import dev.ganlab.core.UserError;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one entry point for scoring generated images: a feature network, a reference set and a list
 * of metrics, set once, then {@link #evaluate} for each set of fakes (a training snapshot, a sweep
 * point). Real features are extracted once per evaluator and cached on disk across runs.
 *
 * <pre>{@code
 * try (Evaluator ev = Evaluator.builder()
 *         .features("fmnist")                 // or "inception=PATH", "torchscript=PATH"
 *         .real("fashion-mnist:test")         // or an ImageDataset
 *         .n(10000)
 *         .metrics("fid,kid,is,pr,msssim,swd")
 *         .seed(1)
 *         .build()) {
 *     EvaluationReport r = ev.evaluate(fakes);    // ImageDataset, e.g. ImageDataset.fromTensor(...)
 *     System.out.println(r.tableLine());
 *     r.writeJson(Path.of("metrics.json"));
 * }
 * }</pre>
 *
 * <p>Counts: up to {@code n} real images (a seeded random subset when the set is larger) and the first
 * {@code n} fakes. MS-SSIM diversity uses {@code min(n/2, 5000)} random pairs per set unless set; SWD
 * uses every image of the smaller side. Below 10,000 fakes FID is biased upward: the report warns and
 * adds {@code fid_infinity} (Chong &amp; Forsyth, 2020) when there are enough fakes for it (its smallest
 * subset at least twice the feature dimension, {@link FidInfinity}); otherwise a warning says why not.
 */
public final class Evaluator implements AutoCloseable {

    /** Default images per side (the usual 10k-sample setting for Fashion-MNIST's test split). */
    public static final int DEFAULT_N = 10_000;
    /** Images per forward pass. */
    public static final int DEFAULT_BATCH = 200;

    private final FeatureExtractor extractor;
    private final boolean ownsExtractor;
    private final ImageDataset real;
    private final String realName;
    private final int n;
    private final Set<Metric> metrics;
    private final long seed;
    private final int batchSize;
    private final FeatureCache cache;
    private final Boolean fidInfinity;
    private final int msssimPairs;
    private final int kidSubsets;
    private final int kidSubsetSize;
    private final Path dumpPrefix;

    private FeatureCache.Entry realEntry;
    private FrechetDistance.Reference realReference;
    private MsSsim.Diversity realDiversity;

    private Evaluator(Builder b, FeatureExtractor extractor, boolean owns, ImageDataset real) {
        this.extractor = extractor;
        this.ownsExtractor = owns;
        this.real = real;
        this.realName = b.realName;
        this.n = b.n;
        this.metrics = EnumSet.copyOf(b.metrics);
        this.seed = b.seed;
        this.batchSize = b.batchSize;
        this.cache = b.cacheDir == null ? null : new FeatureCache(b.cacheDir);
        this.fidInfinity = b.fidInfinity;
        this.msssimPairs = b.msssimPairs;
        this.kidSubsets = b.kidSubsets;
        this.kidSubsetSize = b.kidSubsetSize;
        this.dumpPrefix = b.dumpPrefix;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The feature network in use (null when only pixel metrics were asked for). */
    public FeatureExtractor extractor() {
        return extractor;
    }

    /** The real images used (already cut to n). */
    public ImageDataset real() {
        return real;
    }

    public Set<Metric> metrics() {
        return EnumSet.copyOf(metrics);
    }

    /** Features (and logits when IS is on) of the real set, extracted once or read from the cache. */
    public synchronized FeatureExtractor.Features realFeatures() {
        return realEntry().features();
    }

    private synchronized FeatureCache.Entry realEntry() {
        if (realEntry != null) {
            return realEntry;
        }
        boolean logits = metrics.contains(Metric.IS) && extractor.logitsDim() > 0;
        FeatureCache.Entry e = cache == null ? null : cache.load(real, extractor, logits);
        if (e == null) {
            FeatureExtractor.Features f = extractor.extract(real, batchSize, logits);
            GaussianStats stats = GaussianStats.of(f.features());
            if (cache != null) {
                try {
                    e = cache.store(real, extractor, f, stats);
                } catch (IOException ex) {
                    throw new UncheckedIOException("cannot write the feature cache in " + cache.dir() + ": "
                            + ex.getMessage(), ex);
                }
            } else {
                e = new FeatureCache.Entry(f, stats, "none", false);
            }
        }
        realEntry = e;
        return e;
    }

    /**
     * Scores a set of fakes (the first {@code n} are used).
     *
     * @throws UserError when a metric cannot run on these sets (too few samples, mismatched sizes for
     *     SWD, no logits for IS), naming the metric, the counts and the fix
     * @throws Stoppable.StoppedException when the calling thread was interrupted (a notebook's stop
     *     button): the feature extraction ends after its current batch and nothing is scored
     */
    public EvaluationReport evaluate(ImageDataset fakes) {
        return Stoppable.run("evaluate", null, () -> evaluateHere(fakes));
    }

    private EvaluationReport evaluateHere(ImageDataset fakes) {
        GanLab.noGradOnThisThread();
        if (fakes == null || fakes.size() == 0) {
            throw new UserError("no fake images to evaluate");
        }
        ImageDataset fake = fakes.size() > n ? fakes.head(n) : fakes;
        checkCounts(fake);
        Map<String, Double> values = new LinkedHashMap<>();
        Map<String, Object> details = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        boolean needFeatures = metrics.stream().anyMatch(Metric::usesFeatures) || dumpPrefix != null;
        // Scores in a feature space carry the network's name unless it is the standard Inception-v3.
        String suffix = extractor == null ? "" : extractor.scoreSuffix();
        String fidKey = Metric.scoreKey("fid", suffix);
        String fidInfKey = Metric.scoreKey("fid_infinity", suffix);
        FeatureExtractor.Features fakeFeatures = null;
        FeatureCache.Entry realE = null;
        if (needFeatures) {
            realE = realEntry();
            fakeFeatures = extractor.extract(fake, batchSize, metrics.contains(Metric.IS));
            if (dumpPrefix != null) {
                dump(realE.features().features(), fakeFeatures.features());
            }
        }
        if (metrics.contains(Metric.FID)) {
            if (realReference == null) {
                realReference = new FrechetDistance.Reference(realE.stats());
            }
            values.put(fidKey, realReference.distanceTo(GaussianStats.of(fakeFeatures.features())));
            boolean small = fake.size() < FrechetDistance.UNBIASED_SAMPLE_COUNT;
            if (small) {
                warnings.add("FID from " + fake.size() + " fakes (< " + FrechetDistance.UNBIASED_SAMPLE_COUNT
                        + ") is biased upward and not comparable across sample counts; compare equal counts (or"
                        + " " + fidInfKey + " where reported)");
            }
            if (fidInfinity == null ? small : fidInfinity) {
                FidInfinity.Outcome out = FidInfinity.estimate(realReference, fakeFeatures.features(), seed, fidInfKey);
                if (out.computed()) {
                    FrechetDistance.Extrapolation ex = out.line();
                    values.put(fidInfKey, ex.fidInfinity());
                    details.put("fid_infinity", Map.of("method", "Chong & Forsyth 2020: least-squares line in 1/N"
                            + " over " + ex.sizes().length + " random subsets of the fakes, read at 1/N = 0",
                            "sizes", ex.sizes(), "fids", ex.fids(), "slope", ex.slope()));
                } else {
                    warnings.add(out.omittedBecause());
                }
            }
        }
        if (metrics.contains(Metric.KID)) {
            KernelInceptionDistance.Result k = KernelInceptionDistance.kid(realE.features().features(),
                    fakeFeatures.features(), kidSubsets, kidSubsetSize, seed);
            values.put(Metric.scoreKey("kid", suffix), k.mean());
            values.put(Metric.scoreKey("kid_std", suffix), k.std());
            details.put("kid", Map.of("kernel", "(x.y/d + 1)^3", "estimator", "unbiased MMD^2", "subsets",
                    k.subsets(), "subset_size", k.subsetSize()));
        }
        if (metrics.contains(Metric.IS)) {
            InceptionScore.Result r = InceptionScore.score(fakeFeatures.logits());
            values.put(Metric.scoreKey("is", suffix), r.mean());
            values.put(Metric.scoreKey("is_std", suffix), r.std());
            details.put("is", Map.of("splits", r.splits(), "classes", fakeFeatures.logits().cols()));
        }
        if (metrics.contains(Metric.PR)) {
            PrecisionRecall.Result r = PrecisionRecall.compute(realE.features().features(), fakeFeatures.features());
            values.put(Metric.scoreKey("precision", suffix), r.precision());
            values.put(Metric.scoreKey("recall", suffix), r.recall());
            details.put("pr", Map.of("k", r.k()));
        }
        if (metrics.contains(Metric.MSSSIM)) {
            int pairs = msssimPairs > 0 ? msssimPairs : Math.max(1, Math.min(MsSsim.DEFAULT_PAIRS, fake.size() / 2));
            MsSsim.Diversity f = MsSsim.diversity(fake, pairs, seed);
            if (realDiversity == null || realDiversity.pairs() != pairs) {
                realDiversity = MsSsim.diversity(real, pairs, seed);
            }
            values.put("msssim_fake", f.mean());
            values.put("msssim_real", realDiversity.mean());
            details.put("msssim", Map.of("pairs", pairs, "scales_fake", f.scales(), "scales_real",
                    realDiversity.scales(), "std_fake", f.std(), "std_real", realDiversity.std(), "policy",
                    "tf.image.ssim_multiscale semantics; images too small for 5 scales use the scales that keep"
                            + " 11 px, weights renormalised"));
            if (f.scales() < MsSsim.WEIGHTS.length) {
                warnings.add("MS-SSIM on " + fake.height() + "x" + fake.width() + " images uses " + f.scales()
                        + " of 5 scales (renormalised weights): not comparable with 5-scale figures");
            }
        }
        if (metrics.contains(Metric.SWD)) {
            SlicedWasserstein.Result r = SlicedWasserstein.compute(real, fake, seed);
            values.put("swd_x1e3", r.meanX1e3());
            for (int i = 0; i < r.resolutions().length; i++) {
                values.put("swd_" + r.resolutions()[i] + "_x1e3", r.perLevelX1e3()[i]);
            }
            details.put("swd", Map.of("scale", "x1e3 (as ProGAN reports)", "levels", r.resolutions(), "images",
                    r.images(), "descriptors_per_image_and_level", SlicedWasserstein.NHOODS_PER_IMAGE,
                    "directions", SlicedWasserstein.DIR_REPEATS + " x " + SlicedWasserstein.DIRS_PER_REPEAT));
        }
        String sha = extractor == null ? "none" : extractor.weightsSha256();
        EvaluationReport.Setup setup = new EvaluationReport.Setup(
                extractor == null ? "none" : extractor.id(), sha,
                extractor == null ? "none" : extractor.preparation().describe(real),
                extractor == null ? "none" : extractor.preparation().describe(fake),
                realName, real.size(), fake.name(), fake.size(), seed,
                realE == null ? "none" : realE.name() + (realE.hit() ? " (hit)" : " (written)"));
        return new EvaluationReport(setup, suffix, values, details, warnings);
    }

    private void checkCounts(ImageDataset fake) {
        int f = fake.size();
        int r = real.size();
        if (metrics.contains(Metric.FID) && (f < 2 || r < 2)) {
            throw tooFew("fid", 2, r, f);
        }
        if (metrics.contains(Metric.KID) && (f < 2 || r < 2)) {
            throw tooFew("kid", 2, r, f);
        }
        if (metrics.contains(Metric.IS) && f < InceptionScore.DEFAULT_SPLITS) {
            throw new UserError("metric is: needs at least " + InceptionScore.DEFAULT_SPLITS + " fake images (one per"
                    + " split), got " + f + "; raise --n or generate more images");
        }
        if (metrics.contains(Metric.PR) && (f <= PrecisionRecall.DEFAULT_K || r <= PrecisionRecall.DEFAULT_K)) {
            throw tooFew("pr", PrecisionRecall.DEFAULT_K + 1, r, f);
        }
        if (metrics.contains(Metric.MSSSIM) && (f < 2 || r < 2)) {
            throw tooFew("msssim", 2, r, f);
        }
        if (metrics.contains(Metric.SWD) && (f < 2 || r < 2)) {
            throw tooFew("swd", 2, r, f);
        }
    }

    private static UserError tooFew(String metric, int need, int real, int fake) {
        return new UserError("metric " + metric + ": needs at least " + need + " real and " + need
                + " fake images, got " + real + " real and " + fake + " fake; raise --n or supply more images");
    }

    private void dump(FeatureMatrix realF, FeatureMatrix fakeF) {
        Path r = Path.of(dumpPrefix + "-real.npy");
        Path f = Path.of(dumpPrefix + "-fake.npy");
        try {
            Npy.writeFloat32(r, realF);
            Npy.writeFloat32(f, fakeF);
        } catch (IOException e) {
            throw new UserError("cannot write feature dumps " + r + ", " + f + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (ownsExtractor && extractor != null) {
            extractor.close();
        }
    }

    /** Settings for an {@link Evaluator}. */
    public static final class Builder {
        private String featuresSpec = "fmnist";
        private FeatureExtractor extractor;
        private String realSpec;
        private ImageDataset realSet;
        private String realName;
        private int n = DEFAULT_N;
        private Set<Metric> metrics = EnumSet.of(Metric.FID);
        private long seed;
        private int batchSize = DEFAULT_BATCH;
        private Path cacheDir = FeatureCache.defaultDir();
        private Boolean fidInfinity;
        private int msssimPairs;
        private int kidSubsets = KernelInceptionDistance.DEFAULT_SUBSETS;
        private int kidSubsetSize = KernelInceptionDistance.DEFAULT_SUBSET_SIZE;
        private Path dumpPrefix;

        private Builder() {}

        /** {@code fmnist} (default), {@code fmnist=PATH}, {@code inception=PATH}, {@code torchscript=PATH?...}. */
        public Builder features(String spec) {
            this.featuresSpec = spec;
            this.extractor = null;
            return this;
        }

        /** An extractor the caller owns (not closed by the evaluator). */
        public Builder features(FeatureExtractor extractor) {
            this.extractor = extractor;
            return this;
        }

        /** A data set spec for {@link Datasets#load(String)}, e.g. {@code fashion-mnist:test} or a folder. */
        public Builder real(String spec) {
            this.realSpec = spec;
            this.realSet = null;
            return this;
        }

        /** Real images already in memory. */
        public Builder real(ImageDataset images) {
            this.realSet = images;
            this.realSpec = null;
            return this;
        }

        /** Images per side (default 10,000). */
        public Builder n(int n) {
            if (n < 1) {
                throw new UserError("--n " + n + ": must be at least 1");
            }
            this.n = n;
            return this;
        }

        /** A comma-separated list: fid, kid, is, pr, msssim, swd (or all). */
        public Builder metrics(String csv) {
            this.metrics = Metric.parseList(csv);
            return this;
        }

        public Builder metrics(Set<Metric> set) {
            if (set.isEmpty()) {
                throw new UserError("no metrics selected");
            }
            this.metrics = EnumSet.copyOf(set);
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder batchSize(int b) {
            if (b < 1) {
                throw new UserError("batch size " + b + ": must be at least 1");
            }
            this.batchSize = b;
            return this;
        }

        /** Where real features are cached (default {@code <home>/build/cache/stats}); null turns caching off. */
        public Builder cacheDir(Path dir) {
            this.cacheDir = dir;
            return this;
        }

        /**
         * Ask for FID_infinity at any count (true) or never (false); default: below 10,000 fakes. Either
         * way it is left out, with a warning, when its smallest subset would hold fewer than twice the
         * feature dimension ({@link FidInfinity}).
         */
        public Builder fidInfinity(boolean on) {
            this.fidInfinity = on;
            return this;
        }

        /** Random pairs per set for MS-SSIM diversity (default: min(n/2, 5000)). */
        public Builder msssimPairs(int pairs) {
            this.msssimPairs = pairs;
            return this;
        }

        /** KID subsets and their largest size (defaults 100 and 1000). */
        public Builder kid(int subsets, int subsetSize) {
            if (subsets < 1 || subsetSize < 2) {
                throw new UserError("KID needs at least 1 subset of at least 2 samples, got " + subsets + " x "
                        + subsetSize);
            }
            this.kidSubsets = subsets;
            this.kidSubsetSize = subsetSize;
            return this;
        }

        /** Also write {@code PREFIX-real.npy} and {@code PREFIX-fake.npy} (float32 N x D) on each evaluate. */
        public Builder dumpFeatures(Path prefix) {
            this.dumpPrefix = prefix;
            return this;
        }

        /**
         * Loads the real set and the extractor.
         *
         * @throws UserError for a missing real set, an unknown features spec or a missing weights file
         */
        public Evaluator build() {
            if (realSpec == null && realSet == null) {
                throw new UserError("no real images: set real(\"fashion-mnist:test\") (--real) or pass an ImageDataset");
            }
            ImageDataset loaded = realSet != null ? realSet : Datasets.load(realSpec);
            realName = realSet != null ? realSet.name() : realSpec;
            ImageDataset cut = loaded.size() > n ? loaded.sample(n, seed) : loaded;
            boolean needFeatures = metrics.stream().anyMatch(Metric::usesFeatures) || dumpPrefix != null;
            FeatureExtractor ext = extractor;
            boolean owns = false;
            if (ext == null && needFeatures) {
                ext = Extractors.open(featuresSpec);
                owns = true;
            }
            if (ext != null && metrics.contains(Metric.IS) && ext.logitsDim() < 0) {
                // A TorchScript model fed at the images' own size: one real image tells whether it
                // returns (features, logits).
                try {
                    ext.extract(cut.head(1), 1, true);
                } catch (RuntimeException e) {
                    if (owns) {
                        ext.close();
                    }
                    throw e;
                }
            }
            if (ext != null && metrics.contains(Metric.IS) && ext.logitsDim() <= 0) {
                if (owns) {
                    ext.close();
                }
                throw new UserError("metric is needs class logits, and --features " + (featuresSpec == null ? ext.id()
                        : featuresSpec) + " gives only features; use fmnist or inception=PATH, or a torchscript model"
                        + " returning (features, logits)");
            }
            return new Evaluator(this, ext, owns, cut);
        }
    }
}
