package dev.ganlab.metrics;

import java.util.Arrays;

/**
 * Improved precision and recall (Kynkäänniemi et al., 2019, "Improved Precision and Recall Metric for
 * Assessing Generative Models").
 *
 * <p>Each feature set approximates its manifold by the union of balls around its points, each ball's
 * radius the distance to that point's k-th nearest neighbour in the same set (the point itself not
 * counted). Precision is the fraction of fake samples inside the real manifold; recall the fraction
 * of real samples inside the fake manifold. A probe on a ball's boundary counts as inside.
 */
public final class PrecisionRecall {

    /** Neighbourhood size k (Kynkäänniemi et al.: 3). */
    public static final int DEFAULT_K = 3;
    /** Rows per block of the distance matrix: bounds memory at 1024 x N doubles. */
    private static final int BLOCK = 1024;

    private PrecisionRecall() {}

    /**
     * @param precision fraction of fakes within the real manifold
     * @param recall fraction of reals within the fake manifold
     * @param k the neighbourhood size
     */
    public record Result(double precision, double recall, int k) {}

    /** Precision and recall with k = 3. */
    public static Result compute(FeatureMatrix real, FeatureMatrix fake) {
        return compute(real, fake, DEFAULT_K);
    }

    /**
     * Precision and recall with neighbourhood size {@code k}.
     *
     * @throws IllegalArgumentException when a set has no more than k samples or dimensions differ
     */
    public static Result compute(FeatureMatrix real, FeatureMatrix fake, int k) {
        if (real.cols() != fake.cols()) {
            throw new IllegalArgumentException("feature dimensions differ: " + real.cols() + " vs " + fake.cols());
        }
        if (k < 1 || real.rows() <= k || fake.rows() <= k) {
            throw new IllegalArgumentException("precision/recall with k=" + k + " needs more than " + k
                    + " samples per set, got " + real.rows() + " real and " + fake.rows() + " fake");
        }
        return new Result(coverage(real, fake, k), coverage(fake, real, k), k);
    }

    /** Fraction of {@code probes} within the k-NN balls of {@code manifold}. */
    static double coverage(FeatureMatrix manifold, FeatureMatrix probes, int k) {
        double[] radii2 = kthNeighbourSquaredRadii(manifold, k);
        int inside = 0;
        for (int start = 0; start < probes.rows(); start += BLOCK) {
            FeatureMatrix block = rowRange(probes, start, Math.min(probes.rows(), start + BLOCK));
            double[] d2 = EngineMath.squaredDistances(block, manifold);
            int n = manifold.rows();
            for (int i = 0; i < block.rows(); i++) {
                for (int j = 0; j < n; j++) {
                    if (d2[i * n + j] <= radii2[j]) {
                        inside++;
                        break;
                    }
                }
            }
        }
        return (double) inside / probes.rows();
    }

    /** Squared distance from each point to its k-th nearest other point. */
    static double[] kthNeighbourSquaredRadii(FeatureMatrix points, int k) {
        int n = points.rows();
        double[] radii2 = new double[n];
        double[] row = new double[n];
        for (int start = 0; start < n; start += BLOCK) {
            int end = Math.min(n, start + BLOCK);
            double[] d2 = EngineMath.squaredDistances(rowRange(points, start, end), points);
            for (int i = start; i < end; i++) {
                System.arraycopy(d2, (i - start) * n, row, 0, n);
                row[i] = Double.POSITIVE_INFINITY;  // the point itself is not its own neighbour
                radii2[i] = kthSmallest(row, k);
            }
        }
        return radii2;
    }

    private static double kthSmallest(double[] values, int k) {
        double[] copy = values.clone();
        Arrays.sort(copy);
        return copy[k - 1];
    }

    private static FeatureMatrix rowRange(FeatureMatrix m, int from, int to) {
        return new FeatureMatrix(to - from, m.cols(), Arrays.copyOfRange(m.data(), from * m.cols(), to * m.cols()));
    }
}
