package dev.ganlab.metrics;

import dev.ganlab.Slow;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.UserError;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facade end to end with the committed Fashion-MNIST network on small counts. */
@Slow
class EvaluatorTest {

    private static final int N = 400;
    @TempDir static Path cache;
    private static Evaluator evaluator;
    private static ImageDataset train;
    private static EvaluationReport realVsReal;
    private static EvaluationReport realVsNoise;

    @BeforeAll
    static void evaluateOnce() {
        ImageDataset test = Datasets.load("fashion-mnist:test");
        train = Datasets.load("fashion-mnist:train?limit=" + N);
        evaluator = Evaluator.builder().features("fmnist").real(test).n(N).metrics("fid,kid,is,pr,msssim,swd")
                .seed(3).cacheDir(cache).kid(20, 200).msssimPairs(100).build();
        realVsReal = evaluator.evaluate(train);
        realVsNoise = evaluator.evaluate(noise(N, 28, 5));
    }

    @AfterAll
    static void close() {
        evaluator.close();
    }

    static ImageDataset noise(int n, int size, long seed) {
        Random r = new Random(seed);
        List<byte[]> px = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[size * size];
            r.nextBytes(b);
            px.add(b);
        }
        return new ImageDataset("noise", 1, size, size, px, null, List.of());
    }

    @Test
    void realImagesScoreFarBetterThanNoise() {
        assertTrue(realVsReal.get("fid_fmnist") * 20 < realVsNoise.get("fid_fmnist"), realVsReal + " vs " + realVsNoise);
        String both = realVsReal + " vs " + realVsNoise;
        assertTrue(realVsReal.get("kid_fmnist") * 20 < realVsNoise.get("kid_fmnist"), both);
        assertTrue(realVsReal.get("is_fmnist") > 2 * realVsNoise.get("is_fmnist"), both);
        assertTrue(realVsReal.get("precision_fmnist") > 0.5 && realVsReal.get("recall_fmnist") > 0.5, both);
        // Noise images all map to nearly one feature vector: it covers none of the real manifold (recall 0),
        // although that one point may lie inside it (precision is not a test of this).
        assertTrue(realVsNoise.get("recall_fmnist") < 0.05, both);
        assertTrue(realVsReal.get("swd_x1e3") * 3 < realVsNoise.get("swd_x1e3"), both);
        assertTrue(realVsNoise.get("msssim_fake") < realVsReal.get("msssim_fake"), both);
    }

    @Test
    void realAndFakeImagesOfDifferentSizesAreWarnedAboutAndScoreWorseThanAtOneSize(@TempDir Path ownCache) {
        ImageDataset train32 = Datasets.resized(train, 1, 32);
        assertFalse(realVsReal.warnings().stream().anyMatch(w -> w.contains("resamples the two sides")));
        EvaluationReport mixed;
        try (Evaluator at28 = Evaluator.builder().features("fmnist").real(Datasets.load("fashion-mnist:test")).n(N)
                .metrics("fid").seed(3).cacheDir(ownCache).build()) {
            mixed = at28.evaluate(train32);   // 28 px reals, 32 px fakes (SWD would refuse them)
        }
        assertTrue(mixed.warnings().stream().anyMatch(w -> w.contains("real images are 28x28 and the fakes 32x32")
                && w.contains("?resolution=32")), mixed.warnings().toString());
        try (Evaluator same = Evaluator.builder().features("fmnist").real(Datasets.load("fashion-mnist:test?resolution=32"))
                .n(N).metrics("fid").seed(3).cacheDir(ownCache).build()) {
            EvaluationReport matched = same.evaluate(train32);
            assertFalse(matched.warnings().stream().anyMatch(w -> w.contains("resamples the two sides")));
            // the same images, only the reals' resampling differs: the mismatch is what the warning is about
            assertTrue(matched.get("fid_fmnist") < mixed.get("fid_fmnist"), matched + " vs " + mixed);
        }
    }

    @Test
    void reportNamesItsSetupAndWarnsBelowTenThousand() {
        EvaluationReport.Setup s = realVsReal.setup();
        assertEquals("fmnist", s.features());
        try (FashionMnistFeatureNet net = FashionMnistFeatureNet.load()) {
            assertEquals(net.weightsSha256(), s.featuresSha256());
        }
        assertEquals(N, s.realCount());
        assertEquals(N, s.fakeCount());
        assertEquals(3, s.seed());
        assertTrue(s.realPreparation().contains("1x28x28") && s.realPreparation().contains("-1..1"),
                s.realPreparation());
        // 400 fakes of 128-d features: FID_infinity's smallest subset (40) is under 2 x 128, so it is left out.
        assertFalse(realVsReal.has("fid_infinity_fmnist"));
        assertTrue(realVsReal.warnings().stream().anyMatch(w -> w.contains("fid_infinity_fmnist left out")
                && w.contains("40 of the 400") && w.contains("256")), realVsReal.warnings().toString());
        assertTrue(realVsReal.warnings().stream().anyMatch(w -> w.contains("biased")));
        assertTrue(realVsReal.warnings().stream().anyMatch(w -> w.contains("2 of 5 scales")));
        JsonObject json = JsonParser.parseString(realVsReal.toJson()).getAsJsonObject();
        assertEquals(s.featuresSha256(), json.getAsJsonObject("setup").get("featuresSha256").getAsString());
        assertEquals(realVsReal.get("fid_fmnist"), json.getAsJsonObject("metrics").get("fid_fmnist").getAsDouble(), 0);
        assertTrue(realVsReal.tableLine().startsWith("fid_fmnist "), realVsReal.tableLine());
        // 20 subsets of 200 from 400 images: a measured spread, shown as one.
        assertTrue(realVsReal.tableLine().matches(".*kid_fmnist -?[0-9.]+±[0-9.]+.*"), realVsReal.tableLine());
        // Scores of the Fashion-MNIST network never appear under the Inception names.
        assertFalse(realVsReal.metrics().keySet().stream().anyMatch(MetricRegistry.featureScores()::contains),
                realVsReal.metrics().toString());
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class, () -> realVsReal.get("fid"));
        assertTrue(plain.getMessage().contains("fid_fmnist"), plain.getMessage());
        assertTrue(realVsReal.has("swd_28_x1e3"), realVsReal.metrics().toString());   // 28x28: one level
    }

    @Test
    void realFeaturesAreWrittenOnceThenReadFromTheCache() throws Exception {
        // The class's cache folder starts empty: the first evaluation must extract and write.
        assertTrue(realVsReal.setup().realCache().endsWith("(written)"), realVsReal.setup().realCache());
        try (var files = Files.list(cache)) {
            assertEquals(3, files.filter(p -> p.toString().endsWith(".npy")).count());  // features, logits, stats
        }
        try (Evaluator again = Evaluator.builder().features("fmnist").real(evaluator.real()).n(N).metrics("fid,is")
                .seed(3).cacheDir(cache).build()) {
            EvaluationReport r = again.evaluate(train);
            assertTrue(r.setup().realCache().endsWith("(hit)"), r.setup().realCache());
            assertEquals(realVsReal.get("fid_fmnist"), r.get("fid_fmnist"), 1e-9);
        }
    }

    /**
     * The facade's wiring checked against scipy: a stand-in extractor maps image i of a set to row i
     * of a fixture matrix, so the evaluator's FID, KID and precision/recall must equal the values
     * make_metric_fixtures.py computed for those matrices, whether the real features come from the
     * network (cache miss) or from disk (hit).
     */
    @Test
    void scoresMatchScipyOnACacheMissAndOnTheFollowingHit(@TempDir Path dir) {
        JsonObject ref = Fixtures.reference();
        RowLookup lookup = new RowLookup(Fixtures.matrix("features_a.npy"), Fixtures.matrix("features_b.npy"),
                Fixtures.matrix("features_near.npy"));
        ImageDataset real = RowLookup.images(0, 300);
        // Then with the cache off (--no-cache): the same numbers, and the setup says nothing was written.
        for (String expectedCache : new String[] {"(written)", "(hit)", "off (computed, not kept)"}) {
            try (Evaluator ev = Evaluator.builder().features(lookup).real(real).n(300).metrics("fid,kid,pr").seed(1)
                    .cacheDir(expectedCache.startsWith("off") ? null : dir).kid(1, 300).build()) {
                EvaluationReport vsB = ev.evaluate(RowLookup.images(1, 300));
                assertTrue(vsB.setup().realCache().endsWith(expectedCache), vsB.setup().realCache());
                assertEquals("fid_row_lookup", vsB.key("fid"), "a network other than Inception names its scores");
                double fid = ref.get("fid_a_b").getAsDouble();
                assertEquals(fid, vsB.get(vsB.key("fid")), 1e-9 * fid, expectedCache);
                // One subset of all 300: the full-set unbiased MMD^2 (cached features are float32).
                double kid = ref.get("kid_a_b_full_set").getAsDouble();
                assertEquals(kid, vsB.get(vsB.key("kid")), 1e-5 * kid, expectedCache);
                assertEquals(0.0, vsB.get(vsB.key("kid_std")), "no spread to measure");
                assertTrue(vsB.tableLine().contains("(one subset: the whole sets, no spread)"), vsB.tableLine());
                EvaluationReport vsNear = ev.evaluate(RowLookup.images(2, 200));
                assertEquals(ref.get("precision_a_near").getAsDouble(), vsNear.get(vsNear.key("precision")), 1e-12, expectedCache);
                assertEquals(ref.get("recall_a_near").getAsDouble(), vsNear.get(vsNear.key("recall")), 1e-12, expectedCache);
            }
        }
        // Real rows extracted on the miss, not on the hit, and again with the cache off.
        assertEquals(lookup.extracted, (300 + 300 + 200) + (300 + 200) + (300 + 300 + 200), "real rows extracted once"
                + " per cached pair, on the miss only");
    }

    /** A stand-in network: image pixels (table, index) select a row of one of three fixture matrices. */
    static final class RowLookup implements FeatureExtractor {
        private final FeatureMatrix[] tables;
        int extracted;

        RowLookup(FeatureMatrix... tables) {
            this.tables = tables;
        }

        static ImageDataset images(int table, int count) {
            List<byte[]> px = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] b = new byte[16];
                b[0] = (byte) table;
                b[1] = (byte) (i >> 8);
                b[2] = (byte) i;
                px.add(b);
            }
            return new ImageDataset("table" + table, 1, 4, 4, px, null, List.of());
        }

        @Override
        public String id() {
            return "row-lookup";
        }

        @Override
        public String weightsSha256() {
            return "0".repeat(64);
        }

        @Override
        public int featureDim() {
            return tables[0].cols();
        }

        @Override
        public int logitsDim() {
            return 0;
        }

        @Override
        public ImagePreparation preparation() {
            return new ImagePreparation(1, 4, false, ImagePreparation.Range.UINT8, "row lookup (test stand-in)");
        }

        @Override
        public Features extract(ImageDataset images, int batchSize, boolean withLogits) {
            int d = featureDim();
            double[] out = new double[images.size() * d];
            for (int i = 0; i < images.size(); i++) {
                byte[] b = images.pixels(i);
                FeatureMatrix t = tables[b[0]];
                int row = ((b[1] & 0xFF) << 8) | (b[2] & 0xFF);
                System.arraycopy(t.data(), row * d, out, i * d, d);
            }
            extracted += images.size();
            return new Features(new FeatureMatrix(images.size(), d, out), null);
        }

        @Override
        public void close() {}
    }

    @Test
    void dumpsFeaturesAsNpy(@TempDir Path dir) {
        Path prefix = dir.resolve("feat");
        try (Evaluator ev = Evaluator.builder().features("fmnist").real(train.head(50)).n(50).metrics("fid")
                .cacheDir(null).dumpFeatures(prefix).build()) {
            ev.evaluate(train.head(30));
        }
        Npy.Array real = Npy.read(dir.resolve("feat-real.npy"));
        Npy.Array fake = Npy.read(dir.resolve("feat-fake.npy"));
        assertArrayEquals(new int[] {50, FashionMnistFeatureNet.FEATURES}, real.shape());
        assertArrayEquals(new int[] {30, FashionMnistFeatureNet.FEATURES}, fake.shape());
    }

    @Test
    void badInputIsAUserErrorNamingTheValue() {
        UserError unknown = assertThrows(UserError.class, () -> Evaluator.builder().metrics("fid,fidd"));
        assertTrue(unknown.getMessage().contains("fidd"), unknown.getMessage());
        UserError few = assertThrows(UserError.class, () -> evaluator.evaluate(train.head(5)));
        assertTrue(few.getMessage().contains("is") && few.getMessage().contains("5"), few.getMessage());
        UserError noLogits = assertThrows(UserError.class, () -> Evaluator.builder()
                .features("torchscript=" + Path.of("/nonexistent.pt")).real(train).metrics("is").build());
        assertTrue(noLogits.getMessage().contains("/nonexistent.pt"), noLogits.getMessage());
        ImageDataset big = noise(10, 32, 1);
        try (Evaluator swd = Evaluator.builder().real(train.head(10)).n(10).metrics("swd").build()) {
            UserError size = assertThrows(UserError.class, () -> swd.evaluate(big));
            assertTrue(size.getMessage().contains("same size"), size.getMessage());
        }
        assertFalse(realVsReal.has("nonexistent"));
    }
}
