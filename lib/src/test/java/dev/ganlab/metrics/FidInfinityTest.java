package dev.ganlab.metrics;

import dev.ganlab.Slow;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FID_infinity against the closed-form Fréchet distance of the Gaussians the features are drawn
 * from: the reference is the exact N(0, I), the fakes are samples of N(mu, diag(s^2)), so the
 * population FID is |mu|^2 + sum (1 - s_i)^2.
 */
class FidInfinityTest {

    @Slow
    @Test
    void tooFewFakesForTheFeatureDimensionAreLeftOutWithTheNumbers() {
        // The configuration that gave 56.0 against a true 0.37: d = 256, 2,000 fakes, smallest subset 200.
        String why = FidInfinity.whyNot(2000, 256);
        assertTrue(why != null && why.contains(" 200 ") && why.contains("2000") && why.contains("512")
                && why.contains("256") && why.contains("5115"), why);
        assertEquals(5115, FidInfinity.fakesNeeded(256));   // round(0.1 x 5115) = 512
        assertEquals(200, FidInfinity.smallestSubset(2000));
        assertNull(FidInfinity.whyNot(5115, 256));
        assertTrue(FidInfinity.whyNot(5114, 256) != null);

        // The same rule applied to features: 400 fakes in 64 dimensions (smallest subset 40 < 128).
        Random r = new Random(5);
        FeatureMatrix fake = sample(r, 400, new double[64], ones(64));
        FidInfinity.Outcome out = FidInfinity.estimate(exactStandardNormal(64), fake, 1);
        assertNull(out.line());
        assertTrue(out.omittedBecause().contains("40 of the 400") && out.omittedBecause().contains("128"),
                out.omittedBecause());
        // Why: forced through, the line extrapolates far from the true 0 (it gave about -1.7 here).
        double forced = FrechetDistance.fidInfinity(exactStandardNormal(64), fake, 1).fidInfinity();
        assertTrue(Math.abs(forced) > 1, "the too-small configuration happened to land near 0: " + forced);
    }

    @Slow
    @Test
    void sameGaussianGivesNearlyZero() {
        // 3,200 fakes in 32 dimensions: smallest subset 320 = 10 d. FID_N carries a bias of about 0.09.
        int d = 32;
        for (int seed = 1; seed <= 3; seed++) {
            FeatureMatrix fake = sample(new Random(seed), 3200, new double[d], ones(d));
            FrechetDistance.Reference ref = exactStandardNormal(d);
            FidInfinity.Outcome out = FidInfinity.estimate(ref, fake, seed);
            assertTrue(out.computed(), out.omittedBecause());
            double fidN = ref.distanceTo(GaussianStats.of(fake));
            double inf = out.line().fidInfinity();
            assertEquals(0.0, inf, 0.03, "seed " + seed + ", FID_N " + fidN);
            assertTrue(Math.abs(inf) < 0.35 * fidN, "seed " + seed + ": FID_inf " + inf + " vs FID_N " + fidN);
        }
    }

    @Test
    void adequateCountMatchesTheClosedForm() {
        int d = 8;
        double[] mu = {0.5, -0.3, 0, 0.2, 0, 0, 0.1, -0.4};
        double[] s = {1.5, 0.7, 1, 1.2, 0.9, 1, 1, 0.8};
        double expected = 0;
        for (int i = 0; i < d; i++) {
            expected += mu[i] * mu[i] + (1 - s[i]) * (1 - s[i]);
        }
        for (int seed = 1; seed <= 3; seed++) {
            FeatureMatrix fake = sample(new Random(seed), 4000, mu, s);
            FidInfinity.Outcome out = FidInfinity.estimate(exactStandardNormal(d), fake, seed);
            assertTrue(out.computed(), out.omittedBecause());
            assertEquals(expected, out.line().fidInfinity(), 0.05 * expected, "seed " + seed);
        }
    }

    /** The exact statistics of N(0, I_d): no sampling error on the reference side. */
    static FrechetDistance.Reference exactStandardNormal(int d) {
        double[] cov = new double[d * d];
        for (int i = 0; i < d; i++) {
            cov[i * d + i] = 1;
        }
        return new FrechetDistance.Reference(new GaussianStats(new double[d], cov, Integer.MAX_VALUE));
    }

    static FeatureMatrix sample(Random r, int n, double[] mu, double[] s) {
        int d = mu.length;
        double[] v = new double[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                v[i * d + j] = mu[j] + s[j] * r.nextGaussian();
            }
        }
        return new FeatureMatrix(n, d, v);
    }

    static double[] ones(int d) {
        double[] v = new double[d];
        java.util.Arrays.fill(v, 1);
        return v;
    }
}
