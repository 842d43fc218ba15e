package dev.ganlab.metrics;

import com.google.gson.JsonObject;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The StyleGAN2-ADA Inception calling convention, exercised with the small stand-in network made by
 * environment/reference/make_tiny_inception.py, against the outputs torch computed for the same
 * images.
 */
class TorchScriptExtractorTest {

    private static final JsonObject META = Fixtures.json("tiny_inception.json");
    private static TorchScriptExtractor net;

    @BeforeAll
    static void load() throws URISyntaxException {
        net = TorchScriptExtractor.styleganInception(tinyPath(), META.get("input_size").getAsInt(), "tiny-inception");
    }

    @AfterAll
    static void close() {
        net.close();
    }

    static Path tinyPath() throws URISyntaxException {
        return Path.of(TorchScriptExtractorTest.class.getResource("/metrics/tiny_inception.pt").toURI());
    }

    @Test
    void reportsShapesAndTheFilesSha256() {
        assertEquals(META.get("sha256").getAsString(), net.weightsSha256());
        assertEquals(16, net.featureDim());
        assertEquals(12, net.logitsDim());
    }

    @Test
    void largerRgbImagesAreAreaShrunkAndMatchTorch() {
        check("rgb64");
    }

    @Test
    void smallerGreyImagesAreReplicatedToRgbAndEnlargedByTheNetworkAsInTorch() {
        check("grey20");
    }

    private static void check(String name) {
        ImageDataset images = Fixtures.images("tiny_input_" + name + ".npy");
        FeatureExtractor.Features f = net.extract(images, 2);   // batch 2: several forward passes
        FeatureMatrix expectedFeatures = Fixtures.matrix("tiny_features_" + name + ".npy");
        FeatureMatrix expectedProbs = Fixtures.matrix("tiny_probs_" + name + ".npy");
        assertEquals(expectedFeatures.rows(), f.features().rows());
        assertEquals(16, f.features().cols());
        assertEquals(12, f.logits().cols());
        for (int i = 0; i < expectedFeatures.data().length; i++) {
            assertEquals(expectedFeatures.data()[i], f.features().data()[i], 1e-4, name + " feature " + i);
        }
        double[] probs = InceptionScore.softmaxRows(f.logits());
        for (int i = 0; i < probs.length; i++) {
            assertEquals(expectedProbs.data()[i], probs[i], 1e-5, name + " probability " + i);
        }
    }

    @Test
    void withoutLogitsOnlyFeaturesAreComputed() {
        FeatureExtractor.Features f = net.extract(Fixtures.images("tiny_input_grey20.npy"), 8, false);
        assertNull(f.logits());
    }

    @Test
    void plainConventionTakesAnyTorchScriptModel() throws URISyntaxException {
        // The stand-in called as forward(x) returns probabilities: a plain model with 12 "features".
        try (TorchScriptExtractor plain = TorchScriptExtractor.plain(tinyPath(), 32, 3, ImagePreparation.Range.UINT8)) {
            assertEquals(12, plain.featureDim());
            assertEquals(0, plain.logitsDim());
            FeatureExtractor.Features f = plain.extract(Fixtures.images("tiny_input_rgb64.npy"), 4);
            assertEquals(4, f.features().rows());
            assertNull(f.logits());
        }
    }

    /**
     * A plain model whose forward(x) returns (features, logits), given with nothing but its path: the
     * Inception Score runs without size or channel options and matches the score numpy computed from
     * torch's logits for the same images (environment/reference/make_tiny_two_output.py).
     */
    @Test
    void inceptionScoreRunsOnAPlainModelReturningFeaturesAndLogits() throws URISyntaxException {
        JsonObject meta = Fixtures.json("tiny_two_output.json");
        Path file = Path.of(TorchScriptExtractorTest.class.getResource("/metrics/tiny_two_output.pt").toURI());
        ImageDataset images = Fixtures.images("tiny_two_output_input.npy");
        try (Evaluator ev = Evaluator.builder().features("torchscript=" + file).real(images).n(images.size())
                .metrics("is").cacheDir(null).build()) {
            assertEquals(6, ev.extractor().logitsDim());
            assertEquals(meta.get("sha256").getAsString(), ev.extractor().weightsSha256());
            EvaluationReport r = ev.evaluate(images);
            assertEquals("is_tiny_two_output", r.key("is"), "named after the model file, not as Inception's IS");
            assertEquals(meta.get("is_mean").getAsDouble(), r.get(r.key("is")), 1e-5);
            assertEquals(meta.get("is_std").getAsDouble(), r.get(r.key("is_std")), 1e-5);
        }
        // The logits themselves, against torch's.
        try (TorchScriptExtractor plain = TorchScriptExtractor.plain(file, 0, 0, ImagePreparation.Range.SYMMETRIC)) {
            assertEquals(-1, plain.logitsDim(), "unknown before the first extraction");
            FeatureExtractor.Features f = plain.extract(images, 16);
            FeatureMatrix expected = Fixtures.matrix("tiny_two_output_logits.npy");
            assertEquals(6, plain.logitsDim());
            for (int i = 0; i < expected.data().length; i++) {
                assertEquals(expected.data()[i], f.logits().data()[i], 1e-4, "logit " + i);
            }
        }
    }

    @Test
    void isOnAPlainModelWithoutLogitsIsAUserErrorAfterTheProbe() throws URISyntaxException {
        // The stand-in called as forward(x) returns one tensor: features only, known after one image.
        ImageDataset images = Fixtures.images("tiny_input_rgb64.npy");
        UserError e = assertThrows(UserError.class, () -> Evaluator.builder().features("torchscript=" + tinyPath()
                + "?range=0..255").real(images).metrics("is").cacheDir(null).build());
        assertTrue(e.getMessage().contains("logits"), e.getMessage());
    }

    @Test
    void missingFileIsAUserErrorNamingIt() {
        UserError e = assertThrows(UserError.class, () -> Extractors.open("inception=/nonexistent/x.pt"));
        assertTrue(e.getMessage().contains("/nonexistent/x.pt"), e.getMessage());
        UserError u = assertThrows(UserError.class, () -> Extractors.open("vgg16"));
        assertTrue(u.getMessage().contains("vgg16") && u.getMessage().contains("fmnist"), u.getMessage());
    }
}
