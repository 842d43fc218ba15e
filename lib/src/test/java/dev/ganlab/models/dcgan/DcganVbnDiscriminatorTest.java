package dev.ganlab.models.dcgan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.Slow;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.StepScope;
import dev.ganlab.core.UserError;
import dev.ganlab.loss.GradientPenalty;
import dev.ganlab.loss.InputGradient;
import dev.ganlab.models.Conditioning;
import dev.ganlab.nn.ReferenceBatch;
import dev.ganlab.train.GanTrainer;
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
import java.util.HashMap;
import java.util.Map;

/**
 * {@code dcgan.dNorm=vbn}: virtual batch norm in the discriminator with a fixed reference batch of
 * real images. Checked against an independent float64 PyTorch computation
 * ({@code environment/reference/make_vbn_discriminator_fixtures.py}, {@code /models/dcgan_vbn_d.json}),
 * for independence of the minibatch, for the reference batch's origin and persistence, and in short
 * training runs with each gradient penalty.
 */
class DcganVbnDiscriminatorTest {

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    static DcganModel model(String variant, String layout, int reference, int width, int resolution) {
        DcganConfig c = DcganModelTest.config(variant, "paper", layout);
        c.dNorm = "vbn";
        c.vbnReference = reference;
        c.dWidth = width;
        c.gWidth = 8;
        c.dDropout = 0f; // dropout would make two passes differ; the paper layout has none anyway
        return new DcganModel(c, 1, resolution);
    }

    /**
     * The paper discriminator at 16 px (conv, LeakyReLU, conv, VBN, LeakyReLU, dense) with the fixture's
     * weights and reference images: its logits, each image's input gradient (a reference row leaking
     * into it, or another image of the batch, would change it) and the R1 penalty with its parameter
     * gradients (double backward through the reference statistics) match the independent computation,
     * which scores each image on its own against a separate pass of the reference batch.
     */
    @Test
    void matchesAnIndependentComputationIncludingTheR1PenaltysGradients() {
        JsonObject fx = fixture();
        int r = fx.get("reference_rows").getAsInt();
        try (NDManager m = GanLab.newManager()) {
            DcganModel model = model("dcgan", "paper", r, 2, 16);
            model.initializeDiscriminator(m);
            Map<String, NDArray> p = parametersByRole(model);
            p.get("conv1").set(floats(fx, "conv1"));
            p.get("conv2").set(floats(fx, "conv2"));
            p.get("gamma").set(floats(fx, "gamma"));
            p.get("beta").set(floats(fx, "beta"));
            p.get("dense").set(floats(fx, "dense"));
            p.get("reference").set(floats(fx, "reference"));
            ParameterStore ps = new ParameterStore(m, false);
            float[] xs = floats(fx, "x");
            Shape shape = new Shape(xs.length / 256, 1, 16, 16);
            try (StepScope scope = new StepScope();
                    GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray x = m.create(xs, shape);
                x.setRequiresGradient(true);
                NDArray logits = model.discriminate(ps, x, true, true).logits();
                assertClose(floats(fx, "logits"), logits.toFloatArray(), "logits");
                assertClose(floats(fx, "grad_x"), InputGradient.of(logits, x).toFloatArray(), "input gradient");
            }
            try (StepScope scope = new StepScope();
                    GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                GradientPenalty r1 = new GradientPenalty(GradientPenalty.Kind.R1, 10f);
                GradientPenalty.Result res = r1.penalty(m.create(xs, shape), x -> model.discriminate(ps, x, true, false).logits());
                assertEquals(fx.get("r1").getAsDouble(), res.value().getFloat(), 1e-4 * fx.get("r1").getAsDouble(), "R1 value");
                gc.backward(res.value());
            }
            assertClose(floats(fx, "r1_dconv2"), p.get("conv2").getGradient().toFloatArray(), "R1 gradient of conv2");
            assertClose(floats(fx, "r1_dgamma"), p.get("gamma").getGradient().toFloatArray(), "R1 gradient of gamma");
            assertClose(floats(fx, "r1_dbeta"), p.get("beta").getGradient().toFloatArray(), "R1 gradient of beta");
            assertClose(floats(fx, "r1_ddense"), p.get("dense").getGradient().toFloatArray(), "R1 gradient of dense");
        }
    }

