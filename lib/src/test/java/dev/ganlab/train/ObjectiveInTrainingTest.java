package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import dev.ganlab.objective.DiscriminatorL2;
import dev.ganlab.objective.FeatureMatching;
import dev.ganlab.objective.GradientPenaltyTerm;
import dev.ganlab.objective.HistoricalAveraging;
import dev.ganlab.objective.InstanceNoise;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The objective a config builds: which terms, and that every loss a step logs is declared by one. */
class ObjectiveInTrainingTest {

    @TempDir Path tmp;

    @Test
    void everyLoggedLossBelongsToATermAndTheL2TermIsInTheLoss() {
        TrainConfig c = GanTrainerTest.tiny(2);
        c.penalty = "r1";
        c.drift = 0.001f;
        c.discriminatorL2 = 0.1f;
        c.tricks.instanceNoise = 0.1f;
        c.tricks.featureMatching = 1f;
        c.tricks.historicalAveraging = 0.01f;
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve("mix"))) {
            List<String> kinds = t.objective().terms().stream().map(x -> x.getClass().getSimpleName()).toList();
            for (Class<?> k : List.of(InstanceNoise.class, GradientPenaltyTerm.class, DiscriminatorL2.class,
                    FeatureMatching.class, HistoricalAveraging.class)) {
                assertTrue(kinds.contains(k.getSimpleName()), k.getSimpleName() + " missing from " + kinds);
            }
            Map<String, Float> values = t.step1();
            Set<String> undeclared = new HashSet<>(values.keySet());
            undeclared.removeAll(t.objective().loggedKeys());
            assertEquals(Set.of(), undeclared, "logged by no term: " + undeclared);
            assertTrue(values.containsKey("d_l2") && values.get("d_l2") > 0, values.toString());
            assertTrue(values.containsKey("penalty") && values.containsKey("feature_matching"), values.toString());
        }
    }

    @Test
    void aNegativeL2WeightIsRefusedNamingTheKey() {
        TrainConfig c = GanTrainerTest.tiny(1);
        c.discriminatorL2 = -0.5f;
        UserError e = assertThrows(UserError.class, () -> GanTrainer.start(c, tmp.resolve("neg")).close());
        assertTrue(e.getMessage().contains("discriminatorL2"), e.getMessage());
    }

    @Test
    void theDefaultObjectiveHasNoOptionalTerm() {
        try (GanTrainer t = GanTrainer.start(GanTrainerTest.tiny(1), tmp.resolve("plain"))) {
            List<String> names = t.objective().terms().stream().map(x -> x.getClass().getSimpleName()).toList();
            assertEquals(List.of("AdversarialTerm", "ReconstructionTerm"), names);
        }
    }
}
