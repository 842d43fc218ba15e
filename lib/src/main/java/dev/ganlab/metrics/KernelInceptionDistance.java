package dev.ganlab.metrics;

import dev.ganlab.data.Permutations;

import java.util.Arrays;

/**
 * KID (Bińkowski et al., 2018, "Demystifying MMD GANs"): the unbiased estimate of the squared
 * maximum mean discrepancy between real and fake features under the cubic polynomial kernel
 * {@code k(x, y) = (x.y / d + 1)^3}, averaged over random subsets of equal size.
 *
 * <p>For one pair of subsets of size m:
 * <pre>  MMD^2_u = sum_{i != j} [k(x_i, x_j) + k(y_i, y_j)] / (m (m - 1)) - 2 sum_{i,j} k(x_i, y_j) / m^2</pre>
 * It is unbiased, so it can be slightly negative when the sets match.
 */
public final class KernelInceptionDistance {

    /** Subsets averaged (Bińkowski et al.; StyleGAN2-ADA's kid50k uses 100). */
    public static final int DEFAULT_SUBSETS = 100;
    /** Largest subset size (Bińkowski et al.: 1000; smaller when fewer samples exist). */
    public static final int DEFAULT_SUBSET_SIZE = 1000;
    /** The kernel's degree, {@code (x.y / d + 1)^3}. */
    public static final int KERNEL_DEGREE = 3;

    private KernelInceptionDistance() {}

    /**
     * Mean and standard deviation (population, ddof 0) of MMD^2_u over subsets.
     *
     * @param subsetSize the subset size m, here {@code min(real, fake, subsetSize)}
     * @param subsets number of subset pairs, each drawn without replacement from each set; 1 when m is the size
     *     of both sets, since every subset pair is then both whole sets (MMD^2_u does not depend on order), so
     *     there is no spread to measure and {@code std} is 0
     * @param wholeSets whether that is so (the one subset pair is both whole sets)
     * @param seed picks the subsets
     */
    public record Result(double mean, double std, int subsets, int subsetSize, boolean wholeSets) {}

    /** KID with the defaults (100 subsets of up to 1000). */
    public static Result kid(FeatureMatrix real, FeatureMatrix fake, long seed) {
        return kid(real, fake, DEFAULT_SUBSETS, DEFAULT_SUBSET_SIZE, seed);
    }

    /**
     * KID over {@code subsets} random subsets of size {@code min(real, fake, maxSubsetSize)}.
     *
     * @throws IllegalArgumentException when either set has fewer than 2 samples or dimensions differ
     */
    public static Result kid(FeatureMatrix real, FeatureMatrix fake, int subsets, int maxSubsetSize, long seed) {
        if (real.cols() != fake.cols()) {
            throw new IllegalArgumentException("feature dimensions differ: " + real.cols() + " vs " + fake.cols());
        }
        int m = Math.min(Math.min(real.rows(), fake.rows()), maxSubsetSize);
        if (m < 2) {
            throw new IllegalArgumentException("KID needs at least 2 real and 2 fake samples, got " + real.rows()
                    + " and " + fake.rows());
        }
        if (subsets < 1) {
            throw new IllegalArgumentException("KID subsets " + subsets + " must be at least 1");
        }
        if (m == real.rows() && m == fake.rows()) {
            // Every "random" subset pair would be both whole sets: one value, computed once, and no spread
            // (a std of 1e-16 from summation order would read as a measured one).
            return new Result(mmd2Unbiased(real, fake), 0, 1, m, true);
        }
        double[] values = new double[subsets];
        for (int s = 0; s < subsets; s++) {
            int[] ir = Arrays.copyOf(Permutations.of(real.rows(), Permutations.mix(seed, 2L * s)), m);
            int[] ifk = Arrays.copyOf(Permutations.of(fake.rows(), Permutations.mix(seed, 2L * s + 1)), m);
            values[s] = mmd2Unbiased(real.rows(ir), fake.rows(ifk));
        }
        double mean = Arrays.stream(values).average().orElseThrow();
        double var = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / subsets;
        return new Result(mean, Math.sqrt(var), subsets, m, false);
    }

    /** Unbiased MMD^2 between two equally sized sets under the cubic polynomial kernel. */
    public static double mmd2Unbiased(FeatureMatrix x, FeatureMatrix y) {
        int m = x.rows();
        if (y.rows() != m) {
            throw new IllegalArgumentException("MMD^2_u here needs equal set sizes, got " + m + " and " + y.rows());
        }
        double[] s = EngineMath.polynomialKernelSums(x, y);
        return (s[0] + s[1]) / ((double) m * (m - 1)) - 2 * s[2] / ((double) m * m);
    }
}
