package dev.ganlab.metrics;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import dev.ganlab.core.CodeOnlyModules;
import dev.ganlab.data.Permutations;

import java.util.Arrays;

/**
 * Fréchet distance between Gaussians fitted to two feature sets: FID (Heusel et al., 2017, "GANs
 * Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium").
 *
 * <pre>  d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr sqrt(S1 S2)</pre>
 *
 * <p>How {@code tr sqrt(S1 S2)} is computed: {@code S1 S2} is not symmetric, and the usual
 * {@code scipy.linalg.sqrtm} of it goes through a complex Schur form, is slow (4x this route's time at
 * d = 2,048, see {@code ganlab bench --op fid}) and can return imaginary parts or NaNs for nearly
 * singular covariances. Instead, with a Cholesky factor
 * {@code S1 = L L^T}, {@code S1 S2 = L (L^T S2 L) L^-1} is similar to the symmetric positive
 * semi-definite {@code M = L^T S2 L}, so {@code tr sqrt(S1 S2) = sum_i sqrt(lambda_i(M))}: one
 * Cholesky, one congruence and the eigenvalues (no eigenvectors) of one symmetric matrix, all in
 * float64. The Cholesky factor is GAN Lab's own ({@link SymmetricAlgebra}, which handles singular
 * covariances); the congruence and the eigenvalues run in the engine's BLAS and LAPACK on the CPU
 * through a code-only TorchScript module ({@code trace_sqrt.pt}, built by
 * {@code environment/torchscript/trace_sqrt.py}): the whole distance at d = 2,048 on 2 cores took
 * 1.15 s against 2.35 s with the Java kernels they replaced (lib/BENCHMARKS.md, "FID"). Eigenvalues
 * that round below 0 are clamped to 0.
 *
 * <p>Singular covariances (fewer samples than dimensions, constant features): the factor of a
 * singular S1 drops the directions whose Cholesky pivot is at rounding level (see
 * {@link SymmetricAlgebra#cholesky}), which keeps {@code L L^T = S1} and so the similarity above; a
 * singular S2 only makes {@code M} singular. Both agree with scipy's {@code sqrtm} route to the
 * precision that route has (checked against scipy on a 20-sample, 32-dimension set in
 * FrechetDistanceTest).
 */
public final class FrechetDistance {

    /** Below this many samples FID's upward bias is large (Chong &amp; Forsyth, 2020, "Effectively
     *  Unbiased FID and Inception Score and where to find them"); results warn and add FID_infinity. */
    public static final int UNBIASED_SAMPLE_COUNT = 10_000;
    /** Points on the 1/N line fitted for FID_infinity (Chong &amp; Forsyth's default: 15). */
    public static final int FID_INFINITY_POINTS = 15;
    /** Smallest subset for FID_infinity as a fraction of N (Chong &amp; Forsyth: 5,000 of 50,000). */
    public static final double FID_INFINITY_MIN_FRACTION = 0.1;

    private FrechetDistance() {}

    /** FID between two feature sets (unbiased covariances). */
    public static double fid(FeatureMatrix a, FeatureMatrix b) {
        return distance(GaussianStats.of(a), GaussianStats.of(b));
    }

    /** Fréchet distance between two Gaussians given by mean and covariance. */
    public static double distance(GaussianStats a, GaussianStats b) {
        return new Reference(a).distanceTo(b);
    }

    /**
     * Fréchet distance for row-major {@code d x d} covariances.
     *
     * @throws IllegalArgumentException when the dimensions differ
     */
    public static double distance(double[] mu1, double[] cov1, double[] mu2, double[] cov2) {
        return distance(new GaussianStats(mu1, cov1, 0), new GaussianStats(mu2, cov2, 0));
    }

    /**
     * One side's statistics with their Cholesky factor computed once, so that many fake sets (training
     * snapshots, FID_infinity's subsets) are compared against it at the cost of one congruence and one
     * symmetric eigenvalue computation each.
     */
    public static final class Reference {
        private final GaussianStats stats;
        /** Lower-triangular L with L L^T = cov, row-major. */
        private final double[] factor;
        private final double trace;

        public Reference(GaussianStats stats) {
            this.stats = stats;
            int d = stats.dim();
            double[][] rows = SymmetricAlgebra.cholesky(stats.cov(), d);
            this.factor = new double[d * d];
            for (int i = 0; i < d; i++) {
                System.arraycopy(rows[i], 0, factor, i * d, d);
            }
            this.trace = trace(stats.cov(), stats.dim());
        }

        public GaussianStats stats() {
            return stats;
        }

        /** FID from these statistics to {@code other}. */
        public double distanceTo(GaussianStats other) {
            int d = stats.dim();
            if (other.dim() != d) {
                throw new IllegalArgumentException("feature dimensions differ: " + d + " vs " + other.dim());
            }
            double meanTerm = 0;
            for (int i = 0; i < d; i++) {
                double diff = stats.mean()[i] - other.mean()[i];
                meanTerm += diff * diff;
            }
            return meanTerm + trace + trace(other.cov(), d) - 2 * traceSqrt(factor, other.cov(), d);
        }
    }