    /** The arrays of the tiny paper D by role, found by name and shape (each exactly once). */
    private static Map<String, NDArray> parametersByRole(DcganModel model) {
        Map<String, NDArray> out = new HashMap<>();
        for (Pair<String, Parameter> q : model.discriminator().getParameters()) {
            NDArray a = q.getValue().getArray();
            String key = q.getKey();
            String role = key.endsWith("reference") ? "reference" : key.endsWith("gamma") ? "gamma"
                    : key.endsWith("beta") ? "beta" : a.getShape().equals(new Shape(2, 1, 5, 5)) ? "conv1"
                    : a.getShape().equals(new Shape(4, 2, 5, 5)) ? "conv2" : a.getShape().equals(new Shape(1, 64)) ? "dense"
                    : null;
            assertNotNull(role, "unexpected parameter " + key + " " + a.getShape());
            assertTrue(out.put(role, a) == null, role + " twice (" + key + ")");
        }
        assertEquals(6, out.size(), out.keySet().toString());
        return out;
    }

    /**
     * In each layout an image's score is the same alone, among other images, with the others permuted
     * or replaced, and in inference mode; with batch norm in the same places it is not (the check can
     * fail). Minibatch stddev (mix) still sees the minibatch only: the model builds and scores.
     */
    @Test
    void anImagesScoreDoesNotDependOnItsMinibatch() {
        String[][] layouts = {{"dcgan", "paper"}, {"dcgan", "pytorchgan"}, {"sndcgan", "paper"}};
        for (String[] l : layouts) {
            try (NDManager m = GanLab.newManager()) {
                DcganModel model = model(l[0], l[1], 5, 4, 16);
                model.initializeDiscriminator(m);
                assertTrue(model.discriminator().getChildren().get(0).getValue().getChildren().get(0).getValue()
                        instanceof ReferenceBatch, l[1] + ": the convolutions run inside the reference wrapper");
                assertFalse(model.discriminatorUsesBatchStatistics(), "reals and fakes are scored apart");
                ParameterStore ps = new ParameterStore(m, false);
                NDArray a = m.randomUniform(-1f, 1f, new Shape(1, 1, 16, 16));
                NDArray others = m.randomUniform(-1f, 1f, new Shape(3, 1, 16, 16));
                NDArray replaced = m.randomNormal(new Shape(3, 1, 16, 16)).mul(0.3f).add(0.5f);
                float alone = model.discriminate(ps, a, true, true).logits().getFloat(0);
                NDArray batch = others.get("0:2").concat(a, 0).concat(others.get("2:3"), 0);    // a third
                float among = model.discriminate(ps, batch, true, true).logits().getFloat(2);
                NDArray permuted = others.get("2:3").concat(others.get("0:2"), 0).concat(a, 0); // a last
                float permutedScore = model.discriminate(ps, permuted, true, true).logits().getFloat(3);
                float withOthers = model.discriminate(ps, a.concat(replaced, 0), true, true).logits().getFloat(0);
                float inference = model.discriminate(ps, a.concat(replaced, 0), false, true).logits().getFloat(0);
                String what = l[0] + "/" + l[1];
                assertEquals(alone, among, 1e-5f, what + ": among others");
                assertEquals(alone, permutedScore, 1e-5f, what + ": others permuted");
                assertEquals(alone, withOthers, 1e-5f, what + ": others replaced");
                assertEquals(alone, inference, 1e-5f, what + ": inference mode");

                DcganConfig bnCfg = DcganModelTest.config(l[0], "paper", l[1]);
                bnCfg.dNorm = "batch";
                bnCfg.dWidth = 4;
                bnCfg.dDropout = 0f;
                DcganModel bn = new DcganModel(bnCfg, 1, 16);
                bn.initializeDiscriminator(m);
                float bnAmong = bn.discriminate(ps, batch, true, true).logits().getFloat(2);
                float bnReplaced = bn.discriminate(ps, others.get("0:2").concat(a, 0).concat(replaced.get("0:1"), 0), true, true)
                        .logits().getFloat(2);
                assertTrue(Math.abs(bnAmong - bnReplaced) > 1e-4, what + ": batch norm couples the images");
            }
        }
    }

