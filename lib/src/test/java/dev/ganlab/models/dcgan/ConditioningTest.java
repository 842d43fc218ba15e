package dev.ganlab.models.dcgan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.models.Conditioning;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.nn.ClassProjection;
import dev.ganlab.nn.ConditionalBatchNorm;
import dev.ganlab.nn.WeightScaling;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Conditioning paths of DCGAN and SNDCGAN: conditional batch norm against its closed form, the projection
 * term against a hand computation, shapes of every path, and which parameters get gradient (the rows of
 * classes absent from the batch must get none).
 */
class ConditioningTest {

    private static final int K = 3;

    private static DcganConfig tinyConfig(String variant) {
        DcganConfig c = new DcganConfig();
        c.variant = variant;
        c.gWidth = 8;
        c.dWidth = 4;
        c.latentDim = 6;
        return c;
    }

    @Test
    void conditionalBatchNormIsTheClassGainTimesTheBatchNormalisedInputPlusTheClassBias() {
        GanLab.init();
        try (NDManager m = GanLab.newManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            ConditionalBatchNorm cbn = new ConditionalBatchNorm(K);
            int n = 4;
            int c = 2;
            cbn.initialize(m, DataType.FLOAT32, new Shape(n, c, 2, 2), new Shape(n, K));
            Random r = new Random(1);
            float[] gamma = new float[K * c];
            float[] beta = new float[K * c];
            for (int i = 0; i < gamma.length; i++) {
                gamma[i] = (float) (0.5 + r.nextDouble());
                beta[i] = (float) r.nextGaussian();
            }
            for (Pair<String, Parameter> p : cbn.getParameters()) {
                if (p.getKey().equals("classGamma")) {
                    p.getValue().getArray().set(gamma);
                } else if (p.getKey().equals("classBeta")) {
                    p.getValue().getArray().set(beta);
                }
            }
            float[] x = new float[n * c * 4];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (3 * r.nextGaussian() + 1);
            }
            int[] labels = {0, 2, 1, 2};
            float[] w = new float[n * K];
            for (int i = 0; i < n; i++) {
                w[i * K + labels[i]] = 1;
            }
            float[] y = cbn.forward(ps, new NDList(m.create(x, new Shape(n, c, 2, 2)), m.create(w, new Shape(n, K))), true)
                    .singletonOrThrow().toFloatArray();
            for (int ch = 0; ch < c; ch++) {
                double mean = 0;
                for (int i = 0; i < n; i++) {
                    for (int p = 0; p < 4; p++) {
                        mean += x[(i * c + ch) * 4 + p];
                    }
                }
                mean /= n * 4;
                double var = 0;
                for (int i = 0; i < n; i++) {
                    for (int p = 0; p < 4; p++) {
                        double d = x[(i * c + ch) * 4 + p] - mean;
                        var += d * d;
                    }
                }
                var /= n * 4; // the batch's biased variance normalises in training
                for (int i = 0; i < n; i++) {
                    for (int p = 0; p < 4; p++) {
                        int at = (i * c + ch) * 4 + p;
                        double expected = gamma[labels[i] * c + ch] * (x[at] - mean) / Math.sqrt(var + 1e-5)
                                + beta[labels[i] * c + ch];
                        assertEquals(expected, y[at], 1e-4, "image " + i + " channel " + ch);
                    }
                }
            }
        }
    }

    @Test
    void theProjectionTermIsTheInnerProductOfTheFeaturesWithTheClassEmbedding() {
        GanLab.init();
        try (NDManager m = GanLab.newManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            ClassProjection proj = new ClassProjection(3, WeightScaling.NONE);
            proj.initialize(m, DataType.FLOAT32, new Shape(2, 3), new Shape(2, 2));
            // V has one row per class: V[0] = (1, 0, -1), V[1] = (0.5, -1, 2); the Linear's weight is V^T (F, K).
            proj.getParameters().valueAt(0).getArray().set(new float[] {1, 0.5f, 0, -1, -1, 2});
            NDArray phi = m.create(new float[] {1, 2, 3, -2, 0, 4}, new Shape(2, 3));
            NDArray y = m.create(new float[] {0, 1, 1, 0}, new Shape(2, 2));
            float[] out = proj.forward(ps, new NDList(phi, y), false).singletonOrThrow().toFloatArray();
            // image 0, class 1: 0.5 - 2 + 6 = 4.5; image 1, class 0: -2 + 0 - 4 = -6
            assertEquals(4.5f, out[0], 1e-6f);
            assertEquals(-6f, out[1], 1e-6f);
        }
    }

    @Test
    void aProjectionDiscriminatorsScoresOfTwoClassesDifferByTheDifferenceOfTheirEmbeddingsTimesTheFeatures() {
        GanLab.init();
        try (NDManager m = GanLab.newManager()) {
            ConditionalDcganModel model = new ConditionalDcganModel(tinyConfig("sndcgan"), 1, 16, K, Conditioning.PROJECTION);
            model.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray images = m.randomUniform(-1, 1, new Shape(2, 1, 16, 16));
            model.setBatchLabels(new int[] {0, 0});
            DiscriminatorOutput a = model.discriminate(ps, images, false, true);
            model.setBatchLabels(new int[] {2, 2});
            DiscriminatorOutput b = model.discriminate(ps, images, false, true);
            // V^T as the projection's effective (spectrally normalised) weight: recover it from single classes.
            float[] phi = a.features().toFloatArray();
            int f = (int) a.features().getShape().get(1);
            NDArray e0 = embed(model, ps, m, 0);
            NDArray e2 = embed(model, ps, m, 2);
            float[] diff = e2.sub(e0).toFloatArray();
            for (int i = 0; i < 2; i++) {
                double expected = 0;
                for (int k = 0; k < f; k++) {
                    expected += diff[k] * phi[i * f + k];
                }
                float got = b.logits().getFloat(i) - a.logits().getFloat(i);
                assertEquals(expected, got, 1e-4 * Math.max(1, Math.abs(expected)), "image " + i);
            }
        }
    }

    /** The projection's embedding of one class, through its own (spectrally normalised) layer. */
    private static NDArray embed(ConditionalDcganModel model, ParameterStore ps, NDManager m, int cls) {
        float[] w = new float[K];
        w[cls] = 1;
        var proj = model.discriminator().getChildren().stream().filter(c -> c.getKey().endsWith("projection"))
                .findFirst().orElseThrow().getValue();
        var emb = proj.getChildren().valueAt(0);
        return emb.forward(ps, new NDList(m.create(w, new Shape(1, K))), false).singletonOrThrow().reshape(-1);
    }

    @Test
    void everyPathHasTheRightShapesAndGradientsReachOnlyTheClassesInTheBatch() {
        GanLab.init();
        for (String variant : new String[] {"dcgan", "sndcgan"}) {
            for (Conditioning cond : new Conditioning[] {Conditioning.CONCAT, Conditioning.ACGAN, Conditioning.PROJECTION}) {
                checkPath(variant, cond);
            }
        }
    }

    private static void checkPath(String variant, Conditioning cond) {
        String what = variant + "/" + cond.key();
        try (NDManager m = GanLab.newManager()) {
            ConditionalDcganModel model = new ConditionalDcganModel(tinyConfig(variant), 1, 16, K, cond);
            model.initializeGenerator(model.generator(), m);
            model.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            int[] labels = {0, 2, 2, 0}; // class 1 absent
            model.setBatchLabels(labels);
            NDArray z = model.sampleLatent(m, 4);
            assertEquals(new Shape(4, 6 + K), z.getShape(), what);
            float[] zf = z.toFloatArray();
            for (int i = 0; i < 4; i++) {
                for (int k = 0; k < K; k++) {
                    assertEquals(k == labels[i] ? 1f : 0f, zf[i * (6 + K) + 6 + k], what + " one-hot of image " + i);
                }
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray fake = model.generate(model.generator(), ps, z, true);
                assertEquals(new Shape(4, 1, 16, 16), fake.getShape(), what);
                DiscriminatorOutput[] out = model.discriminatorUsesBatchStatistics()
                        ? model.discriminateJoint(ps, fake, fake, true)
                        : new DiscriminatorOutput[] {model.discriminate(ps, fake, true, false)};
                DiscriminatorOutput o = out[out.length - 1];
                assertEquals(new Shape(4), o.logits().getShape(), what);
                NDArray loss = o.logits().mean();
                if (cond == Conditioning.ACGAN) {
                    assertTrue(o.auxLoss() != null && o.auxLoss().getFloat() > 0, what + ": class cross-entropy");
                    loss = loss.add(o.auxLoss());
                } else {
                    assertEquals(null, o.auxLoss(), what);
                }
                gc.backward(loss);
            }
            checkGradients(model.generator(), what + " G", cond == Conditioning.PROJECTION ? "classGamma" : null);
            // Spectral norm divides V by its largest singular value, which depends on every class's row: under
            // SNDCGAN's spectral norm an absent class's embedding does get gradient, through sigma.
            checkGradients(model.discriminator(), what + " D",
                    cond == Conditioning.PROJECTION && variant.equals("dcgan") ? "projection" : null);
        }
    }

    /**
     * Every trainable parameter gets some gradient; in parameters whose name contains {@code perClass} (one row
     * per class) the absent class's row gets exactly none.
     */
    private static void checkGradients(ai.djl.nn.Block net, String what, String perClass) {
        int perClassSeen = 0;
        for (Pair<String, Parameter> p : net.getParameters()) {
            Parameter param = p.getValue();
            if (!param.requiresGradient()) {
                continue;
            }
            try (NDArray g = param.getArray().getGradient()) {
                float[] v = g.toFloatArray();
                double total = 0;
                for (float f : v) {
                    total += Math.abs(f);
                }
                assertTrue(total > 0, what + ": no gradient on " + p.getKey());
                if (perClass != null && p.getKey().contains(perClass) && !p.getKey().contains("norm")
                        && !p.getKey().contains("Beta")) {
                    perClassSeen++;
                    Shape s = g.getShape();
                    // classGamma is (K, C): row 1. The projection's Linear weight is (F, K): column 1.
                    boolean rows = s.get(0) == K;
                    long other = rows ? s.get(1) : s.get(0);
                    for (long j = 0; j < other; j++) {
                        float absent = rows ? v[(int) (1 * other + j)] : v[(int) (j * K + 1)];
                        assertEquals(0f, absent, 0f, what + ": " + p.getKey() + " has gradient for the absent class");
                    }
                }
            }
            param.getArray().setRequiresGradient(true); // clears the gradient for the next path
        }
        if (perClass != null) {
            assertTrue(perClassSeen > 0, what + ": no parameter named like " + perClass);
        }
    }

    @Test
    void conditioningIsRejectedWhereItCannotWork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConditionalDcganModel(tinyConfig("dcgan"), 1, 16, 1, Conditioning.CONCAT));
        assertTrue(e.getMessage().contains("at least 2 classes"), e.getMessage());
        DcganConfig pg = tinyConfig("dcgan");
        pg.generator = "pytorchgan";
        e = assertThrows(IllegalArgumentException.class,
                () -> new ConditionalDcganModel(pg, 1, 16, K, Conditioning.PROJECTION));
        assertTrue(e.getMessage().contains("dcgan.generator=paper"), e.getMessage());
        UserError u = assertThrows(UserError.class, () -> Conditioning.parse("film"));
        assertTrue(u.getMessage().contains("none, concat, acgan or projection"));
        GanLab.init();
        try (NDManager m = GanLab.newManager()) {
            ConditionalDcganModel model = new ConditionalDcganModel(tinyConfig("sndcgan"), 1, 16, K, Conditioning.CONCAT);
            model.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            u = assertThrows(UserError.class, () -> model.discriminate(ps, m.zeros(new Shape(2, 1, 16, 16)), false, true));
            assertTrue(u.getMessage().contains("needs the batch's labels"), u.getMessage());
            u = assertThrows(UserError.class, () -> model.setBatchLabels(new int[] {0, 3}));
            assertTrue(u.getMessage().contains("label 3 is outside 0..2"), u.getMessage());
        }
    }
}
