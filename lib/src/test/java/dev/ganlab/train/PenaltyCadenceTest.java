package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.objective.GradientPenaltyTerm;
import dev.ganlab.viz.Plots;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which critic updates carry the gradient penalty: every one (Gulrajani et al. 2017, Algorithm 1),
 * or with lazy regularisation every k-th critic update counted over the run.
 */
class PenaltyCadenceTest {

    @TempDir Path tmp;

    private static TrainConfig wganGp(int steps) {
        TrainConfig c = GanTrainerTest.tiny(steps);
        c.loss = "wgan-gp";
        c.nCritic = 5;
        c.logEvery = 1;
        return c;
    }

    @Test
    void everyCriticUpdateOfAStepIsPenalised() {
        TrainConfig c = wganGp(2);
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve("every"))) {
            Map<String, Float> first = t.step1();
            // Before the fix only update k = 0 was penalised: 1 of 5, an effective lambda of 10 / 5.
            assertEquals(5, penalisedUpdates(t), "penalised critic updates in a step of nCritic = 5");
            assertTrue(first.containsKey("penalty") && first.containsKey("grad_norm"), first.toString());
            t.step1();
            assertEquals(10, penalisedUpdates(t));
        }
    }

    @Test
    void lazyRegularisationCountsCriticUpdatesNotSteps() {
        // Critic updates 0..14 over three steps; every third is penalised: 0, 3 | 6, 9 | 12. Counting
        // steps (the old rule: t % 3 == 0 and k == 0) penalised update 0 only, and step 1 not at all.
        TrainConfig c = wganGp(3);
        c.penaltyEvery = 3;
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve("lazy"))) {
            t.addMonitor(GanTrainerTest.QUIET).train();
            assertEquals(5, penalisedUpdates(t));
            double[] penalty = Plots.column(t.history(), "penalty");
            double[] gradNorm = Plots.column(t.history(), "grad_norm");
            assertEquals(3, penalty.length, "one history row per step");
            for (int i = 0; i < 3; i++) {
                assertFalse(Double.isNaN(penalty[i]), "step " + (i + 1) + " has penalised updates but no penalty");
                assertTrue(penalty[i] >= 0 && gradNorm[i] > 0, "penalty " + penalty[i] + ", grad_norm " + gradNorm[i]);
            }
        }
    }

    @Test
    void aStepWithoutPenalisedUpdatesLogsNoPenalty() {
        // nCritic = 1, penaltyEvery = 2: updates 0 and 2 are penalised, update 1 (step 1) is not.
        TrainConfig c = GanTrainerTest.tiny(3);
        c.penalty = "r1";
        c.penaltyEvery = 2;
        c.logEvery = 1;
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve("r1"))) {
            assertTrue(t.step1().containsKey("penalty"));
            assertFalse(t.step1().containsKey("penalty"), "update 1 is not a multiple of penaltyEvery = 2");
            assertTrue(t.step1().containsKey("penalty"));
            assertEquals(2, penalisedUpdates(t));
        }
    }

    /** Critic updates of the trainer's session that carried the gradient penalty. */
    private static long penalisedUpdates(GanTrainer t) {
        return t.objective().term(GradientPenaltyTerm.class).map(GradientPenaltyTerm::penalisedUpdates).orElse(0L);
    }
}
