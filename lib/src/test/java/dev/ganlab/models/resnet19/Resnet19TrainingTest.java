package dev.ganlab.models.resnet19;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.ganlab.BlockChecks;
import dev.ganlab.Slow;
import dev.ganlab.TinyRuns;
import dev.ganlab.core.GanLab;
import dev.ganlab.loss.AdversarialLoss;
import dev.ganlab.loss.GradientPenalty;
import dev.ganlab.nn.Normalization;
import dev.ganlab.nn.ScaledWeightLayer;
import dev.ganlab.nn.WeightScaling;
import dev.ganlab.train.GanTrainer;
import dev.ganlab.train.TrainConfig;
import dev.ganlab.train.TrainingMonitor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * ResNet19 is "usable with every loss, penalty and normaliser" (issue 12): two training steps of a
 * ch = 2 network at 32 px (three up-sampling blocks of five) under each adversarial loss, each
 * gradient penalty and each discriminator normaliser. Each run must keep its losses finite, move both
 * networks' weights, log the penalty it was given (and no penalty when given none), respect WGAN's
 * clipping bound, and, under spectral norm, divide each layer by its true largest singular value once
 * the power iteration has run.
 *
 * <p>The quick test covers every value of each axis at least once (six runs); the {@link Slow} test
 * runs the full grids loss x normaliser and penalty x normaliser.
 */
class Resnet19TrainingTest {

    @TempDir Path tmp;

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    /** Each loss, penalty and normaliser at least once: {loss, penalty, dNorm}. */
    static final String[][] COVERING = {
        {"minimax", "none", "none"},
        {"ns", "r1", "batch"},
        {"wgan", "none", "layer"},
        {"wgan-gp", "auto", "spectral"},
        {"lsgan", "dragan", "layer"},
        {"hinge", "wgan-lp", "none"},
    };

    @Test

    @Slow
    void everyLossPenaltyAndNormaliserTrainsAtLeastOnce() {
        List<String> losses = new ArrayList<>();
        List<String> penalties = new ArrayList<>();
        List<String> norms = new ArrayList<>();
        for (String[] run : COVERING) {
            check(run[0], run[1], run[2]);
            losses.add(run[0]);
            penalties.add(run[1].equals("auto") ? "wgan-gp" : run[1]);
            norms.add(run[2]);
        }
        // The covering list must stay complete when a loss, penalty or normaliser is added.
        for (AdversarialLoss l : AdversarialLoss.values()) {
            assertTrue(losses.contains(l.key()), "loss " + l.key() + " is not in COVERING");
        }
        for (GradientPenalty.Kind k : GradientPenalty.Kind.values()) {
            assertTrue(penalties.contains(k.key()), "penalty " + k.key() + " is not in COVERING");
        }
        assertTrue(norms.containsAll(Normalization.NAMES), "normalisers " + Normalization.NAMES + " vs " + norms);
    }

    @Slow
    @Test
    void everyLossAndEveryPenaltyWithEveryNormaliser() {
        for (String norm : Normalization.NAMES) {
            for (AdversarialLoss l : AdversarialLoss.values()) {
                check(l.key(), "none", norm);
            }
            check("wgan-gp", "auto", norm);
            for (GradientPenalty.Kind k : GradientPenalty.Kind.values()) {
                check("ns", k.key(), norm);
            }
        }
    }

