package dev.ganlab.latent;

import dev.ganlab.core.UserError;

import java.util.SplittableRandom;

/**
 * Arithmetic on latent vectors in plain Java: interpolation, means and combinations, truncation. The
 * generator is not involved here ({@link LatentExplorer} turns the results into images), so every
 * function can be checked against its closed form.
 *
 * <p>A latent is a {@code float[]} of the model's latent size (the batch axis removed).
 */
public final class Latents {

    /**
     * Below this {@code sin(omega)} two latents count as parallel and {@link #slerp} falls back to
     * {@link #lerp} (the great circle through them is then numerically a straight line).
     */
    public static final double PARALLEL_SIN = 1e-6;

    /**
     * DCGAN (Radford et al. 2016, fig. 7): the variations around an arithmetic result add uniform noise
     * of scale +-0.25 to the result vector.
     */
    public static final double DCGAN_ARITHMETIC_NOISE = 0.25;

    private Latents() {}

    /** {@code (1 - t) a + t b}: the straight line the DCGAN paper walks (sec. 6.1). */
    public static float[] lerp(float[] a, float[] b, double t) {
        checkSameLength(a, b);
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) ((1 - t) * a[i] + t * b[i]);
        }
        return out;
    }

    /**
     * Spherical interpolation (Shoemake 1985, as White 2016, "Sampling Generative Networks", argues for
     * GAN latents): {@code sin((1 - t) w) / sin(w) a + sin(t w) / sin(w) b} with {@code w} the angle
     * between a and b. It moves at constant angular speed; when {@code |a| = |b|} every point has that
     * norm, so the walk stays in the shell where high-dimensional normal latents lie, while the straight
     * line's midpoint between two orthogonal latents has only {@code 1/sqrt(2)} of their norm.
     *
     * <p>Uniform latents on [-1, 1]^d (the DCGAN default): the coefficients sum to at least 1, so slerp
     * can leave the cube, unlike lerp. ProGAN normalises latents onto a sphere inside its generator: slerp
     * of two normalised latents is the geodesic the generator sees, lerp a chord it re-normalises.
     *
     * @throws UserError when a and b point in opposite directions (no unique great circle)
     */
    public static float[] slerp(float[] a, float[] b, double t) {
        checkSameLength(a, b);
        double na = norm(a);
        double nb = norm(b);
        if (na == 0 || nb == 0) {
            return lerp(a, b, t); // a zero vector has no direction: the only path is the straight one
        }
        double cos = dot(a, b) / (na * nb);
        cos = Math.max(-1, Math.min(1, cos));
        double omega = Math.acos(cos);
        double sin = Math.sin(omega);
        if (sin < PARALLEL_SIN) {
            if (cos < 0) {
                throw new UserError("slerp: the two latents point in opposite directions (angle pi), so no"
                        + " single great circle joins them; pick other seeds or use linear interpolation");
            }
            return lerp(a, b, t);
        }
        double ca = Math.sin((1 - t) * omega) / sin;
        double cb = Math.sin(t * omega) / sin;
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) (ca * a[i] + cb * b[i]);
        }
        return out;
    }

    /**
     * {@code steps} latents from a to b inclusive, evenly spaced in t.
     *
     * @param spherical slerp instead of lerp
     */
    public static float[][] path(float[] a, float[] b, int steps, boolean spherical) {
        if (steps < 2) {
            throw new UserError("interpolation needs at least 2 steps (the two end points), got " + steps);
        }
        float[][] out = new float[steps][];
        for (int s = 0; s < steps; s++) {
            double t = s / (double) (steps - 1);
            out[s] = spherical ? slerp(a, b, t) : lerp(a, b, t);
        }
        out[0] = a.clone();
        out[steps - 1] = b.clone();
        return out;
    }

    /** The mean of a group of latents (the DCGAN paper averages three exemplars per concept, sec. 6.3.2). */
    public static float[] mean(float[][] group) {
        if (group.length == 0) {
            throw new UserError("the mean of a group of latents needs at least one latent");
        }
        double[] acc = new double[group[0].length];
        for (float[] z : group) {
            checkSameLength(group[0], z);
            for (int i = 0; i < z.length; i++) {
                acc[i] += z[i];
            }
        }
        float[] out = new float[acc.length];
        for (int i = 0; i < acc.length; i++) {
            out[i] = (float) (acc[i] / group.length);
        }
        return out;
    }

    /**
     * Latent vector arithmetic: {@code sum_k coefficients[k] * mean(groups[k])}; the DCGAN paper's
     * "smiling woman - neutral woman + neutral man" is {@code combine({1, -1, 1}, A, B, C)}.
     */
    public static float[] combine(double[] coefficients, float[][]... groups) {
        if (coefficients.length != groups.length || groups.length == 0) {
            throw new UserError("latent arithmetic: " + coefficients.length + " coefficients for " + groups.length
                    + " groups of latents (one coefficient per group)");
        }
        float[] first = mean(groups[0]);
        double[] acc = new double[first.length];
        for (int k = 0; k < groups.length; k++) {
            float[] m = k == 0 ? first : mean(groups[k]);
            checkSameLength(first, m);
            for (int i = 0; i < m.length; i++) {
                acc[i] += coefficients[k] * m[i];
            }
        }
        float[] out = new float[acc.length];
        for (int i = 0; i < acc.length; i++) {
            out[i] = (float) acc[i];
        }
        return out;
    }

    /** {@code z} plus uniform noise on [-scale, scale] per component, drawn with {@code seed}. */
    public static float[] jitter(float[] z, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = (float) (z[i] + scale * (2 * r.nextDouble() - 1));
        }
        return out;
    }

    /**
     * The truncation trick's formula, {@code mean + psi (z - mean)}: psi = 1 leaves z as drawn, psi = 0
     * maps every latent to the mean. {@link LatentPrior} says what it means for each kind of latent.
     *
     * @throws UserError when psi is not in [0, 1]
     */
    public static float[] truncate(float[] z, float[] mean, double psi) {
        checkPsi(psi);
        checkSameLength(z, mean);
        float[] out = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = (float) (mean[i] + psi * (z[i] - mean[i]));
        }
        return out;
    }

    /** Rejects psi outside [0, 1]. */
    public static void checkPsi(double psi) {
        if (!(psi >= 0 && psi <= 1)) {
            throw new UserError("truncation psi " + psi + " must be in [0, 1] (1 = no truncation, 0 = every latent"
                    + " at the mean)");
        }
    }

    /** Euclidean norm. */
    public static double norm(float[] z) {
        return Math.sqrt(dot(z, z));
    }

    /** Dot product in double precision. */
    public static double dot(float[] a, float[] b) {
        checkSameLength(a, b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static void checkSameLength(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("latents of different sizes: " + a.length + " and " + b.length);
        }
    }
}
