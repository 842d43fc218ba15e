package dev.ganlab.metrics;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrechetDistanceTest {

    private static final JsonObject REF = Fixtures.reference();

    @Test
    void matchesScipySqrtmOnFixtureFeatures() {
        FeatureMatrix a = Fixtures.matrix("features_a.npy");
        FeatureMatrix b = Fixtures.matrix("features_b.npy");
        double expected = REF.get("fid_a_b").getAsDouble();
        assertEquals(expected, FrechetDistance.fid(a, b), 1e-9 * expected);
    }

    @Test
    void handlesSingularCovarianceWithFewerSamplesThanDimensions() {
        FeatureMatrix a = Fixtures.matrix("features_a.npy");
        FeatureMatrix small = Fixtures.matrix("features_small.npy"); // 20 samples, 32 dimensions
        double expected = REF.get("fid_a_small").getAsDouble();
        assertEquals(expected, FrechetDistance.fid(a, small), 1e-6 * expected);
    }

    @Test
    void singularReferenceSideGivesScipysValue() {
        // tr sqrt(S1 S2) = tr sqrt(S2 S1): the singular set as the factored (reference) side.
        FeatureMatrix a = Fixtures.matrix("features_a.npy");
        FeatureMatrix small = Fixtures.matrix("features_small.npy");
        double expected = REF.get("fid_a_small").getAsDouble();
        assertEquals(expected, FrechetDistance.fid(small, a), 1e-6 * expected);
    }

    @Test
    void closedFormAtBlockedMultithreadedSizeWithBothCovariancesSingular() {
        // d = 300 spans several Cholesky/tridiagonal blocks and runs the threaded kernels; both
        // covariances have zero eigenvalues (in different directions), as with constant features.
        int d = 300;
        Random r = new Random(17);
        double[] q = randomOrthogonal(d, r);
        double[] a = new double[d];
        double[] b = new double[d];
        for (int i = 0; i < d; i++) {
            a[i] = i % 7 == 0 ? 0 : 0.1 + 5 * r.nextDouble();
            b[i] = i % 11 == 3 ? 0 : 0.1 + 5 * r.nextDouble();
        }
        double[] mu1 = new double[d];
        double[] mu2 = new double[d];
        mu2[5] = 1.5;
        double expected = 1.5 * 1.5;
        for (int i = 0; i < d; i++) {
            expected += a[i] + b[i] - 2 * Math.sqrt(a[i] * b[i]);
        }
        double got = FrechetDistance.distance(mu1, rotate(q, a, d), mu2, rotate(q, b, d));
        assertEquals(expected, got, 1e-6 * expected);
    }

    @Test
    void setWithItselfIsZero() {
        FeatureMatrix a = Fixtures.matrix("features_a.npy");
        assertEquals(0, FrechetDistance.fid(a, a), 1e-8);
    }

    @Test
    void closedFormForCommutingDiagonalCovariances() {
        int d = 5;
        double[] mu1 = {0, 1, 2, 3, 4};
        double[] mu2 = {1, 1, 0, 3, 5};
        double[] v1 = {1, 4, 9, 0.25, 2};
        double[] v2 = {4, 1, 1, 1, 0.5};
        double expected = 1 + 0 + 4 + 0 + 1;
        for (int i = 0; i < d; i++) {
            expected += v1[i] + v2[i] - 2 * Math.sqrt(v1[i] * v2[i]);
        }
        assertEquals(expected, FrechetDistance.distance(mu1, diag(v1), mu2, diag(v2)), 1e-10);
    }

    @Test
    void closedFormForCommutingRotatedCovariances() {
        // S1 = Q diag(a) Q^T and S2 = Q diag(b) Q^T commute: tr sqrt(S1 S2) = sum sqrt(a_i b_i).
        int d = 6;
        double[] q = randomOrthogonal(d, new Random(3));
        double[] a = {3, 1, 0.5, 2, 0, 7};   // one zero eigenvalue: singular S1
        double[] b = {1, 2, 2, 0.1, 4, 3};
        double[] mu1 = new double[d];
        double[] mu2 = new double[d];
        mu2[2] = 2;
        double expected = 4;
        for (int i = 0; i < d; i++) {
            expected += a[i] + b[i] - 2 * Math.sqrt(a[i] * b[i]);
        }
        double got = FrechetDistance.distance(mu1, rotate(q, a, d), mu2, rotate(q, b, d));
        assertEquals(expected, got, 1e-9);
    }

    @Test
    void referenceIsReusable() {
        FeatureMatrix a = Fixtures.matrix("features_a.npy");
        FeatureMatrix b = Fixtures.matrix("features_b.npy");
        FrechetDistance.Reference ref = new FrechetDistance.Reference(GaussianStats.of(a));
        assertEquals(REF.get("fid_a_b").getAsDouble(), ref.distanceTo(GaussianStats.of(b)), 1e-6);
        assertEquals(0, ref.distanceTo(GaussianStats.of(a)), 1e-8);
    }

    @Test
    void fidInfinityRemovesMostOfTheSmallSampleBias() {
        // Same Gaussian for real and fake: the population FID is 0 and FID_N ~ c / N > 0.
        int d = 32;
        for (int seed = 1; seed <= 4; seed++) {
            Random r = new Random(seed);
            FeatureMatrix real = gaussian(r, 20000, d, 0);
            FeatureMatrix fake = gaussian(r, 400, d, 0);
            FrechetDistance.Reference ref = new FrechetDistance.Reference(GaussianStats.of(real));
            double fidN = ref.distanceTo(GaussianStats.of(fake));
            FrechetDistance.Extrapolation ex = FrechetDistance.fidInfinity(ref, fake, seed);
            assertTrue(ex.slope() > 0, "FID should fall as N grows: slope " + ex.slope());
            assertTrue(Math.abs(ex.fidInfinity()) < 0.4 * fidN, "seed " + seed + ": FID_inf " + ex.fidInfinity()
                    + " vs FID_N " + fidN);
            assertEquals(400, ex.sizes()[ex.sizes().length - 1]);
            assertEquals(40, ex.sizes()[0]);
        }
    }

    @Test
    void fitInverseNRecoversAnExactLine() {
        int[] sizes = {100, 250, 1000, 4000};
        double[] fids = new double[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            fids[i] = 3.0 + 500.0 / sizes[i];
        }
        FrechetDistance.Extrapolation line = FrechetDistance.fitInverseN(sizes, fids);
        assertEquals(3.0, line.fidInfinity(), 1e-9);
        assertEquals(500.0, line.slope(), 1e-6);
        assertEquals(3.0 + 500.0 / 200, line.at(200), 1e-9);
    }

    @Test
    void fitInverseNIsLeastSquaresForNoisyPoints() {
        // Two sizes, two FIDs each side of a line: the fit passes through the midpoints.
        int[] sizes = {100, 100, 400, 400};
        double[] fids = {9, 11, 4, 6};  // means 10 at 1/100 and 5 at 1/400
        FrechetDistance.Extrapolation line = FrechetDistance.fitInverseN(sizes, fids);
        double slope = (10.0 - 5.0) / (1.0 / 100 - 1.0 / 400);
        assertEquals(slope, line.slope(), 1e-9);
        assertEquals(10.0 - slope / 100, line.fidInfinity(), 1e-9);
    }

    @Test
    void fitInverseNNeedsTwoDifferentSizes() {
        assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.fitInverseN(new int[] {500, 500}, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.fitInverseN(new int[] {500}, new double[] {1}));
    }

    @Test
    void fidAtSampleCountsFallsTowardsTheTrueDistanceAsNGrows() {
        // Same distribution on both sides: the population FID is 0, the estimate's bias ~ c / N.
        Random r = new Random(11);
        int d = 16;
        FrechetDistance.Reference ref = new FrechetDistance.Reference(GaussianStats.of(gaussian(r, 20000, d, 0)));
        FeatureMatrix fake = gaussian(r, 3200, d, 0);
        double[] fids = FrechetDistance.atSampleCounts(ref, fake, new int[] {50, 200, 800, 3200}, 5);
        for (int i = 1; i < fids.length; i++) {
            assertTrue(fids[i] < fids[i - 1], "FID at the larger sample should be smaller: " + java.util.Arrays.toString(fids));
        }
        // The largest size takes every fake (in another order): the FID of the whole set.
        assertEquals(ref.distanceTo(GaussianStats.of(fake)), fids[3], 1e-9 * fids[3]);
        // A shift of 0.5 in each of d dimensions adds d * 0.25 to the population FID.
        FeatureMatrix shifted = gaussian(r, 3200, d, 0.5);
        double[] shiftedFids = FrechetDistance.atSampleCounts(ref, shifted, new int[] {3200}, 5);
        assertEquals(d * 0.25, shiftedFids[0], 0.1 * d * 0.25);
    }

    @Test
    void fidAtSampleCountsRejectsSizesOutsideTheFakes() {
        Random r = new Random(2);
        FrechetDistance.Reference ref = new FrechetDistance.Reference(GaussianStats.of(gaussian(r, 100, 4, 0)));
        FeatureMatrix fake = gaussian(r, 50, 4, 0);
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.atSampleCounts(ref, fake, new int[] {51}, 1));
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.atSampleCounts(ref, fake, new int[] {1}, 1));
    }

    static FeatureMatrix gaussian(Random r, int n, int d, double shift) {
        double[] v = new double[n * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian() + shift;
        }
        return new FeatureMatrix(n, d, v);
    }

    private static double[] diag(double[] v) {
        double[] m = new double[v.length * v.length];
        for (int i = 0; i < v.length; i++) {
            m[i * v.length + i] = v[i];
        }
        return m;
    }

    private static double[] rotate(double[] q, double[] eig, int d) {
        double[] m = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    s += q[i * d + k] * eig[k] * q[j * d + k];
                }
                m[i * d + j] = s;
            }
        }
        return m;
    }

    /** Gram-Schmidt on a random matrix: the columns of the result are orthonormal. */
    private static double[] randomOrthogonal(int d, Random r) {
        double[][] cols = new double[d][d];
        for (int c = 0; c < d; c++) {
            for (int i = 0; i < d; i++) {
                cols[c][i] = r.nextGaussian();
            }
            for (int p = 0; p < c; p++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += cols[c][i] * cols[p][i];
                }
                for (int i = 0; i < d; i++) {
                    cols[c][i] -= dot * cols[p][i];
                }
            }
            double norm = 0;
            for (int i = 0; i < d; i++) {
                norm += cols[c][i] * cols[c][i];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < d; i++) {
                cols[c][i] /= norm;
            }
        }
        double[] q = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int c = 0; c < d; c++) {
                q[i * d + c] = cols[c][i];
            }
        }
        return q;
    }
}