    /**
     * FID_infinity (Chong &amp; Forsyth, 2020): FID of random subsets of the fakes at
     * {@link #FID_INFINITY_POINTS} sizes evenly spaced from {@code N * 0.1} to N, fitted by least
     * squares as a line in 1/N and read off at 1/N = 0.
     *
     * @param real the reference statistics (all real samples)
     * @param fake the fake features
     * @param seed picks the subsets
     * @throws IllegalArgumentException with fewer than 20 fakes
     */
    public static Extrapolation fidInfinity(Reference real, FeatureMatrix fake, long seed) {
        int n = fake.rows();
        if (n < 20) {
            throw new IllegalArgumentException("FID_infinity needs at least 20 fake samples, got " + n);
        }
        int lo = Math.max(2, (int) Math.round(n * FID_INFINITY_MIN_FRACTION));
        int[] sizes = new int[FID_INFINITY_POINTS];
        for (int i = 0; i < FID_INFINITY_POINTS; i++) {
            sizes[i] = (int) Math.round(lo + (double) (n - lo) * i / (FID_INFINITY_POINTS - 1));
        }
        return fitInverseN(sizes, atSampleCounts(real, fake, sizes, seed));
    }

    /**
     * FID of random subsets of the fakes, one subset per size: how FID moves with the number of fake
     * samples while the reference stays fixed (its upward bias shrinks roughly as 1/N). Subset
     * {@code i} is the first {@code sizes[i]} rows of a permutation drawn from {@code (seed, i)}, so
     * subsets of different sizes are independent draws.
     *
     * @throws IllegalArgumentException when a size is below 2 or above the number of fakes
     */
    public static double[] atSampleCounts(Reference real, FeatureMatrix fake, int[] sizes, long seed) {
        int n = fake.rows();
        double[] fids = new double[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < 2 || sizes[i] > n) {
                throw new IllegalArgumentException("sample count " + sizes[i] + " must lie in 2.." + n
                        + " (the fakes available)");
            }
            int[] perm = Permutations.of(n, Permutations.mix(seed, i));
            fids[i] = real.distanceTo(GaussianStats.of(fake.rows(Arrays.copyOf(perm, sizes[i]))));
        }
        return fids;
    }

    /**
     * The least-squares line {@code FID_N = intercept + slope / N} through (N, FID_N) points; its
     * intercept is the FID an infinite sample would give.
     *
     * @throws IllegalArgumentException with fewer than 2 points or fewer than 2 distinct sizes
     */
    public static Extrapolation fitInverseN(int[] sizes, double[] fids) {
        int k = sizes.length;
        if (k != fids.length || k < 2) {
            throw new IllegalArgumentException("a line in 1/N needs at least 2 points with one FID each, got "
                    + k + " sizes and " + fids.length + " FIDs");
        }
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < k; i++) {
            double x = 1.0 / sizes[i];
            sx += x;
            sy += fids[i];
            sxx += x * x;
            sxy += x * fids[i];
        }
        double denominator = k * sxx - sx * sx;
        if (!(denominator > 0)) {
            throw new IllegalArgumentException("a line in 1/N needs at least 2 different sample counts, got "
                    + Arrays.toString(sizes));
        }
        double slope = (k * sxy - sx * sy) / denominator;
        double intercept = (sy - slope * sx) / k;
        return new Extrapolation(intercept, slope, sizes.clone(), fids.clone());
    }

    /**
     * A fitted line FID_N = fidInfinity + slope / N.
     *
     * @param fidInfinity the intercept: the bias-corrected estimate
     * @param slope the bias coefficient
     * @param sizes the subset sizes N used
     * @param fids FID at each size
     */
    public record Extrapolation(double fidInfinity, double slope, int[] sizes, double[] fids) {
        /** The fitted line at {@code n} samples. */
        public double at(double n) {
            return fidInfinity + slope / n;
        }
    }

    private static final String TRACE_SQRT = "/dev/ganlab/metrics/trace_sqrt.pt";

    /** {@code sum_i sqrt(max(lambda_i(L^T S L), 0))} for row-major d x d L and S, in the engine on the CPU. */
    static double traceSqrt(double[] l, double[] s, int d) {
        PtSymbolBlock module = CodeOnlyModules.get(TRACE_SQRT, Device.cpu());
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            IValue[] args = {IValue.from((PtNDArray) m.create(l, new Shape(d, d))),
                IValue.from((PtNDArray) m.create(s, new Shape(d, d)))};
            try {
                IValue out = IValueUtils.forward(module, args);
                try {
                    return out.toTensor((PtNDManager) m).getDouble();
                } finally {
                    out.close();
                }
            } finally {
                for (IValue a : args) {
                    a.close();
                }
            }
        }
    }

    private static double trace(double[] m, int d) {
        double t = 0;
        for (int i = 0; i < d; i++) {
            t += m[i * d + i];
        }
        return t;
    }
}
