package dev.ganlab.metrics;

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
        assertTrue(realVsReal.get("fid") * 20 < realVsNoise.get("fid"), realVsReal + " vs " + realVsNoise);
        String both = realVsReal + " vs " + realVsNoise;
        assertTrue(realVsReal.get("kid") * 20 < realVsNoise.get("kid"), both);
        assertTrue(realVsReal.get("is") > 2 * realVsNoise.get("is"), both);
        assertTrue(realVsReal.get("precision") > 0.5 && realVsReal.get("recall") > 0.5, both);
        // Noise images all map to nearly one feature vector: it covers none of the real manifold (recall 0),
        // although that one point may lie inside it (precision is not a test of this).
        assertTrue(realVsNoise.get("recall") < 0.05, both);
        assertTrue(realVsReal.get("swd_x1e3") * 3 < realVsNoise.get("swd_x1e3"), both);
        assertTrue(realVsNoise.get("msssim_fake") < realVsReal.get("msssim_fake"), both);
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
        assertTrue(realVsReal.has("fid_infinity"));
        assertTrue(realVsReal.warnings().stream().anyMatch(w -> w.contains("biased")));
        assertTrue(realVsReal.warnings().stream().anyMatch(w -> w.contains("2 of 5 scales")));
        JsonObject json = JsonParser.parseString(realVsReal.toJson()).getAsJsonObject();
        assertEquals(s.featuresSha256(), json.getAsJsonObject("setup").get("featuresSha256").getAsString());
        assertEquals(realVsReal.get("fid"), json.getAsJsonObject("metrics").get("fid").getAsDouble(), 0);
        assertTrue(realVsReal.tableLine().startsWith("fid "), realVsReal.tableLine());
        assertTrue(realVsReal.has("swd_28_x1e3"), realVsReal.metrics().toString());   // 28x28: one level
    }

    @Test
    void realFeaturesAreCachedOnDiskAndReused() throws Exception {
        assertTrue(realVsReal.setup().realCache().endsWith("(written)") || realVsReal.setup().realCache()
                .endsWith("(hit)"));
        try (var files = Files.list(cache)) {
            assertEquals(3, files.filter(p -> p.toString().endsWith(".npy")).count());  // features, logits, stats
        }
        try (Evaluator again = Evaluator.builder().features("fmnist").real(evaluator.real()).n(N).metrics("fid,is")
                .seed(3).cacheDir(cache).build()) {
            EvaluationReport r = again.evaluate(train);
            assertTrue(r.setup().realCache().endsWith("(hit)"), r.setup().realCache());
            assertEquals(realVsReal.get("fid"), r.get("fid"), 1e-9);
        }
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
