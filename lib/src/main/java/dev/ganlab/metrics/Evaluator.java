package dev.ganlab.metrics;

import dev.ganlab.core.GanLab;
import dev.ganlab.core.Stoppable;
import dev.ganlab.core.UserError;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

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

    /** The real side's cache entry name when caching is off ({@code --no-cache}, {@code cacheDir(null)}). */
    private static final String NOT_CACHED = "none";
    /** Images per forward pass. */
    public static final int DEFAULT_BATCH = 200;

    private final FeatureExtractor extractor;
    private final boolean ownsExtractor;
    private final ImageDataset real;
    private final String realName;
    private final int n;
    private final List<Metric> metrics;
    private final long seed;
    private final int batchSize;
    private final FeatureCache cache;
    private final Options options;
    private final Path dumpPrefix;

    private FeatureCache.Entry realEntry;
    /** Statistics of the real set that metrics keep across evaluations ({@link Metric.Inputs#memo}). */
    private final Map<String, Object> memo = new HashMap<>();

    private Evaluator(Builder b, FeatureExtractor extractor, boolean owns, ImageDataset real) {
        this.extractor = extractor;
        this.ownsExtractor = owns;
        this.real = real;
        this.realName = b.realName;
        this.n = b.n;
        this.metrics = List.copyOf(b.metrics);
        this.seed = b.seed;
        this.batchSize = b.batchSize;
        this.cache = b.cacheDir == null ? null : new FeatureCache(b.cacheDir);
        this.options = new Options(b.fidInfinity, b.msssimPairs, b.kidSubsets, b.kidSubsetSize);
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

    /** The metrics computed, in {@link MetricRegistry} order. */
    public List<Metric> metrics() {
        return metrics;
    }

    /**
     * The settings metrics read.
     *
     * @param fidInfinity FID_infinity at any count (true), never (false), or below 10,000 fakes (null)
     * @param msssimPairs random pairs per set for MS-SSIM diversity (0: min(n/2, 5000))
     * @param kidSubsets KID subsets
     * @param kidSubsetSize their largest size
     */
    public record Options(Boolean fidInfinity, int msssimPairs, int kidSubsets, int kidSubsetSize) {}

    private static boolean anyNeeds(List<Metric> metrics, Metric.Input input) {
        return metrics.stream().anyMatch(m -> m.needs().contains(input));
    }

    /** Features (and logits when IS is on) of the real set, extracted once or read from the cache. */
    public synchronized FeatureExtractor.Features realFeatures() {
        return realEntry().features();
    }

    private synchronized FeatureCache.Entry realEntry() {
        if (realEntry != null) {
            return realEntry;
        }
        boolean logits = anyNeeds(metrics, Metric.Input.LOGITS) && extractor.logitsDim() > 0;
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
                e = new FeatureCache.Entry(f, stats, NOT_CACHED, false);
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
        for (Metric m : metrics) {
            m.checkCounts(real.size(), fake.size());
        }
        boolean needFeatures = anyNeeds(metrics, Metric.Input.FEATURES) || anyNeeds(metrics, Metric.Input.LOGITS)
                || dumpPrefix != null;
        // Scores in a feature space carry the network's name unless it is the standard Inception-v3.
        String suffix = extractor == null ? "" : extractor.scoreSuffix();
        FeatureExtractor.Features fakeFeatures = null;
        FeatureCache.Entry realE = null;
        if (needFeatures) {
            realE = realEntry();
            fakeFeatures = extractor.extract(fake, batchSize, anyNeeds(metrics, Metric.Input.LOGITS));
            if (dumpPrefix != null) {
                dump(realE.features().features(), fakeFeatures.features());
            }
        }
        Metric.Inputs in = new Prepared(fake, realE, fakeFeatures);
        Metric.Output out = new Metric.Output(suffix);
        for (Metric m : metrics) {
            m.measure(in, out);
        }
        if (needFeatures && (real.height() != fake.height() || real.width() != fake.width())) {
            // The network's resampling blurs one side and not the other (or each differently), and the feature
            // scores feel it: a 32 px SNDCGAN scored 28.3 against the 28 px Fashion-MNIST test split and 6.06
            // against the split at 32 px (environment/repro/findings.md).
            out.warn(String.format(java.util.Locale.ROOT, "real images are %dx%d and the fakes %dx%d, so the network"
                    + " resamples the two sides differently, which biases the feature scores; score against the real"
                    + " set at the fakes' size (a data set spec takes ?resolution=%d)", real.height(), real.width(),
                    fake.height(), fake.width(), fake.height()));
        }
        String sha = extractor == null ? "none" : extractor.weightsSha256();
        EvaluationReport.Setup setup = new EvaluationReport.Setup(
                extractor == null ? "none" : extractor.id(), sha,
                extractor == null ? "none" : extractor.preparation().describe(real),
                extractor == null ? "none" : extractor.preparation().describe(fake),
                realName, real.size(), fake.name(), fake.size(), seed,
                realE == null ? "none" : realE.name().equals(NOT_CACHED) ? "off (computed, not kept)"
                        : realE.name() + (realE.hit() ? " (hit)" : " (written)"));
        return new EvaluationReport(setup, suffix, out.values, out.details, out.warnings);
    }

    /** What the metrics of one evaluation read: the sets, their features and the evaluator's memo. */
    private final class Prepared implements Metric.Inputs {
        private final ImageDataset fake;
        private final FeatureCache.Entry realE;
        private final FeatureExtractor.Features fakeF;

        Prepared(ImageDataset fake, FeatureCache.Entry realE, FeatureExtractor.Features fakeF) {
            this.fake = fake;
            this.realE = realE;
            this.fakeF = fakeF;
        }

        @Override
        public ImageDataset real() {
            return real;
        }

        @Override
        public ImageDataset fake() {
            return fake;
        }

        @Override
        public FeatureMatrix realFeatures() {
            return realE.features().features();
        }

        @Override
        public GaussianStats realStats() {
            return realE.stats();
        }

        @Override
        public FeatureMatrix fakeFeatures() {
            return fakeF.features();
        }

        @Override
        public FeatureMatrix fakeLogits() {
            return fakeF.logits();
        }

        @Override
        public long seed() {
            return seed;
        }

        @Override
        public Options options() {
            return options;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T memo(String key, Supplier<T> make) {
            synchronized (Evaluator.this) {
                return (T) memo.computeIfAbsent(key, k -> make.get());
            }
        }
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
        private List<Metric> metrics = MetricRegistry.parseList("fid");
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

        /** A comma-separated list of {@link MetricRegistry} names: fid, kid, is, pr, msssim, swd (or all). */
        public Builder metrics(String csv) {
            this.metrics = MetricRegistry.parseList(csv);
            return this;
        }

        /** Metric objects, e.g. one not registered; computed in the order given. */
        public Builder metrics(List<Metric> list) {
            if (list.isEmpty()) {
                throw new UserError("no metrics selected");
            }
            this.metrics = List.copyOf(list);
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
            boolean logits = anyNeeds(metrics, Metric.Input.LOGITS);
            boolean needFeatures = anyNeeds(metrics, Metric.Input.FEATURES) || logits || dumpPrefix != null;
            FeatureExtractor ext = extractor;
            boolean owns = false;
            if (ext == null && needFeatures) {
                ext = Extractors.open(featuresSpec);
                owns = true;
            }
            if (ext != null && logits && ext.logitsDim() < 0) {
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
            if (ext != null && logits && ext.logitsDim() <= 0) {
                if (owns) {
                    ext.close();
                }
                String which = metrics.stream().filter(m -> m.needs().contains(Metric.Input.LOGITS)).map(Metric::name)
                        .findFirst().orElseThrow();
                throw new UserError("metric " + which + " needs class logits, and --features " + (featuresSpec == null ? ext.id()
                        : featuresSpec) + " gives only features; use fmnist or inception=PATH, or a torchscript model"
                        + " returning (features, logits)");
            }
            return new Evaluator(this, ext, owns, cut);
        }
    }
}
