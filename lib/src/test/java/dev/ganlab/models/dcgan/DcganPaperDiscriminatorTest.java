package dev.ganlab.models.dcgan;

import static dev.ganlab.models.dcgan.DcganModelTest.arrays;
import static dev.ganlab.models.dcgan.DcganModelTest.assertMoments;
import static dev.ganlab.models.dcgan.DcganModelTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.GanLab;
import dev.ganlab.nn.Conv2d;
import dev.ganlab.nn.Dropout2d;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The DCGAN paper's discriminator ({@code dcgan.discriminator=paper}, Radford et al. 2016 and
 * Newmu/dcgan_code): counts, per-convolution shapes and flattened features against the network built
 * in PyTorch by {@code environment/reference/make_dcgan_discriminator_fixtures.py}
 * ({@code models/dcgan_paper_d_reference.json}) for every normaliser at 28, 32 and 64 px, and the
 * official code's kernel shapes and initialisation.
 */
class DcganPaperDiscriminatorTest {

    private static JsonObject reference;

    @BeforeAll
    static void load() {
        GanLab.init();
        GanLab.noGradOnThisThread();
        try (InputStream in = DcganPaperDiscriminatorTest.class.getResourceAsStream("/models/dcgan_paper_d_reference.json")) {
            if (in == null) {
                throw new IllegalStateException("missing /models/dcgan_paper_d_reference.json"
                        + " (environment/reference/make_dcgan_discriminator_fixtures.py)");
            }
            reference = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DcganModel model(String discriminator, String dNorm, int channels, int resolution) {
        DcganConfig c = config("dcgan", "paper");
        c.discriminator = discriminator;
        c.dNorm = dNorm;
        return new DcganModel(c, channels, resolution);
    }

    /** The feature extractor's layers (the discriminator's first child). */
    private static List<Block> featureLayers(Block discriminator) {
        return new ArrayList<>(discriminator.getChildren().values().get(0).getChildren().values());
    }

    /** Output shape (C, H, W) of each convolution, from the initialised network's shapes. */
    private static List<List<Long>> convShapes(Block discriminator, Shape input) {
        List<List<Long>> out = new ArrayList<>();
        Shape s = input;
        for (Block b : featureLayers(discriminator)) {
            s = b.getOutputShapes(new Shape[] {s})[0];
            if (b instanceof Conv2d) {
                out.add(List.of(s.get(1), s.get(2), s.get(3)));
            }
        }
        return out;
    }

    private static List<List<Long>> referenceShapes(JsonObject ref) {
        List<List<Long>> out = new ArrayList<>();
        for (JsonElement e : ref.getAsJsonArray("conv_shapes")) {
            JsonArray a = e.getAsJsonArray();
            out.add(List.of(a.get(0).getAsLong(), a.get(1).getAsLong(), a.get(2).getAsLong()));
        }
        return out;
    }

    /**
     * Trainable and non-trainable values, each convolution's output shape and the flattened features
     * equal the PyTorch build for none, batch, layer and spectral at 28 px grey, 32 px RGB and grey,
     * and 64 px RGB; PyTorch-GAN's layout keeps its counts under each normaliser.
     */
    @Test
    void countsAndShapesMatchTheTorchBuildForEveryNormaliser() {
        for (String norm : new String[] {"none", "batch", "layer", "spectral"}) {
            for (int[] cs : new int[][] {{1, 28}, {3, 32}, {1, 32}, {3, 64}}) {
                String key = norm + "_" + cs[0] + "x" + cs[1];
                JsonObject ref = reference.getAsJsonObject(key);
                try (NDManager m = GanLab.newManager()) {
                    DcganModel model = model("paper", norm, cs[0], cs[1]);
                    long[] n = DcganNormalizationTest.dCounts(model, m);
                    assertEquals(ref.get("trainable").getAsLong(), n[0], key + " trainable");
                    assertEquals(ref.get("non_trainable").getAsLong(), n[1], key + " non-trainable");
                    Shape input = new Shape(2, cs[0], cs[1], cs[1]);
                    assertEquals(referenceShapes(ref), convShapes(model.discriminator(), input), key + " conv shapes");
                    Shape features = model.discriminator().getOutputShapes(new Shape[] {input})[1];
                    assertEquals(ref.get("features").getAsLong(), features.get(1), key + " features");
                }
            }
            String key = "pytorchgan_" + norm + "_3x32";
            try (NDManager m = GanLab.newManager()) {
                long[] n = DcganNormalizationTest.dCounts(model("pytorchgan", norm, 3, 32), m);
                assertEquals(reference.getAsJsonObject(key).get("trainable").getAsLong(), n[0], key);
                assertEquals(reference.getAsJsonObject(key).get("non_trainable").getAsLong(), n[1], key);
            }
        }
    }

    /**
     * The official code's discriminator at 64 px: kernels (C_out, C_in, 5, 5) = (128, 3), (256, 128),
     * (512, 256), (1024, 512), a dense weight of 1024*4*4 inputs, no biases anywhere, weights N(0, 0.02)
     * ({@code difn}), batch-norm scales N(1, 0.02) ({@code gain_ifn}) and shifts 0 on layers 2-4.
     */
    @Test
    void theOfficialShapesAndInitialisation() {
        try (NDManager m = GanLab.newManager()) {
            GanLab.seedEngine(12);
            DcganModel model = model("paper", "batch", 3, 64);
            model.initializeDiscriminator(m);
            Block d = model.discriminator();
            List<NDArray> weights = arrays(d, "weight");
            long[][] kernels = {{128, 3}, {256, 128}, {512, 256}, {1024, 512}};
            assertEquals(5, weights.size(), "four convolutions and the dense layer");
            for (int i = 0; i < 4; i++) {
                assertEquals(new Shape(kernels[i][0], kernels[i][1], 5, 5), weights.get(i).getShape());
            }
            assertEquals(1024L * 4 * 4, weights.get(4).size(), "dense from the 4x4x1024 map to one logit");
            assertEquals(0, arrays(d, "bias").size(), "the code's discriminator has no biases");
            for (NDArray w : weights) {
                assertMoments(w, 0, 0.02, w.getShape() + " weight");
            }
            List<NDArray> gammas = arrays(d, "gamma");
            assertEquals(3, gammas.size(), "batch norm on every convolution but the first");
            for (NDArray g : gammas) {
                assertMoments(g, 1, 0.02, g.getShape() + " gamma");
            }
            for (NDArray b : arrays(d, "beta")) {
                assertEquals(0f, b.abs().max().getFloat(), b.getShape() + " beta");
            }
            assertEquals(List.of(256L, 512L, 1024L), gammas.stream().map(g -> g.getShape().get(0)).toList());
        }
    }

    /**
     * Defaults: dcgan's discriminator is the paper's with the code's ndf of 128 and no dropout; the
     * PyTorch-GAN layout keeps its 16 channels and Dropout2d 0.25; a dropout rate set for the paper
     * layout adds one Dropout2d per convolution (GAN Lab's option), which then makes training-mode
     * scores random.
     */
    @Test
    void defaultsAndTheDropoutOption() {
        DcganConfig c = new DcganConfig().fillDefaults();
        assertEquals("paper", c.discriminator);
        assertEquals(128, c.dWidth.intValue());
        assertEquals(0f, c.dDropout);
        DcganConfig p = new DcganConfig();
        p.discriminator = "pytorchgan";
        p.fillDefaults();
        assertEquals(16, p.dWidth.intValue());
        assertEquals(0.25f, p.dDropout);

        DcganModel plain = model("paper", "batch", 1, 28);
        assertFalse(featureLayers(plain.discriminator()).stream().anyMatch(b -> b instanceof Dropout2d), "no dropout");
        DcganConfig dc = config("dcgan", "paper");
        dc.dDropout = 0.5f;
        dc.dWidth = 8;
        DcganModel dropout = new DcganModel(dc, 1, 28);
        assertEquals(2, featureLayers(dropout.discriminator()).stream().filter(b -> b instanceof Dropout2d).count(),
                "one Dropout2d per convolution at 28 px");
        try (NDManager m = GanLab.newManager()) {
            dropout.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomUniform(-1f, 1f, new Shape(4, 1, 28, 28));
            float[] a = dropout.discriminate(ps, x, true, true).logits().toFloatArray();
            float[] b = dropout.discriminate(ps, x, true, true).logits().toFloatArray();
            float diff = 0;
            for (int i = 0; i < a.length; i++) {
                diff += Math.abs(a[i] - b[i]);
            }
            assertTrue(diff > 1e-6, "dropout is active in training mode");
        }
    }
}
