package dev.ganlab.latent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Interpolation, arithmetic and truncation of latents against their closed forms. */
class LatentsTest {

    private static float[] gaussian(int d, long seed) {
        Random r = new Random(seed);
        float[] z = new float[d];
        for (int i = 0; i < d; i++) {
            z[i] = (float) r.nextGaussian();
        }
        return z;
    }

    private static float[] scaled(float[] z, double s) {
        float[] o = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            o[i] = (float) (z[i] * s);
        }
        return o;
    }

    private static double angle(float[] a, float[] b) {
        return Math.acos(Latents.dot(a, b) / (Latents.norm(a) * Latents.norm(b)));
    }

    @Test
    void slerpStartsAndEndsAtItsEndpoints() {
        float[] a = gaussian(128, 1);
        float[] b = gaussian(128, 2);
        assertArrayEquals(a, Latents.slerp(a, b, 0), 1e-5f);
        assertArrayEquals(b, Latents.slerp(a, b, 1), 1e-5f);
        float[][] p = Latents.path(a, b, 7, true);
        assertEquals(7, p.length);
        assertArrayEquals(a, p[0], 0f);
        assertArrayEquals(b, p[6], 0f);
    }

    @Test
    void slerpOfEqualNormLatentsKeepsTheNormAndMovesAtConstantAngularSpeed() {
        float[] a = gaussian(128, 3);
        float[] b = gaussian(128, 4);
        b = scaled(b, Latents.norm(a) / Latents.norm(b)); // |a| = |b|
        double omega = angle(a, b);
        for (int s = 0; s <= 10; s++) {
            double t = s / 10.0;
            float[] z = Latents.slerp(a, b, t);
            assertEquals(Latents.norm(a), Latents.norm(z), 1e-4 * Latents.norm(a), "norm at t=" + t);
            assertEquals(t * omega, angle(a, z), 1e-4, "angle from a at t=" + t);
            assertEquals((1 - t) * omega, angle(z, b), 1e-4, "angle to b at t=" + t);
        }
    }

    @Test
    void theStraightLineBetweenOrthogonalLatentsLosesNormWhereSlerpDoesNot() {
        float[] a = {3, 0, 0, 0};
        float[] b = {0, 0, 3, 0};
        assertEquals(3 / Math.sqrt(2), Latents.norm(Latents.lerp(a, b, 0.5)), 1e-6);
        float[] mid = Latents.slerp(a, b, 0.5);
        // The great-circle midpoint of two orthogonal vectors of norm 3: 3 (a + b) / |a + b|.
        assertArrayEquals(new float[] {(float) (3 / Math.sqrt(2)), 0, (float) (3 / Math.sqrt(2)), 0}, mid, 1e-6f);
    }

    @Test
    void parallelLatentsFallBackToTheLineAndOppositeOnesAreRejected() {
        float[] a = {1, 2, 3};
        float[] b = {2, 4, 6};
        assertArrayEquals(new float[] {1.5f, 3f, 4.5f}, Latents.slerp(a, b, 0.5), 1e-6f);
        UserError e = assertThrows(UserError.class, () -> Latents.slerp(a, scaled(a, -1), 0.5));
        assertTrue(e.getMessage().contains("opposite"), e.getMessage());
        assertThrows(UserError.class, () -> Latents.path(a, b, 1, false));
    }

    @Test
    void arithmeticIsTheSignedSumOfGroupMeans() {
        float[][] a = {{1, 2}, {3, 4}};          // mean (2, 3)
        float[][] b = {{1, 1}};                  // mean (1, 1)
        float[][] c = {{0, 2}, {2, 0}, {4, 4}};  // mean (2, 2)
        assertArrayEquals(new float[] {3, 4}, Latents.combine(new double[] {1, -1, 1}, a, b, c), 1e-6f);
        assertArrayEquals(new float[] {2, 3}, Latents.mean(a), 0f);
        assertThrows(UserError.class, () -> Latents.combine(new double[] {1, -1}, a, b, c));
    }

    @Test
    void jitterStaysWithinItsScale() {
        float[] z = gaussian(1000, 5);
        float[] j = Latents.jitter(z, 0.25, 9);
        double largest = 0;
        for (int i = 0; i < z.length; i++) {
            largest = Math.max(largest, Math.abs(j[i] - z[i]));
        }
        assertTrue(largest <= 0.25 + 1e-6 && largest > 0.2, "largest offset " + largest);
    }

    @Test
    void truncationAtPsiOneIsTheIdentityAndAtZeroTheMean() {
        float[] z = gaussian(16, 6);
        float[] mean = gaussian(16, 7);
        assertArrayEquals(z, Latents.truncate(z, mean, 1), 1e-6f);
        assertArrayEquals(mean, Latents.truncate(z, mean, 0), 0f);
        float[] half = Latents.truncate(z, mean, 0.5);
        for (int i = 0; i < z.length; i++) {
            assertEquals((z[i] + mean[i]) / 2, half[i], 1e-6);
        }
        assertThrows(UserError.class, () -> Latents.truncate(z, mean, 1.5));
        assertThrows(UserError.class, () -> Latents.truncate(z, mean, -0.1));
        assertThrows(UserError.class, () -> Latents.truncate(z, mean, Double.NaN));
    }
}
