package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.ganlab.core.GanLab;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The optimisers against PyTorch's update rules computed by hand in double precision, on the loss
 * sum_i c_i w_i^2 whose gradient 2 c_i w_i is known.
 */
class GanOptimizerTest {

    static final double[] C = {0.5, -1.0, 2.0};
    static final double[] W0 = {1.0, -2.0, 0.25};

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    static Parameter param(NDManager m) {
        Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT)
                .optInitializer((mm, s, d) -> mm.create(new float[] {1.0f, -2.0f, 0.25f}))
                .build();
        p.setShape(new Shape(3));
        p.initialize(m, DataType.FLOAT32);
        return p;
    }

    static void backward(Parameter p, NDManager m) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray c = m.create(new float[] {0.5f, -1.0f, 2.0f});
            gc.backward(p.getArray().square().mul(c).sum());
        }
    }

    static float[] run(OptimizerConfig cfg, int steps) {
        try (NDManager m = GanLab.newManager()) {
            Parameter p = param(m);
            GanOptimizer opt = new GanOptimizer(cfg, List.of(p), m);
            for (int i = 0; i < steps; i++) {
                backward(p, m);
                opt.step();
            }
            return p.getArray().toFloatArray();
        }
    }

    static float[] f(double[] d) {
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    @Test
    void adamFollowsPyTorch() {
        OptimizerConfig cfg = OptimizerConfig.adam(0.1f, 0.5f, 0.9f);
        cfg.eps = 1e-3f; // large eps: its placement (outside the square root, not bias-corrected) matters
        double[] w = W0.clone();
        double[] m = new double[3];
        double[] v = new double[3];
        for (int t = 1; t <= 4; t++) {
            for (int i = 0; i < 3; i++) {
                double g = 2 * C[i] * w[i];
                m[i] = 0.5 * m[i] + 0.5 * g;
                v[i] = 0.9 * v[i] + 0.1 * g * g;
                double mh = m[i] / (1 - Math.pow(0.5, t));
                double vh = v[i] / (1 - Math.pow(0.9, t));
                w[i] -= 0.1 * mh / (Math.sqrt(vh) + 1e-3);
            }
        }
        assertArrayEquals(f(w), run(cfg, 4), 1e-5f);
    }

    @Test
    void everyUpdateZeroesTheGradientItApplied() {
        // Adam zeroes the gradient inside its one-call update; a gradient left behind would be added into
        // the next step's. Two steps with the same gradient rule must give the closed form above, and the
        // gradient after each step must be zero.
        for (OptimizerConfig cfg : List.of(OptimizerConfig.adam(0.1f, 0.5f, 0.9f), OptimizerConfig.rmsprop(0.01f))) {
            try (NDManager m = GanLab.newManager()) {
                Parameter p = param(m);
                GanOptimizer opt = new GanOptimizer(cfg, List.of(p), m);
                for (int i = 0; i < 2; i++) {
                    backward(p, m);
                    opt.step();
                    assertArrayEquals(new float[3], p.getArray().getGradient().toFloatArray(), 0f, cfg.type);
                }
            }
        }
    }

    @Test
    void weightDecayAddsTheWeightToTheGradientBeforeEachUpdate() {
        // The DCGAN code's Regularizer(l2) and PyTorch's weight_decay: g' = g + wd w, then the update, here
        // Adam's (lambda = 1 - 1e-8 in the DCGAN code's Adam changes beta1 by less than float precision).
        OptimizerConfig cfg = OptimizerConfig.adam(0.1f, 0.5f, 0.9f);
        cfg.weightDecay = 0.05f;
        double[] w = W0.clone();
        double[] m = new double[3];
        double[] v = new double[3];
        for (int t = 1; t <= 4; t++) {
            for (int i = 0; i < 3; i++) {
                double g = 2 * C[i] * w[i] + 0.05 * w[i];
                m[i] = 0.5 * m[i] + 0.5 * g;
                v[i] = 0.9 * v[i] + 0.1 * g * g;
                w[i] -= 0.1 * (m[i] / (1 - Math.pow(0.5, t))) / (Math.sqrt(v[i] / (1 - Math.pow(0.9, t))) + 1e-8);
            }
        }
        assertArrayEquals(f(w), run(cfg, 4), 1e-5f);
        OptimizerConfig plain = OptimizerConfig.adam(0.1f, 0.5f, 0.9f);
        assertFalse(java.util.Arrays.equals(run(plain, 4), run(cfg, 4)), "the decay changes the update");
    }

    @Test
    void rmspropFollowsPyTorch() {
        OptimizerConfig cfg = OptimizerConfig.rmsprop(0.01f);
        cfg.alpha = 0.9f;
        double[] w = W0.clone();
        double[] v = new double[3];
        for (int t = 1; t <= 4; t++) {
            for (int i = 0; i < 3; i++) {
                double g = 2 * C[i] * w[i];
                v[i] = 0.9 * v[i] + 0.1 * g * g;
                w[i] -= 0.01 * g / (Math.sqrt(v[i]) + 1e-8);
            }
        }
        assertArrayEquals(f(w), run(cfg, 4), 1e-5f);
    }

    @Test
    void sgdWithMomentumFollowsPyTorch() {
        OptimizerConfig cfg = OptimizerConfig.sgd(0.05f, 0.9f);
        double[] w = W0.clone();
        double[] b = new double[3];
        for (int t = 1; t <= 4; t++) {
            for (int i = 0; i < 3; i++) {
                double g = 2 * C[i] * w[i];
                b[i] = t == 1 ? g : 0.9 * b[i] + g;
                w[i] -= 0.05 * b[i];
            }
        }
        assertArrayEquals(f(w), run(cfg, 4), 1e-5f);
    }

    @Test
    void stateSurvivesSaveAndLoadAndResetClearsIt() throws Exception {
        try (NDManager m = GanLab.newManager()) {
            OptimizerConfig cfg = OptimizerConfig.adam(0.1f, 0.5f, 0.9f);
            Parameter p = param(m);
            GanOptimizer a = new GanOptimizer(cfg, List.of(p), m);
            backward(p, m);
            a.step();
            backward(p, m);
            a.step();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            a.save(new DataOutputStream(buf));
            float[] w2 = p.getArray().toFloatArray();
            // continue the original
            backward(p, m);
            a.step();
            float[] continued = p.getArray().toFloatArray();
            // a fresh optimiser loaded from the save, from the same weights, makes the same third step
            p.getArray().set(w2);
            GanOptimizer b = new GanOptimizer(cfg, List.of(p), m);
            b.load(new DataInputStream(new ByteArrayInputStream(buf.toByteArray())));
            assertEquals(2, b.steps());
            backward(p, m);
            b.step();
            assertArrayEquals(continued, p.getArray().toFloatArray(), 1e-7f);
            // after reset, the next step is Adam's first step again: |delta| = lr per coordinate
            b.reset();
            float[] before = p.getArray().toFloatArray();
            backward(p, m);
            b.step();
            float[] after = p.getArray().toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertEquals(0.1, Math.abs(after[i] - before[i]), 1e-4, "first Adam step moves by lr");
            }
            GanOptimizer wrongType = new GanOptimizer(OptimizerConfig.rmsprop(0.1f), List.of(p), m);
            assertThrows(java.io.IOException.class,
                    () -> wrongType.load(new DataInputStream(new ByteArrayInputStream(buf.toByteArray()))));
        }
    }

    @Test
    void parametersWithoutGradientAreLeftAlone() {
        try (NDManager m = GanLab.newManager()) {
            Parameter p = param(m);
            GanOptimizer opt = new GanOptimizer(OptimizerConfig.adam(0.1f, 0.5f, 0.9f), List.of(p), m);
            opt.step(); // nothing accumulated yet: the engine has no .grad for p
            assertArrayEquals(f(W0), p.getArray().toFloatArray(), 0f);
        }
    }

    @Test
    void badSettingsAreNamed() {
        OptimizerConfig c = OptimizerConfig.sgd(0.01f, 0f);
        c.type = "adagrad";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.validate("optD"));
        assertEquals(true, e.getMessage().startsWith("optD.type 'adagrad'"));
        OptimizerConfig partial = new OptimizerConfig();
        partial.lr = 1e-4f;
        e = assertThrows(IllegalArgumentException.class, () -> partial.validate("optD"));
        assertTrue(e.getMessage().contains("leaves values unset"), e.getMessage());
    }
}