    /**
     * With minibatch stddev (mix.dMbstd), the reference rows are removed before it: the features are
     * [reference wrapper around the convolutions, mbstd, flatten], and a batch of 4 scores with 5
     * reference rows (mbstd over 9 rows in groups of 2 would not divide).
     */
    @Test
    void minibatchStddevSeesTheMinibatchOnly() {
        try (NDManager m = GanLab.newManager()) {
            DcganConfig c = DcganModelTest.config("dcgan", "paper", "paper");
            c.dNorm = "vbn";
            c.vbnReference = 5;
            c.dWidth = 4;
            c.dDropout = 0f;
            DcganModel model = new DcganModel(c, 1, 16, new dev.ganlab.models.Mix(false, 2, 0, 5, false));
            model.initializeDiscriminator(m);
            var features = model.discriminator().getChildren().get(0).getValue().getChildren();
            assertEquals(3, features.size(), features.keys().toString());
            assertTrue(features.get(0).getValue() instanceof ReferenceBatch, features.keys().toString());
            assertTrue(features.get(1).getKey().contains("MinibatchStdDev"), features.keys().toString());
            NDArray x = m.randomUniform(-1f, 1f, new Shape(4, 1, 16, 16));
            NDArray logits = model.discriminate(new ParameterStore(m, false), x, true, true).logits();
            assertEquals(new Shape(4), logits.getShape());
        }
    }

    /**
     * A run draws D's reference batch from its training images (each row is one of them, no row twice),
     * keeps it through training, stores it in its checkpoints, and a resumed run has it bit for bit;
     * another seed draws another batch.
     */
    @Slow
    @Test
    void theReferenceBatchIsRealImagesFixedAtTheStartAndKeptAcrossAResume(@TempDir Path tmp) {
        TrainConfig c = tiny("none");
        c.checkpointEvery = 1;
        Path dir = tmp.resolve("run");
        float[] reference;
        try (GanTrainer t = GanTrainer.start(c, dir)) {
            reference = reference(t);
            float[][] images;
            try (NDManager m = GanLab.newManager()) {
                images = rows(t.data().toTensor(m).toFloatArray(), t.data().size());
            }
            float[][] refRows = rows(reference, c.dcgan.vbnReference);
            java.util.Set<Integer> used = new java.util.HashSet<>();
            for (float[] row : refRows) {
                int found = -1;
                for (int i = 0; i < images.length && found < 0; i++) {
                    found = java.util.Arrays.equals(row, images[i]) ? i : -1;
                }
                assertTrue(found >= 0, "a reference row is not a training image");
                assertTrue(used.add(found), "training image " + found + " twice in the reference");
            }
            t.addMonitor(new TrainingMonitor() {}).train();
            assertArrayEquals(reference, reference(t), 0f, "training changed the reference batch");
        }
        try (GanTrainer t = GanTrainer.resume(dir, 3)) {
            assertEquals(2, t.step());
            assertArrayEquals(reference, reference(t), 0f, "the resumed run's reference batch");
            t.addMonitor(new TrainingMonitor() {}).train();
            assertEquals(3, t.step());
            assertArrayEquals(reference, reference(t), 0f);
        }
        TrainConfig other = tiny("none");
        other.seed = c.seed + 1;
        try (GanTrainer t = GanTrainer.start(other, tmp.resolve("other"))) {
            assertFalse(java.util.Arrays.equals(reference, reference(t)), "another seed, another reference batch");
        }
    }

    /**
     * A few steps with dNorm=vbn and each penalty (and none), in dcgan's paper layout and in sndcgan:
     * finite losses and penalties, and both networks' trainable parameters move.
     */
    @Slow
    @Test
    void trainsWithEachPenalty(@TempDir Path tmp) {
        String[][] runs = {{"dcgan", "none"}, {"dcgan", "wgan-gp"}, {"dcgan", "r1"}, {"dcgan", "dragan"}, {"sndcgan", "r1"}};
        for (String[] run : runs) {
            TrainConfig c = tiny(run[1]);
            c.model = run[0];
            String what = run[0] + " penalty=" + run[1];
            try (GanTrainer t = GanTrainer.start(c, tmp.resolve(run[0] + "-" + run[1]))) {
                Map<String, float[]> before = trainable(t);
                t.addMonitor(new TrainingMonitor() {}).train();
                assertTrue(Double.isFinite(t.last("d_loss")) && Double.isFinite(t.last("g_loss")), what + ": losses");
                if (!run[1].equals("none")) {
                    assertTrue(Double.isFinite(t.last("penalty")) && t.last("grad_norm") > 0, what + ": penalty "
                            + t.last("penalty") + ", grad_norm " + t.last("grad_norm"));
                }
                Map<String, float[]> after = trainable(t);
                for (String net : new String[] {"G.", "D."}) {
                    double moved = 0;
                    for (String k : before.keySet()) {
                        if (k.startsWith(net)) {
                            moved = Math.max(moved, maxAbsDifference(before.get(k), after.get(k)));
                        }
                    }
                    assertTrue(moved > 1e-6, what + ": " + net + " did not move");
                }
            }
        }
    }

