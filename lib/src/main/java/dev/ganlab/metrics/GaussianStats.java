package dev.ganlab.metrics;

/**
 * Mean and covariance of a feature set: the sufficient statistics of FID's Gaussian model.
 *
 * @param mean column means, length d
 * @param cov unbiased (N - 1) covariance, row-major {@code d x d}
 * @param n number of samples they were computed from
 */
public record GaussianStats(double[] mean, double[] cov, int n) {

    public GaussianStats {
        if (cov.length != (long) mean.length * mean.length) {
            throw new IllegalArgumentException("covariance of " + cov.length + " values for a mean of length "
                    + mean.length);
        }
    }

    /** Feature dimension d. */
    public int dim() {
        return mean.length;
    }

    /** Mean and unbiased covariance of the rows of {@code features}. */
    public static GaussianStats of(FeatureMatrix features) {
        return EngineMath.meanAndCovariance(features);
    }
}