    private void check(String loss, String penalty, String norm) {
        String what = loss + "/" + penalty + "/" + norm;
        TrainConfig c = TinyRuns.resnet19(loss, penalty, norm);
        c.resolution = 32;
        c.steps = 2;
        c.batch = 4;
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve(what.replace('/', '-')))) {
            assertEquals(32, t.model().imageShape().get(1), what + ": 32 px");
            TrainConfig r = t.config();
            Map<String, float[]> before = Resnet19ModelTest.snapshot(t.model().generator(), t.model().discriminator());
            t.addMonitor(new TrainingMonitor() {}).train();
            assertEquals(2, t.step(), what);
            assertTrue(Double.isFinite(t.last("d_loss")) && Double.isFinite(t.last("g_loss")), what + ": losses finite");
            Map<String, float[]> after = Resnet19ModelTest.snapshot(t.model().generator(), t.model().discriminator());
            boolean clipped = r.clip != null && r.clip > 0;
            if (clipped) {
                // A critic clipped to 0.01 at ch = 2 passes the generator gradients of about 1e-12: RMSprop's
                // eps (1e-8) shrinks the steps to ~1e-9, lost in float32 on the batch-norm scales (value 1,
                // spacing 1.2e-7). Every other generator array must still move.
                for (var e : before.entrySet()) {
                    if (e.getKey().startsWith("G.") && !e.getKey().endsWith("gamma")) {
                        assertTrue(!Arrays.equals(e.getValue(), after.get(e.getKey())), what + ": " + e.getKey() + " moved");
                    }
                }
            } else {
                assertTrue(Resnet19ModelTest.moved(before, after, "G."), what + ": generator weights moved");
            }
            assertTrue(Resnet19ModelTest.moved(before, after, "D."), what + ": discriminator weights moved");
            if (r.penalty.equals("none")) {
                assertTrue(Double.isNaN(t.last("penalty")), what + ": no penalty logged without a penalty");
            } else {
                assertTrue(Double.isFinite(t.last("penalty")) && t.last("penalty") >= 0, what + ": penalty logged");
                assertTrue(t.last("grad_norm") > 0, what + ": the penalised input gradient is not zero");
            }
            if (clipped) {
                assertEquals("wgan", loss, what + ": only WGAN clips");
                for (var e : after.entrySet()) {
                    if (e.getKey().startsWith("D.")) {
                        for (float v : e.getValue()) {
                            assertTrue(Math.abs(v) <= r.clip + 1e-7f, what + ": " + e.getKey() + " clipped to " + r.clip);
                        }
                    }
                }
            } else {
                assertTrue(!loss.equals("wgan"), what + ": WGAN keeps its weight clipping");
            }
            if (norm.equals("spectral")) {
                spectralNormsAreTheLargestSingularValues(t, what);
            }
        }
    }

    /**
     * After more power-iteration steps (training-mode forwards), each spectral layer's sigma is the
     * largest singular value of its weight matrix computed here independently (power iteration on
     * W^T W in double precision), so the normalised weight W / sigma has spectral norm 1.
     */
    private static void spectralNormsAreTheLargestSingularValues(GanTrainer t, String what) {
        Block d = t.model().discriminator();
        List<ScaledWeightLayer> layers = BlockChecks.blocksOf(d, ScaledWeightLayer.class).stream()
                .filter(l -> l.scaling() == WeightScaling.SPECTRAL).toList();
        assertTrue(layers.size() >= 6 * 3 + 1, what + ": spectral norm on every conv and the head, got " + layers.size());
        try (NDManager m = GanLab.newManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomUniform(-1f, 1f, new ai.djl.ndarray.types.Shape(4).addAll(t.model().imageShape()));
            for (int i = 0; i < 60; i++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray xi = x.duplicate();
                    xi.attach(s);
                    d.forward(ps, new NDList(xi), true).close();
                }
            }
        }
        for (ScaledWeightLayer l : layers) {
            Parameter w = l.weight();
            long out = w.getArray().getShape().get(0);
            double exact = largestSingularValue(w.getArray().toFloatArray(), (int) out);
            double ratio = exact / l.spectralNorm();
            assertEquals(1.0, ratio, 0.02, what + ": " + w.getArray().getShape() + " W / sigma has spectral norm " + ratio);
        }
    }

    /** sqrt of the top eigenvalue of W^T W for W of {@code rows} rows (row-major), by power iteration. */
    static double largestSingularValue(float[] w, int rows) {
        int cols = w.length / rows;
        double[] v = new double[cols];
        Arrays.fill(v, 1.0 / Math.sqrt(cols));
        double sigma = 0;
        for (int it = 0; it < 5000; it++) {
            double[] u = new double[rows];
            for (int r = 0; r < rows; r++) {
                for (int k = 0; k < cols; k++) {
                    u[r] += w[r * cols + k] * v[k];
                }
            }
            double[] nv = new double[cols];
            for (int r = 0; r < rows; r++) {
                for (int k = 0; k < cols; k++) {
                    nv[k] += w[r * cols + k] * u[r];
                }
            }
            double n = Math.sqrt(Arrays.stream(nv).map(a -> a * a).sum());
            sigma = Math.sqrt(n);
            for (int k = 0; k < cols; k++) {
                v[k] = nv[k] / n;
            }
        }
        return sigma;
    }
}
