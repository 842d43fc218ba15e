package dev.ganlab.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ganlab.core.GanLab;
import org.junit.jupiter.api.Test;

/** Each loss against its formula evaluated by hand in double precision. */
class AdversarialLossTest {

    static final double[] REAL = {2.0, -0.5, 0.3};
    static final double[] FAKE = {-1.5, 0.8, 0.0, 4.0};

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static double mean(double[] v, java.util.function.DoubleUnaryOperator f) {
        double s = 0;
        for (double x : v) {
            s += f.applyAsDouble(x);
        }
        return s / v.length;
    }

    float[] eval(AdversarialLoss l, float target) {
        try (NDManager m = GanLab.newManager()) {
            NDArray r = m.create(new float[] {2.0f, -0.5f, 0.3f});
            NDArray f = m.create(new float[] {-1.5f, 0.8f, 0.0f, 4.0f});
            return new float[] {l.discriminatorLoss(r, f, target).getFloat(), l.generatorLoss(f).getFloat()};
        }
    }

    @Test
    void minimaxAndNonSaturatingAreBinaryCrossEntropy() {
        double d = -mean(REAL, x -> Math.log(sigmoid(x))) - mean(FAKE, x -> Math.log(1 - sigmoid(x)));
        float[] mm = eval(AdversarialLoss.MINIMAX, 1f);
        assertEquals(d, mm[0], 1e-5);
        assertEquals(mean(FAKE, x -> Math.log(1 - sigmoid(x))), mm[1], 1e-5, "G minimises log(1 - D(G(z)))");
        float[] ns = eval(AdversarialLoss.NON_SATURATING, 1f);
        assertEquals(d, ns[0], 1e-5);
        assertEquals(-mean(FAKE, x -> Math.log(sigmoid(x))), ns[1], 1e-5, "G maximises log D(G(z))");
    }

    @Test
    void oneSidedLabelSmoothingUsesTheSoftTargetOnRealsOnly() {
        double t = 0.9;
        double d = -mean(REAL, x -> t * Math.log(sigmoid(x)) + (1 - t) * Math.log(1 - sigmoid(x)))
                - mean(FAKE, x -> Math.log(1 - sigmoid(x)));
        assertEquals(d, eval(AdversarialLoss.NON_SATURATING, 0.9f)[0], 1e-5);
        double ls = 0.5 * mean(REAL, x -> (x - t) * (x - t)) + 0.5 * mean(FAKE, x -> x * x);
        assertEquals(ls, eval(AdversarialLoss.LSGAN, 0.9f)[0], 1e-5);
    }

    @Test
    void wassersteinLeastSquaresAndHinge() {
        float[] w = eval(AdversarialLoss.WGAN, 1f);
        assertEquals(mean(FAKE, x -> x) - mean(REAL, x -> x), w[0], 1e-5);
        assertEquals(-mean(FAKE, x -> x), w[1], 1e-5);
        float[] ls = eval(AdversarialLoss.LSGAN, 1f);
        assertEquals(0.5 * mean(REAL, x -> (x - 1) * (x - 1)) + 0.5 * mean(FAKE, x -> x * x), ls[0], 1e-5);
        assertEquals(0.5 * mean(FAKE, x -> (x - 1) * (x - 1)), ls[1], 1e-5);
        float[] h = eval(AdversarialLoss.HINGE, 1f);
        assertEquals(mean(REAL, x -> Math.max(0, 1 - x)) + mean(FAKE, x -> Math.max(0, 1 + x)), h[0], 1e-5);
        assertEquals(-mean(FAKE, x -> x), h[1], 1e-5);
    }

    @Test
    void hingeWithPerScoreMargins() {
        try (NDManager m = GanLab.newManager()) {
            NDArray r = m.create(new float[] {0.9f, 0.5f});
            NDArray f = m.create(new float[] {-0.95f, 0.1f});
            NDArray mr = m.create(new float[] {0.8f, 1.0f});
            NDArray mf = m.create(new float[] {1.0f, 0.8f});
            double expected = (Math.max(0, 0.8 - 0.9) + Math.max(0, 1.0 - 0.5)) / 2
                    + (Math.max(0, 1.0 - 0.95) + Math.max(0, 0.8 + 0.1)) / 2;
            assertEquals(expected, AdversarialLoss.hinge(r, f, mr, mf).getFloat(), 1e-6);
        }
    }

    @Test
    void namesParse() {
        assertEquals(AdversarialLoss.NON_SATURATING, AdversarialLoss.parse("Non-Saturating"));
        assertEquals(AdversarialLoss.MINIMAX, AdversarialLoss.parse("saturating"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdversarialLoss.parse("bce"));
        assertEquals(true, e.getMessage().contains("'bce'"));
    }
}
