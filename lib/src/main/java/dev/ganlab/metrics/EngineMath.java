package dev.ganlab.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ganlab.core.GanLab;

/**
 * The few large matrix products the metrics need (covariances, kernel sums, pairwise distances),
 * run on the engine's BLAS in float64: a plain Java triple loop over 10,000 x 2,048 features takes
 * tens of seconds, the engine a second or two. Every call opens and closes its own manager.
 */
final class EngineMath {

    private EngineMath() {}

    static NDArray matrix(NDManager m, FeatureMatrix x) {
        return m.create(x.data(), new Shape(x.rows(), x.cols()));
    }

    /** Column means and the unbiased (N - 1) covariance of the rows of {@code x}. */
    static GaussianStats meanAndCovariance(FeatureMatrix x) {
        int n = x.rows();
        int d = x.cols();
        if (n < 2) {
            throw new IllegalArgumentException("a covariance needs at least 2 samples, got " + n);
        }
        GanLab.noGradOnThisThread();
        try (NDManager m = GanLab.newManager()) {
            NDArray a = matrix(m, x);
            NDArray mean = a.mean(new int[] {0});
            NDArray c = a.sub(mean);
            NDArray cov = c.transpose().matMul(c).div(n - 1.0);
            return new GaussianStats(mean.toDoubleArray(), cov.toDoubleArray(), n);
        }
    }

    /** Sum over the subsets' pairs of the cubic polynomial kernel, see {@link KernelInceptionDistance}. */
    static double[] polynomialKernelSums(FeatureMatrix x, FeatureMatrix y) {
        GanLab.noGradOnThisThread();
        int d = x.cols();
        try (NDManager m = GanLab.newManager()) {
            NDArray a = matrix(m, x);
            NDArray b = matrix(m, y);
            NDArray kxx = a.matMul(a.transpose()).div(d).add(1).pow(3);
            NDArray kyy = b.matMul(b.transpose()).div(d).add(1).pow(3);
            NDArray kxy = a.matMul(b.transpose()).div(d).add(1).pow(3);
            // The diagonal k(x_i, x_i) = (|x_i|^2 / d + 1)^3, from the row norms.
            double dxx = a.square().sum(new int[] {1}).div(d).add(1).pow(3).sum().getDouble();
            double dyy = b.square().sum(new int[] {1}).div(d).add(1).pow(3).sum().getDouble();
            double sxx = kxx.sum().getDouble() - dxx;
            double syy = kyy.sum().getDouble() - dyy;
            return new double[] {sxx, syy, kxy.sum().getDouble()};
        }
    }

    /**
     * Squared Euclidean distances between each row of {@code rows} and each row of {@code cols},
     * {@code |a|^2 + |b|^2 - 2 a.b} clamped at 0, as a row-major {@code rows x cols} array.
     */
    static double[] squaredDistances(FeatureMatrix rows, FeatureMatrix cols) {
        GanLab.noGradOnThisThread();
        try (NDManager m = GanLab.newManager()) {
            NDArray a = matrix(m, rows);
            NDArray b = matrix(m, cols);
            NDArray na = a.square().sum(new int[] {1}, true);
            NDArray nb = b.square().sum(new int[] {1}, true).transpose();
            NDArray d = na.add(nb).sub(a.matMul(b.transpose()).mul(2)).maximum(0);
            return d.toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }
}
