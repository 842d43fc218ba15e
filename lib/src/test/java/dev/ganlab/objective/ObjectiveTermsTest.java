package dev.ganlab.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.loss.AdversarialLoss;
import dev.ganlab.loss.GradientPenalty;
import dev.ganlab.loss.Params;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.nn.Init;
import dev.ganlab.nn.Linear;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each term on its own: what it adds to a loss (against the paper's formula, by hand), the keys it
 * logs (exactly those it declares), and its settings check (a UserError naming the key).
 */
class ObjectiveTermsTest {

    static final float[] REAL = {1.5f, -0.5f, 0.25f};
    static final float[] FAKE = {-1f, 0.5f, 2f};

    static CriticPass pass(NDManager m, long step, int update, NDArray aux, Map<String, NDArray> auxMetrics) {
        DiscriminatorOutput real = new DiscriminatorOutput(m.create(REAL), null, aux, auxMetrics);
        DiscriminatorOutput fake = DiscriminatorOutput.of(m.create(FAKE), null);
        return new CriticPass(step, update, null, null, null, null, real, fake);
    }

    static void assertLogsExactlyDeclared(ObjectiveTerm term, Map<String, Float> log) {
        assertTrue(term.loggedKeys().containsAll(log.keySet()),
                term.getClass().getSimpleName() + " logged " + log.keySet() + " but declares " + term.loggedKeys());
    }

    @Test
    void driftIsEpsilonTimesTheMeanSquaredRealScore() {
        GanLab.init();
        try (NDManager m = GanLab.newManager()) {
            DriftTerm drift = new DriftTerm(0.001f);
            Map<String, Float> log = new LinkedHashMap<>();
            float v = drift.criticLoss(pass(m, 0, 0, null, Map.of()), log).getFloat();
            double want = 0.001 * (1.5 * 1.5 + 0.25 + 0.0625) / 3;
            assertEquals(want, v, 1e-9);
            assertEquals(List.of("drift"), List.copyOf(log.keySet()));
            assertEquals(want, log.get("drift"), 1e-9);
        }
        UserError e = assertThrows(UserError.class, () -> new DriftTerm(-1f));
        assertTrue(e.getMessage().contains("drift"), e.getMessage());
    }

    @Test
    void adversarialTermLogsScoresAndUsesTheSmoothedRealLabel() {
        GanLab.init();
        try (NDManager m = GanLab.newManager()) {
            AdversarialLoss ns = AdversarialLoss.NON_SATURATING;
            AdversarialTerm term = new AdversarialTerm(ns, LabelSmoothing.of(0.9f, ns), "fixed", true, new StepSeeds(1));
            Map<String, Float> log = new LinkedHashMap<>();
            float v = term.criticLoss(pass(m, 0, 0, null, Map.of()), log).getFloat();
            double lossReal = 0;
            for (float r : REAL) {
                double p = 1 / (1 + Math.exp(-r));
                lossReal -= (0.9 * Math.log(p) + 0.1 * Math.log(1 - p)) / REAL.length;
            }
            double lossFake = 0;
            for (float f : FAKE) {
                lossFake -= Math.log(1 - 1 / (1 + Math.exp(-f))) / FAKE.length;
            }
            assertEquals(lossReal + lossFake, v, 1e-5);
            assertEquals(List.of("d_loss", "d_real", "d_fake"), List.copyOf(log.keySet()));
            assertEquals((1.5 - 0.5 + 0.25) / 3, log.get("d_real"), 1e-6);
            assertEquals((-1 + 0.5 + 2) / 3.0, log.get("d_fake"), 1e-6);
            assertLogsExactlyDeclared(term, log);
        }
    }

    @Test
    void randomHingeMarginsLieBetweenTheFixedMarginsAndReplayBySeed() {
        GanLab.init();
        try (NDManager m = GanLab.newManager()) {
            AdversarialLoss hinge = AdversarialLoss.HINGE;
            AdversarialTerm random = new AdversarialTerm(hinge, LabelSmoothing.OFF, "random", true, new StepSeeds(3));
            float a = random.criticLoss(pass(m, 5, 0, null, Map.of()), new LinkedHashMap<>()).getFloat();
            float b = random.criticLoss(pass(m, 5, 0, null, Map.of()), new LinkedHashMap<>()).getFloat();
            assertEquals(a, b, 0f, "same step, same margins");
            // Margins in [0.8, 1]: between the hinge with all margins 0.8 and with all margins 1.
            double low = 0;
            double high = 0;
            for (float r : REAL) {
                low += Math.max(0, 0.8 - r) / 3;
                high += Math.max(0, 1 - r) / 3;
            }
            for (float f : FAKE) {
                low += Math.max(0, 0.8 + f) / 3;
                high += Math.max(0, 1 + f) / 3;
            }
            assertTrue(a >= low - 1e-6 && a <= high + 1e-6, a + " not in [" + low + ", " + high + "]");
        }
        UserError e = assertThrows(UserError.class, () -> new AdversarialTerm(AdversarialLoss.HINGE, LabelSmoothing.OFF,
                "sometimes", true, new StepSeeds(1)));
        assertTrue(e.getMessage().contains(AdversarialTerm.HINGE_MARGIN_KEY), e.getMessage());
    }

    @Test
    void labelSmoothingIsCheckedAgainstTheLoss() {
        UserError range = assertThrows(UserError.class, () -> LabelSmoothing.of(1.5f, AdversarialLoss.NON_SATURATING));
        assertTrue(range.getMessage().contains(LabelSmoothing.KEY), range.getMessage());
        UserError wgan = assertThrows(UserError.class, () -> LabelSmoothing.of(0.9f, AdversarialLoss.WGAN));
        assertTrue(wgan.getMessage().contains(LabelSmoothing.KEY) && wgan.getMessage().contains("wgan"),
                wgan.getMessage());
        assertEquals(0.9f, LabelSmoothing.of(0.9f, AdversarialLoss.LSGAN).realLabel());
    }

    @Test
    void reconstructionAddsTheModelsAuxiliaryLossAndLogsItsParts() {
        GanLab.init();
        try (NDManager m = GanLab.newManager()) {
            ReconstructionTerm term = new ReconstructionTerm();
            Map<String, Float> log = new LinkedHashMap<>();
            assertNull(term.criticLoss(pass(m, 0, 0, null, Map.of()), log), "nothing without an auxiliary loss");
            assertTrue(log.isEmpty());
            NDArray aux = m.create(0.75f);
            Map<String, NDArray> parts = new LinkedHashMap<>();
            parts.put("recon_full", m.create(0.5f));
            parts.put("recon_part", m.create(0.25f));
            assertEquals(0.75f, term.criticLoss(pass(m, 0, 0, aux, parts), log).getFloat());
            assertEquals(List.of("d_aux", "recon_full", "recon_part"), List.copyOf(log.keySet()));
            assertLogsExactlyDeclared(term, log);
        }
    }

    @Test
    void instanceNoiseAnnealsLinearlyToZero() {
        InstanceNoise noise = new InstanceNoise(0.2f, 100);
        assertEquals(0.2f, noise.sigmaAt(0), 1e-7);
        assertEquals(0.1f, noise.sigmaAt(50), 1e-7);
        assertEquals(0.05f, noise.sigmaAt(75), 1e-7);
        assertEquals(0f, noise.sigmaAt(100));
        assertEquals(0f, noise.sigmaAt(250), "stays off after the schedule");
        GanLab.init();
        try (NDManager m = GanLab.newManager()) {
            NDArray x = m.zeros(new Shape(20000));
            GanLab.seedEngine(1);
            float[] y = noise.perturbInput(x, 50).toFloatArray();
            double s = 0;
            for (float v : y) {
                s += v * v;
            }
            assertEquals(0.1, Math.sqrt(s / y.length), 0.003, "std of the added noise at step 50");
            assertTrue(noise.perturbInput(x, 100) == x, "no noise once annealed");
        }
        UserError e = assertThrows(UserError.class, () -> new InstanceNoise(-0.1f, 10));
        assertTrue(e.getMessage().contains(InstanceNoise.KEY), e.getMessage());
    }

    @Test
    void weightClippingClipsEveryDiscriminatorWeightAfterItsUpdateOnly() {
        GanLab.init();
        try (NDManager m = GanLab.newManager()) {
            Linear lin = Linear.builder().setUnits(4).optWeightInit(Init.normal(0, 1)).optBiasInit(Init.normal(0, 1)).build();
            lin.initialize(m, DataType.FLOAT32, new Shape(1, 8));
            List<Parameter> params = Params.trainable(lin);
            WeightClipping clip = new WeightClipping(0.1f, params);
            float[] before = params.get(0).getArray().toFloatArray();
            clip.afterUpdate(ObjectiveTerm.Player.GENERATOR);
            assertArrayEquals(before, params.get(0).getArray().toFloatArray(), "the generator's update leaves D alone");
            clip.afterUpdate(ObjectiveTerm.Player.DISCRIMINATOR);
            // The update is w - (w - clip(w)) in place (kept so results match earlier runs bit for bit):
            // in float it can land a rounding step beyond the bound (seen: 0.100000024).
            for (Parameter p : params) {
                for (float v : p.getArray().toFloatArray()) {
                    assertTrue(Math.abs(v) <= 0.1f + 1e-6f, p.getName() + " " + v);
                }
            }
            float[] after = params.get(0).getArray().toFloatArray();
            for (int i = 0; i < before.length; i++) {
                assertEquals(Math.max(-0.1f, Math.min(0.1f, before[i])), after[i], 1e-7);
            }
        }
        UserError e = assertThrows(UserError.class, () -> new WeightClipping(0f, List.of()));
        assertTrue(e.getMessage().contains(WeightClipping.KEY), e.getMessage());
    }

    @Test
    void lazyPenaltyCountsCriticUpdatesOverTheRun() {
        GradientPenaltyTerm every3 = new GradientPenaltyTerm(GradientPenalty.Kind.R1, 10f, 3, 5, new StepSeeds(1));
        // Updates 0..14 of steps 0..2 (5 per step): 0, 3, 6, 9, 12 are penalised.
        StringBuilder which = new StringBuilder();
        for (long t = 0; t < 3; t++) {
            for (int k = 0; k < 5; k++) {
                which.append(every3.penalises(t, k) ? 'x' : '.');
            }
        }
        assertEquals("x..x..x..x..x..", which.toString());
        assertEquals(30f, every3.penalty().weight(), "lazy regularisation multiplies the weight by k");
        assertEquals(List.of("penalty", "grad_norm"), every3.loggedKeys());
        UserError e = assertThrows(UserError.class, () -> new GradientPenaltyTerm(GradientPenalty.Kind.R1, 10f, 0, 1,
                new StepSeeds(1)));
        assertTrue(e.getMessage().contains("penaltyEvery"), e.getMessage());
    }

    @Test
    void featureMatchingOnlyNeedsAWeight() {
        UserError e = assertThrows(UserError.class, () -> FeatureMatching.checkOnly(0f, true));
        assertTrue(e.getMessage().contains("tricks.featureMatchingOnly"), e.getMessage());
        FeatureMatching.checkOnly(0f, false);
        UserError w = assertThrows(UserError.class, () -> new FeatureMatching(-1f));
        assertTrue(w.getMessage().contains(FeatureMatching.KEY), w.getMessage());
    }

    @Test
    void theObjectiveSumsItsTermsInOrder() {
        GanLab.init();
        try (NDManager m = GanLab.newManager()) {
            AdversarialLoss w = AdversarialLoss.WGAN;
            GanObjective objective = new GanObjective(List.of(
                    new AdversarialTerm(w, LabelSmoothing.OFF, "fixed", true, new StepSeeds(1)), new DriftTerm(0.5f)));
            Map<String, Float> log = new LinkedHashMap<>();
            float[] total = {0};
            objective.criticBackward(pass(m, 0, 0, null, Map.of()), log, loss -> total[0] += loss.getFloat());
            double wgan = (-1 + 0.5 + 2) / 3.0 - (1.5 - 0.5 + 0.25) / 3.0;
            double drift = 0.5 * (1.5 * 1.5 + 0.25 + 0.0625) / 3;
            assertEquals(wgan + drift, total[0], 1e-6);
            assertEquals(List.of("d_loss", "d_real", "d_fake", "drift"), List.copyOf(log.keySet()));
            assertTrue(objective.loggedKeys().containsAll(log.keySet()));
        }
    }

    /** A term whose critic loss is {@code scale * sum(w^2)} on a graph of its own; notes how many backward passes ran before it. */
    private static final class OwnGraphTerm implements ObjectiveTerm {
        final NDArray w;
        final List<Integer> backwardsBefore = new java.util.ArrayList<>();
        final List<Float> seen;

        OwnGraphTerm(NDArray w, List<Float> seen) {
            this.w = w;
            this.seen = seen;
        }

        @Override
        public List<String> loggedKeys() {
            return List.of();
        }

        @Override
        public boolean ownCriticGraph() {
            return true;
        }

        @Override
        public NDArray criticLoss(CriticPass pass, Map<String, Float> log) {
            backwardsBefore.add(seen.size());
            return w.square().sum().mul(3f);
        }
    }

    @Test
    void aTermWithItsOwnGraphIsBackPropagatedAfterTheOthersAndTheGradientsAddUp() {
        GanLab.init();
        try (NDManager m = GanLab.newManager();
                dev.ganlab.core.StepScope scope = new dev.ganlab.core.StepScope()) {
            NDArray w = m.create(new float[] {0.5f, -2f});
            w.setRequiresGradient(true);
            NDArray real = m.create(REAL);
            List<Float> seen = new java.util.ArrayList<>();
            ObjectiveTerm scored = new ObjectiveTerm() {
                @Override
                public List<String> loggedKeys() {
                    return List.of();
                }

                @Override
                public NDArray criticLoss(CriticPass pass, Map<String, Float> log) {
                    return w.mul(real.get("0:2")).sum(); // grad: the first two real scores
                }
            };
            OwnGraphTerm own = new OwnGraphTerm(w, seen);
            // The own-graph term sits between the two others in list order; the drift reads the scores.
            GanObjective objective = new GanObjective(List.of(scored, own, new DriftTerm(0.5f)));
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                objective.criticBackward(pass(m, 0, 0, null, Map.of()), new LinkedHashMap<>(), loss -> {
                    seen.add(loss.getFloat());
                    gc.backward(loss);
                });
            }
            double drift = 0.5 * (1.5 * 1.5 + 0.25 + 0.0625) / 3;
            assertEquals(2, seen.size(), "one backward for the scored terms, one for the own-graph term");
            assertEquals(0.5 * 1.5 + -2 * -0.5 + drift, seen.get(0), 1e-6, "scored sum first (drift included)");
            assertEquals(3 * (0.25 + 4), seen.get(1), 1e-5);
            assertEquals(List.of(1), own.backwardsBefore, "the own-graph term is built after the first backward");
            // d/dw [w . real[0:2] + 3 |w|^2] = real[0:2] + 6 w: the two passes' gradients accumulate
            assertArrayEquals(new float[] {1.5f + 3f, -0.5f - 12f}, w.getGradient().toFloatArray(), 1e-5f);
        }
    }
}