    @Test
    void settingsItCannotServeAreRefusedByName() {
        DcganConfig bad = DcganModelTest.config("dcgan", "paper");
        bad.dNorm = "virtual";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DcganModel(bad, 1, 16));
        assertTrue(e.getMessage().contains("dcgan.dNorm 'virtual'") && e.getMessage().contains("vbn"), e.getMessage());
        for (String setting : new String[] {"dNorm", "gNorm"}) {
            DcganConfig c = DcganModelTest.config("dcgan", "paper");
            if (setting.equals("dNorm")) {
                c.dNorm = "vbn";
            } else {
                c.gNorm = "vbn";
            }
            UserError u = assertThrows(UserError.class, () -> new ConditionalDcganModel(c, 1, 16, 10, Conditioning.ACGAN));
            assertTrue(u.getMessage().startsWith("dcgan." + setting + "=vbn is not offered with cond=acgan"), u.getMessage());
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** A tiny dcgan run at 16 px with dNorm=vbn, a 4-image reference batch and the given penalty. */
    static TrainConfig tiny(String penalty) {
        return TrainConfig.fromJson("""
                {"data": "synthetic:8?perMode=6", "steps": 2, "batch": 4, "nCritic": 1, "logEvery": 1,
                 "sampleEvery": 100, "checkpointEvery": 100, "sampleCount": 4, "penalty": "%s", "eval": {"metrics": ""},
                 "dcgan": {"gWidth": 8, "dWidth": 4, "latentDim": 8, "dNorm": "vbn", "vbnReference": 4}}"""
                .formatted(penalty));
    }

    private static float[] reference(GanTrainer t) {
        for (Pair<String, Parameter> p : t.model().discriminator().getParameters()) {
            if (p.getKey().endsWith("reference")) {
                return p.getValue().getArray().toFloatArray();
            }
        }
        throw new AssertionError("D has no reference parameter");
    }

    private static Map<String, float[]> trainable(GanTrainer t) {
        Map<String, float[]> out = new HashMap<>();
        for (Pair<String, Parameter> p : t.model().generator().getParameters()) {
            if (p.getValue().requiresGradient()) {
                out.put("G." + p.getKey(), p.getValue().getArray().toFloatArray());
            }
        }
        for (Pair<String, Parameter> p : t.model().discriminator().getParameters()) {
            if (p.getValue().requiresGradient()) {
                out.put("D." + p.getKey(), p.getValue().getArray().toFloatArray());
            }
        }
        return out;
    }

    private static float[][] rows(float[] v, int n) {
        int len = v.length / n;
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = java.util.Arrays.copyOfRange(v, i * len, (i + 1) * len);
        }
        return out;
    }

    private static double maxAbsDifference(float[] a, float[] b) {
        double most = 0;
        for (int i = 0; i < a.length; i++) {
            most = Math.max(most, Math.abs(a[i] - b[i]));
        }
        return most;
    }

    private static JsonObject fixture() {
        try (InputStream in = DcganVbnDiscriminatorTest.class.getResourceAsStream("/models/dcgan_vbn_d.json")) {
            if (in == null) {
                throw new IllegalStateException("missing /models/dcgan_vbn_d.json (make_vbn_discriminator_fixtures.py)");
            }
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static float[] floats(JsonObject o, String key) {
        JsonArray a = o.getAsJsonArray(key);
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsFloat();
        }
        return v;
    }

    /** Float32 against float64 values: 1e-4 of the array's largest magnitude, plus 1e-5. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " size");
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 + 1e-4 * scale, what + " at " + i);
        }
    }
}
