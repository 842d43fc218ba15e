package dev.ganlab.models.dcgan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.GanLab;
import dev.ganlab.models.DiscriminatorOutput;
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
 * The DCGAN family's networks: shapes, trainable parameter counts against the reference networks
 * built in PyTorch by {@code environment/reference/make_conv_transpose_fixtures.py}
 * ({@code models/dcgan_param_counts.json}), and initial weight statistics against the papers' codes.
 */
class DcganModelTest {

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    static JsonObject counts() {
        try (InputStream in = DcganModelTest.class.getResourceAsStream("/models/dcgan_param_counts.json")) {
            if (in == null) {
                throw new IllegalStateException("missing /models/dcgan_param_counts.json (make_conv_transpose_fixtures.py)");
            }
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DcganConfig config(String variant, String generator) {
        DcganConfig c = new DcganConfig();
        c.variant = variant;
        c.generator = generator;
        return c;
    }

    /** A dcgan config with both layouts named. */
    static DcganConfig config(String variant, String generator, String discriminator) {
        DcganConfig c = config(variant, generator);
        c.discriminator = discriminator;
        return c;
    }

    static long trainable(Block b) {
        long n = 0;
        for (Pair<String, Parameter> p : b.getParameters()) {
            if (p.getValue().requiresGradient()) {
                n += p.getValue().getArray().size();
            }
        }
        return n;
    }

    static List<NDArray> arrays(Block b, String nameContains) {
        List<NDArray> out = new ArrayList<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            if (p.getKey().contains(nameContains)) {
                out.add(p.getValue().getArray());
            }
        }
        return out;
    }

    /** Generated images and logits have the right shapes at 28 (dcgan only), 32 and 64 px. */
    @Test
    void outputShapes() {
        String[][] nets = {{"dcgan", "paper", "paper"}, {"dcgan", "pytorchgan", "pytorchgan"},
            {"dcgan", "paper", "pytorchgan"}, {"dcgan", "pytorchgan", "paper"}, {"sndcgan", "paper", "paper"}};
        for (String[] net : nets) {
            for (int res : new int[] {28, 32, 64}) {
                if (net[0].equals("sndcgan") && res == 28) {
                    continue;
                }
                int ch = res == 28 ? 1 : 3;
                try (NDManager m = GanLab.newManager()) {
                    DcganModel model = new DcganModel(config(net[0], net[1], net[2]), ch, res);
                    model.initializeGenerator(model.generator(), m);
                    model.initializeDiscriminator(m);
                    ParameterStore ps = new ParameterStore(m, false);
                    NDArray z = model.sampleLatent(m, 2);
                    assertEquals(new Shape(2, net[0].equals("sndcgan") ? 128 : 100), z.getShape(), net[0] + " latent");
                    NDArray x = model.generate(model.generator(), ps, z, false);
                    String what = net[0] + "/" + net[1] + "/" + net[2] + " " + res + " px";
                    assertEquals(new Shape(2, ch, res, res), x.getShape(), what + " image");
                    assertTrue(x.abs().max().getFloat() <= 1f, what + " tanh output");
                    DiscriminatorOutput d = model.discriminate(ps, x, false, false);
                    assertEquals(new Shape(2), d.logits().getShape(), what + " logits");
                }
            }
        }
    }

    /**
     * Trainable parameters equal those of the reference networks built in torch (the paper
     * discriminator's counts: {@link DcganPaperDiscriminatorTest}).
     */
    @Test
    void parameterCountsMatchTheReferenceNetworks() {
        JsonObject ref = counts();
        Object[][] cases = {
            {"sndcgan", "paper", 3, 32, "sndcgan_G_3x32", "sndcgan_D_3x32"},
            {"sndcgan", "paper", 3, 64, "sndcgan_G_3x64", "sndcgan_D_3x64"},
            {"sndcgan", "paper", 1, 32, "sndcgan_G_1x32", "sndcgan_D_1x32"},
            {"dcgan", "paper", 3, 32, "dcgan_paper_G_3x32", "dcgan_pytorchgan_D_3x32"},
            {"dcgan", "paper", 3, 64, "dcgan_paper_G_3x64", "dcgan_pytorchgan_D_3x64"},
            {"dcgan", "paper", 1, 28, "dcgan_paper_G_1x28", "dcgan_pytorchgan_D_1x28"},
            {"dcgan", "pytorchgan", 3, 32, "dcgan_pytorchgan_G_3x32", null},
            {"dcgan", "pytorchgan", 3, 64, "dcgan_pytorchgan_G_3x64", null},
            {"dcgan", "pytorchgan", 1, 28, "dcgan_pytorchgan_G_1x28", null},
        };
        for (Object[] c : cases) {
            try (NDManager m = GanLab.newManager()) {
                // dcgan's D counts here are PyTorch-GAN's layout, whatever the generator
                String d = c[0].equals("dcgan") ? "pytorchgan" : "paper";
                DcganModel model = new DcganModel(config((String) c[0], (String) c[1], d), (int) c[2], (int) c[3]);
                model.initializeGenerator(model.generator(), m);
                assertEquals(ref.get((String) c[4]).getAsLong(), trainable(model.generator()), (String) c[4]);
                if (c[5] != null) {
                    model.initializeDiscriminator(m);
                    assertEquals(ref.get((String) c[5]).getAsLong(), trainable(model.discriminator()), (String) c[5]);
                }
            }
        }
    }

    /**
     * DCGAN paper generator: the official code's shapes (dense 100 -> 1024*4*4 without bias, 5x5
     * deconvolution kernels (C_in, C_out, 5, 5) = (1024, 512, 5, 5) first), weights N(0, 0.02) and
     * batch-norm scales N(1, 0.02) (its {@code gifn} and {@code gain_ifn}).
     */
    @Test
    void paperGeneratorHasTheOfficialShapesAndInitialisation() {
        try (NDManager m = GanLab.newManager()) {
            GanLab.seedEngine(5);
            DcganModel model = new DcganModel(config("dcgan", "paper"), 3, 64);
            Block g = model.generator();
            model.initializeGenerator(g, m);
            List<NDArray> weights = arrays(g, "weight");
            assertEquals(5, weights.size(), "one dense and four transposed convolutions");
            assertEquals(new Shape(1024L * 4 * 4, 100), weights.get(0).getShape());
            assertEquals(new Shape(1024, 512, 5, 5), weights.get(1).getShape());
            assertEquals(new Shape(128, 3, 5, 5), weights.get(4).getShape());
            assertEquals(0, arrays(g, "bias").size(), "no biases: batch norm shifts, tanh output layer has none either");
            assertEquals(4, arrays(g, "gamma").size(), "batch norm on every layer but the output");
            for (NDArray w : weights) {
                assertMoments(w, 0, 0.02, w.getShape() + " weight");
            }
            for (NDArray gamma : arrays(g, "gamma")) {
                assertMoments(gamma, 1, 0.02, gamma.getShape() + " gamma");
            }
        }
    }

    /** compare_gan's SNDCGAN: weights N(0, 0.02), biases 0, batch-norm scales 1, shifts 0; SN everywhere in D. */
    @Test
    void sndcganInitialisationAndSpectralNormFollowCompareGan() {
        try (NDManager m = GanLab.newManager()) {
            GanLab.seedEngine(6);
            DcganModel model = new DcganModel(config("sndcgan", "paper"), 3, 32);
            model.initializeGenerator(model.generator(), m);
            model.initializeDiscriminator(m);
            Block g = model.generator();
            assertEquals(new Shape(512, 256, 4, 4), arrays(g, "weight").get(1).getShape(), "first deconv (C_in, C_out, 4, 4)");
            assertEquals(new Shape(512L * 4 * 4), arrays(g, "gamma").get(0).getShape(), "BN over the dense features");
            for (NDArray gamma : arrays(g, "gamma")) {
                assertEquals(1f, gamma.min().getFloat());
                assertEquals(1f, gamma.max().getFloat());
            }
            for (Block net : new Block[] {g, model.discriminator()}) {
                for (NDArray w : arrays(net, "weight")) {
                    if (w.size() > 1000) {
                        assertMoments(w, 0, 0.02, w.getShape() + " weight");
                    }
                }
                for (NDArray b : arrays(net, "bias")) {
                    assertEquals(0f, b.abs().max().getFloat(), b.getShape() + " bias");
                }
            }
            // every D layer (7 convs and the head) carries spectral norm's vectors
            assertEquals(8, arrays(model.discriminator(), "sn_u").size());
            assertEquals(8, arrays(model.discriminator(), "weight").size());
            assertEquals(new Shape(64, 3, 3, 3), arrays(model.discriminator(), "weight").get(0).getShape());
            assertEquals(new Shape(128, 64, 4, 4), arrays(model.discriminator(), "weight").get(1).getShape());
        }
    }

    /** Sample mean and standard deviation within 5 standard errors (and 5% of the std) of the target. */
    static void assertMoments(NDArray a, double mean, double std, String what) {
        double n = a.size();
        double mu = a.mean().getFloat();
        double sd = Math.sqrt(a.sub((float) mu).square().sum().getFloat() / (n - 1));
        assertEquals(mean, mu, 5 * std / Math.sqrt(n) + 1e-6, what + " mean");
        assertEquals(std, sd, Math.max(0.05 * std, 5 * std / Math.sqrt(2 * n)), what + " std");
    }

    /** Latents: U(-1, 1) by default (variance 1/3), N(0, I) with dcgan.latent=normal. */
    @Test
    void latentsFollowTheConfiguredDistribution() {
        try (NDManager m = GanLab.newManager()) {
            GanLab.seedEngine(8);
            NDArray u = new DcganModel(config("dcgan", "paper"), 1, 28).sampleLatent(m, 400); // 40,000 values
            assertEquals(new Shape(400, 100), u.getShape());
            assertTrue(u.abs().max().getFloat() <= 1f, "uniform latents stay in [-1, 1]");
            assertMoments(u, 0, Math.sqrt(1.0 / 3), "uniform latent");
            DcganConfig c = config("sndcgan", "paper");
            c.latent = "normal";
            NDArray n = new DcganModel(c, 3, 32).sampleLatent(m, 400);
            assertEquals(new Shape(400, 128), n.getShape());
            assertMoments(n, 0, 1, "normal latent");
            assertTrue(n.abs().max().getFloat() > 2f, "normal latents have tails");
        }
    }

    @Test
    void badSettingsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DcganModel(config("dcgan", "transposed"), 1, 28));
        assertTrue(e.getMessage().contains("dcgan.generator 'transposed'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DcganModel(config("sndcgan", "pytorchgan"), 3, 32));
        assertTrue(e.getMessage().contains("dcgan.generator 'pytorchgan'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DcganModel(config("dcgan", "paper", "conv5"), 1, 28));
        assertTrue(e.getMessage().contains("dcgan.discriminator 'conv5'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new DcganModel(config("sndcgan", "paper", "pytorchgan"), 3, 32));
        assertTrue(e.getMessage().contains("dcgan.discriminator 'pytorchgan'"), e.getMessage());
        DcganConfig gaussian = config("dcgan", "paper");
        gaussian.latent = "gaussian";
        e = assertThrows(IllegalArgumentException.class, () -> new DcganModel(gaussian, 1, 28));
        assertTrue(e.getMessage().contains("dcgan.latent 'gaussian'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DcganModel(config("sndcgan", "paper"), 1, 28));
        assertTrue(e.getMessage().contains("SNDCGAN resolution 28"), e.getMessage());
    }
}
