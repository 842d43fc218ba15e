package dev.ganlab.metrics;

import dev.ganlab.Slow;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelInceptionDistanceTest {

    @Test
    void unbiasedMmdMatchesNumpyOnFixtureFeatures() {
        FeatureMatrix a = Fixtures.matrix("features_a.npy");
        FeatureMatrix b = Fixtures.matrix("features_b.npy");
        double expected = Fixtures.reference().get("kid_a_b_full_set").getAsDouble();
        assertEquals(expected, KernelInceptionDistance.mmd2Unbiased(a, b), 1e-9 * expected);
    }

    @Test
    void fullSizeSubsetsAreOneSubsetOfTheWholeSetsWithoutSpread() {
        // With subsets as large as both sets, every subset pair is both whole sets in some order, and MMD^2_u does
        // not depend on the order: one value, the full-set fixture's, and no spread.
        FeatureMatrix a = Fixtures.matrix("features_a.npy");
        FeatureMatrix b = Fixtures.matrix("features_b.npy");
        double expected = Fixtures.reference().get("kid_a_b_full_set").getAsDouble();
        KernelInceptionDistance.Result r = KernelInceptionDistance.kid(a, b, 3, 1000, 42);
        assertEquals(300, r.subsetSize());
        assertTrue(r.wholeSets());
        assertEquals(1, r.subsets(), "one distinct subset pair, reported as one");
        assertEquals(expected, r.mean(), 1e-9 * expected);
        assertEquals(0.0, r.std(), "no spread, exactly");
    }

    @Test
    void whenOnlyOneSetIsWholeTheOtherSetsSubsetsGiveASpread() {
        // 300 real rows, 200 fakes: subsets of 200 take every fake but vary the reals, so the subsets differ.
        FeatureMatrix a = Fixtures.matrix("features_a.npy");
        FeatureMatrix b = Fixtures.matrix("features_b.npy").rows(java.util.stream.IntStream.range(0, 200).toArray());
        KernelInceptionDistance.Result r = KernelInceptionDistance.kid(a, b, 3, 1000, 42);
        assertEquals(200, r.subsetSize());
        assertFalse(r.wholeSets());
        assertEquals(3, r.subsets());
        assertTrue(r.std() > 0, r.toString());
    }

    @Slow
    @Test
    void sameDistributionIsNearZeroAndShiftedIsPositive() {
        Random rnd = new Random(9);
        int d = 16;
        FeatureMatrix x = FrechetDistanceTest.gaussian(rnd, 600, d, 0);
        FeatureMatrix y = FrechetDistanceTest.gaussian(rnd, 600, d, 0);
        FeatureMatrix z = FrechetDistanceTest.gaussian(rnd, 600, d, 0.5);
        KernelInceptionDistance.Result same = KernelInceptionDistance.kid(x, y, 20, 200, 1);
        KernelInceptionDistance.Result shifted = KernelInceptionDistance.kid(x, z, 20, 200, 1);
        assertEquals(200, same.subsetSize());
        assertTrue(Math.abs(same.mean()) < 3 * same.std() / Math.sqrt(20) + 1e-3, "same: " + same);
        assertTrue(shifted.mean() > 10 * Math.abs(same.mean()) && shifted.std() > 0, "shifted: " + shifted);
    }
}
