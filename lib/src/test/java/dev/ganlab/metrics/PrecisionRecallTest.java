package dev.ganlab.metrics;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PrecisionRecallTest {

    @Test
    void independentSampleOfTheSameDistributionMatchesScipyForEachK() {
        // A set against a fresh draw of (nearly) its own distribution: neither 1 nor 0, and growing with
        // k as the balls grow; the values come from scipy's cdist (make_metric_fixtures.py).
        JsonObject ref = Fixtures.reference().getAsJsonObject("pr_a_same");
        FeatureMatrix a = Fixtures.matrix("features_a.npy");
        FeatureMatrix same = Fixtures.matrix("features_same.npy");
        for (int k : new int[] {1, 3, 5}) {
            JsonObject want = ref.getAsJsonObject("k" + k);
            PrecisionRecall.Result r = PrecisionRecall.compute(a, same, k);
            assertEquals(want.get("precision").getAsDouble(), r.precision(), 1e-12, "precision, k = " + k);
            assertEquals(want.get("recall").getAsDouble(), r.recall(), 1e-12, "recall, k = " + k);
        }
    }

    @Test
    void disjointFarApartSetsGiveZeroAndZero() {
        Random rnd = new Random(2);
        FeatureMatrix a = FrechetDistanceTest.gaussian(rnd, 50, 4, 0);
        FeatureMatrix b = FrechetDistanceTest.gaussian(rnd, 60, 4, 100);
        PrecisionRecall.Result r = PrecisionRecall.compute(a, b);
        assertEquals(0.0, r.precision());
        assertEquals(0.0, r.recall());
    }

    @Test
    void handCheckedOneDimensionalCase() {
        // Real points 0, 1, 2, 3, 10 with k = 1: radii (nearest other point) 1, 1, 1, 1, 7.
        // Fakes 0.5 (inside), 5.5 (inside the ball of 10: |10 - 5.5| = 4.5 <= 7), 20 (outside),
        // 2.9 (inside) -> precision 3/4.
        // Fake radii with k = 1: 0.5 -> 2.4 (to 2.9), 5.5 -> 2.6 (to 2.9), 20 -> 14.5, 2.9 -> 2.4.
        // Reals within some fake ball: 0 (|0-0.5| = .5), 1, 2, 3 (all within 2.4 of 0.5 or 2.9),
        // 10 (|10-20| = 10 <= 14.5) -> recall 5/5.
        FeatureMatrix real = new FeatureMatrix(5, 1, new double[] {0, 1, 2, 3, 10});
        FeatureMatrix fake = new FeatureMatrix(4, 1, new double[] {0.5, 5.5, 20, 2.9});
        PrecisionRecall.Result r = PrecisionRecall.compute(real, fake, 1);
        assertEquals(0.75, r.precision(), 1e-12);
        assertEquals(1.0, r.recall(), 1e-12);
        // k = 2: real radii 2, 1, 1, 2, 8 -> 0.5, 5.5 (4.5 <= 8) and 2.9 inside, 20 (10 > 8) out.
        // Fake radii 5, 5, 17.1, 2.6 -> every real is inside (10 is 10 <= 17.1 from 20).
        PrecisionRecall.Result r2 = PrecisionRecall.compute(real, fake, 2);
        assertEquals(0.75, r2.precision(), 1e-12);
        assertEquals(1.0, r2.recall(), 1e-12);
        // k = 1 without the far real point: 5.5 is now outside every ball -> precision 2/4, and the
        // reals 0..3 all lie within 2.4 of 0.5 or 2.9 -> recall 1.
        FeatureMatrix near = new FeatureMatrix(4, 1, new double[] {0, 1, 2, 3});
        PrecisionRecall.Result r3 = PrecisionRecall.compute(near, fake, 1);
        assertEquals(0.5, r3.precision(), 1e-12);
        assertEquals(1.0, r3.recall(), 1e-12);
    }

    @Test
    void matchesScipyOnOverlappingFixtureSets() {
        JsonObject ref = Fixtures.reference();
        PrecisionRecall.Result r = PrecisionRecall.compute(Fixtures.matrix("features_a.npy"),
                Fixtures.matrix("features_near.npy"));
        assertEquals(ref.get("precision_a_near").getAsDouble(), r.precision(), 1e-12);
        assertEquals(ref.get("recall_a_near").getAsDouble(), r.recall(), 1e-12);
    }
}
