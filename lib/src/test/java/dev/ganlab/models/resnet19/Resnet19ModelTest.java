package dev.ganlab.models.resnet19;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.TinyRuns;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.models.ModelSummary;
import dev.ganlab.models.Models;
import dev.ganlab.nn.Normalization;
import dev.ganlab.train.GanTrainer;
import dev.ganlab.train.OptimizerConfig;
import dev.ganlab.train.TrainConfig;
import dev.ganlab.train.TrainingMonitor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ResNet19: parameter counts and block shapes against the architecture built in PyTorch from
 * compare_gan's description by {@code environment/reference/make_resnet19_fixtures.py}
 * ({@code /models/resnet19_reference.json}), the study's preset, and tiny training runs with each
 * discriminator normaliser under several losses and penalties.
 */
class Resnet19ModelTest {

    @TempDir Path tmp;

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    static JsonObject reference() {
        try (InputStream in = Resnet19ModelTest.class.getResourceAsStream("/models/resnet19_reference.json")) {
            if (in == null) {
                throw new IllegalStateException("missing /models/resnet19_reference.json (make_resnet19_fixtures.py)");
            }
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Resnet19Config config(int width, String dNorm) {
        Resnet19Config c = new Resnet19Config();
        c.gWidth = width;
        c.dWidth = width;
        c.dNorm = dNorm;
        return c;
    }

    /** {trainable, non-trainable} values of an initialised network. */
    static long[] counts(Block b) {
        long[] n = new long[2];
        for (Pair<String, Parameter> p : b.getParameters()) {
            n[p.getValue().requiresGradient() ? 0 : 1] += p.getValue().getArray().size();
        }
        return n;
    }

    /** Output shapes (batch dropped) of the residual blocks among a network's children, in order. */
    static List<Shape> blockShapes(Block network) {
        List<Shape> out = new ArrayList<>();
        collect(network, out);
        return out;
    }

    private static void collect(Block b, List<Shape> out) {
        for (Pair<String, Block> c : b.getChildren()) {
            if (c.getValue() instanceof ResBlock) {
                Shape s = c.getValue().getOutputShapes(c.getValue().getInputShapes())[0];
                out.add(s.slice(1));
            } else {
                collect(c.getValue(), out);
            }
        }
    }

    static List<Shape> shapes(JsonArray a) {
        List<Shape> out = new ArrayList<>();
        for (JsonElement e : a) {
            JsonArray d = e.getAsJsonArray();
            long[] s = new long[d.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = d.get(i).getAsLong();
            }
            out.add(new Shape(s));
        }
        return out;
    }

    /**
     * Trainable values of G and of D under each normaliser, non-trainable values (batch-norm running
     * statistics, spectral-norm vectors) and each block's output shape match the PyTorch build at
     * 128 px RGB (the study's size), 32 px grey (fewer up-sampling blocks, 1x1 pooling kept) and ch = 4.
     */
    @Test
    void countsAndBlockShapesMatchTheReferenceBuiltInPytorch() {
        JsonObject ref = reference();
        Object[][] cases = {{"rgb128", 64, 3, 128}, {"grey32", 64, 1, 32}, {"rgb32_ch4", 4, 3, 32}};
        for (Object[] c : cases) {
            JsonObject r = ref.getAsJsonObject((String) c[0]);
            for (String norm : Normalization.NAMES) {
                Resnet19Model model = new Resnet19Model(config((int) c[1], norm), (int) c[2], (int) c[3]);
                try (NDManager m = GanLab.newManager()) {
                    model.initializeGenerator(model.generator(), m);
                    model.initializeDiscriminator(m);
                    String what = c[0] + " dNorm=" + norm;
                    long[] g = counts(model.generator());
                    long[] d = counts(model.discriminator());
                    assertEquals(r.get("generator").getAsLong(), g[0], what + ": generator parameters");
                    assertEquals(r.get("generator_state").getAsLong(), g[1], what + ": generator running statistics");
                    assertEquals(r.getAsJsonObject("discriminator").get(norm).getAsLong(), d[0], what + ": discriminator parameters");
                    assertEquals(r.getAsJsonObject("discriminator_state").get(norm).getAsLong(), d[1], what + ": discriminator state");
                    assertEquals(shapes(r.getAsJsonArray("generator_blocks")), blockShapes(model.generator()), what + ": G blocks");
                    assertEquals(shapes(r.getAsJsonArray("discriminator_blocks")), blockShapes(model.discriminator()),
                            what + ": D blocks");
                    assertEquals(model.generator().getOutputShapes(new Shape[] {model.latentShape(2)})[0].slice(1),
                            shapes(wrap(r.getAsJsonArray("image"))).get(0), what + ": image");
                }
            }
        }
    }

    private static JsonArray wrap(JsonArray a) {
        JsonArray w = new JsonArray();
        w.add(a);
        return w;
    }

    /** {@code ganlab summary}'s totals for resnet19 are the reference counts too. */
    @Test
    void summaryTotalsMatchTheReference() {
        JsonObject r = reference().getAsJsonObject("rgb128");
        TrainConfig cfg = new TrainConfig();
        cfg.model = "resnet19";
        cfg.set("resnet19.dNorm", "spectral");
        String out = ModelSummary.of(Models.create(cfg.resolved(), 3, 128, "test"), 1).toString();
        assertTrue(out.contains("generator parameters " + r.get("generator").getAsLong()), out);
        assertTrue(out.contains("discriminator parameters " + r.getAsJsonObject("discriminator").get("spectral").getAsLong()), out);
    }

    /** Truncation reads the prior the model draws from: compare_gan's U(-1, 1) by default, N(0, I) when asked. */
    @Test
    void theLatentPriorOfTruncationIsTheOneTheModelDraws() {
        Resnet19Model model = new Resnet19Model(config(8, "none"), 3, 128);
        dev.ganlab.train.TrainConfig cfg = new dev.ganlab.train.TrainConfig();
        cfg.model = "resnet19";
        assertEquals(dev.ganlab.latent.LatentPrior.UNIFORM, dev.ganlab.latent.LatentPrior.of(cfg, model));
        try (NDManager m = GanLab.newManager()) {
            NDArray z = model.sampleLatent(m, 64);
            assertTrue(z.abs().max().getFloat() <= 1f, "uniform latents stay in [-1, 1]");
        }
        cfg.resnet19.latent = "normal";
        assertEquals(dev.ganlab.latent.LatentPrior.NORMAL, dev.ganlab.latent.LatentPrior.of(cfg, model));
    }

    /** A forward pass at 128 px: images in [-1, 1] of the right shape, one logit and 8ch features per image. */
    @Test
    void forwardShapesAt128Pixels() {
        Resnet19Model model = new Resnet19Model(config(8, "none"), 3, 128);
        try (NDManager m = GanLab.newManager()) {
            model.initializeGenerator(model.generator(), m);
            model.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray img = model.generate(model.generator(), ps, model.sampleLatent(m, 3), true);
            assertEquals(new Shape(3, 3, 128, 128), img.getShape());
            assertTrue(img.abs().max().getFloat() <= 1f);
            DiscriminatorOutput d = model.discriminate(ps, img, true, false);
            assertEquals(new Shape(3), d.logits().getShape());
            assertEquals(new Shape(3, 64), d.features().getShape());
            NDArray z = model.sampleLatent(m, 1000);
            assertTrue(z.min().getFloat() >= -1f && z.max().getFloat() <= 1f && z.min().getFloat() < -0.9f,
                    "latents U(-1, 1) as compare_gan");
        }
    }

    /**
     * The study's preset (compare_gan example_configs/resnet_lsun-bedroom128.gin) when the loss is left
     * unset; with another loss the table's Adam stays and the loss's own defaults apply.
     */
    @Test
    void thePresetIsTheStudysConfiguration() {
        TrainConfig c = new TrainConfig();
        c.model = "resnet19";
        TrainConfig r = c.resolved();
        assertEquals("wgan-gp", r.loss);
        assertEquals("wgan-gp", r.penalty);
        assertEquals(10f, r.penaltyWeight);
        assertEquals(5, r.nCritic.intValue());
        assertEquals(64, r.batch.intValue());
        for (OptimizerConfig o : List.of(r.optG, r.optD)) {
            assertEquals("adam", o.type);
            assertEquals(1e-4f, o.lr);
            assertEquals(0.5f, o.beta1);
            assertEquals(0.9f, o.beta2);
        }
        assertEquals("none", r.resnet19.dNorm);
        assertEquals(128, r.resnet19.latentDim);
        c.loss = "ns";
        TrainConfig ns = c.resolved();
        assertEquals(1, ns.nCritic.intValue());
        assertEquals("none", ns.penalty);
        assertEquals(0.5f, ns.optD.beta1);
        assertEquals(0.9f, ns.optD.beta2);
        assertEquals(1e-4f, ns.optD.lr);
    }

    /**
     * One training step of a ch = 2 ResNet19 at 16 px with each normaliser and several losses and
     * penalties: every loss stays finite and both networks' weights move.
     */
    @Test
    void tinyTrainingStepsWorkWithEveryNormaliserLossAndPenalty() {
        String[][] runs = {{"none", "wgan-gp", "auto"}, {"batch", "ns", "none"}, {"layer", "hinge", "r1"},
            {"spectral", "lsgan", "dragan"}};
        for (String[] run : runs) {
            TrainConfig c = TinyRuns.resnet19(run[1], run[2], run[0]);
            String what = String.join("/", run);
            try (GanTrainer t = GanTrainer.start(c, tmp.resolve(String.join("-", run)))) {
                Map<String, float[]> before = snapshot(t.model().generator(), t.model().discriminator());
                t.addMonitor(new TrainingMonitor() {}).train();
                assertEquals(1, t.step(), what);
                assertTrue(Double.isFinite(t.last("d_loss")) && Double.isFinite(t.last("g_loss")), what + ": losses finite");
                Map<String, float[]> after = snapshot(t.model().generator(), t.model().discriminator());
                assertTrue(moved(before, after, "G."), what + ": generator weights moved");
                assertTrue(moved(before, after, "D."), what + ": discriminator weights moved");
            }
        }
    }

    static Map<String, float[]> snapshot(Block g, Block d) {
        Map<String, float[]> s = new HashMap<>();
        for (Pair<String, Parameter> p : g.getParameters()) {
            if (p.getValue().requiresGradient()) {
                s.put("G." + p.getKey(), p.getValue().getArray().toFloatArray());
            }
        }
        for (Pair<String, Parameter> p : d.getParameters()) {
            if (p.getValue().requiresGradient()) {
                s.put("D." + p.getKey(), p.getValue().getArray().toFloatArray());
            }
        }
        return s;
    }

    /**
     * Whether most trained arrays of one network ({@code prefix} G. or D.) changed. Not all: with
     * compare_gan's N(0, 0.02) weights a ch = 2 network passes gradients of 1e-12 and less to some
     * batch-norm scales deep inside, where Adam's eps (1e-8) makes the update vanish in float32.
     */
    static boolean moved(Map<String, float[]> before, Map<String, float[]> after, String prefix) {
        long total = before.keySet().stream().filter(k -> k.startsWith(prefix)).count();
        List<String> still = new ArrayList<>();
        for (var e : before.entrySet()) {
            if (e.getKey().startsWith(prefix) && java.util.Arrays.equals(e.getValue(), after.get(e.getKey()))) {
                still.add(e.getKey());
            }
        }
        return total > 0 && still.size() * 10 <= total;
    }

    @Test
    void badSettingsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Resnet19Model(new Resnet19Config(), 3, 48));
        assertTrue(e.getMessage().contains("resolution 48"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Resnet19Model(new Resnet19Config(), 3, 256));
        assertTrue(e.getMessage().contains("resolution 256"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Resnet19Model(new Resnet19Config(), 2, 128));
        assertTrue(e.getMessage().contains("channels must be 1 or 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Resnet19Model(config(64, "group"), 3, 128));
        assertTrue(e.getMessage().contains("resnet19.dNorm 'group'"), e.getMessage());
        TrainConfig c = new TrainConfig();
        c.model = "resnet19";
        c.set("resnet19.upsample", "bilinear");
        UserError u = assertThrows(UserError.class, c::resolved);
        assertTrue(u.getMessage().contains("resnet19.upsample 'bilinear'"), u.getMessage());
        assertFalse(new Resnet19Model(config(4, "spectral"), 3, 32).discriminatorUsesBatchStatistics());
        assertTrue(new Resnet19Model(config(4, "batch"), 3, 32).discriminatorUsesBatchStatistics());
    }
}
