package dev.ganlab.metrics;

/**
 * Inception Score (Salimans et al., 2016, "Improved Techniques for Training GANs"):
 * {@code exp(E_x KL(p(y|x) || p(y)))}, where p(y) is the mean prediction of the split, computed on
 * {@link #DEFAULT_SPLITS} consecutive splits and reported as mean and (population) standard deviation,
 * as the original implementation and StyleGAN2-ADA do.
 *
 * <p>Input is logits (or log-probabilities): p(y|x) is their softmax, in float64. Terms with
 * {@code p = 0} contribute 0, the limit of {@code p log p}.
 */
public final class InceptionScore {

    /** Splits (Salimans et al.: 10). */
    public static final int DEFAULT_SPLITS = 10;

    private InceptionScore() {}

    /**
     * Mean and standard deviation of the score over splits.
     *
     * @param mean mean over splits
     * @param std population standard deviation over splits
     * @param splits number of splits
     */
    public record Result(double mean, double std, int splits) {}

    /** IS over 10 splits. */
    public static Result score(FeatureMatrix logits) {
        return score(logits, DEFAULT_SPLITS);
    }

    /**
     * IS over {@code splits} consecutive splits of the rows.
     *
     * @throws IllegalArgumentException with fewer rows than splits
     */
    public static Result score(FeatureMatrix logits, int splits) {
        int n = logits.rows();
        int k = logits.cols();
        if (splits < 1 || n < splits) {
            throw new IllegalArgumentException("Inception Score with " + splits + " splits needs at least " + splits
                    + " samples, got " + n);
        }
        double[] p = softmaxRows(logits);
        double[] scores = new double[splits];
        for (int s = 0; s < splits; s++) {
            int from = (int) ((long) s * n / splits);
            int to = (int) ((long) (s + 1) * n / splits);
            double[] marginal = new double[k];
            for (int i = from; i < to; i++) {
                for (int j = 0; j < k; j++) {
                    marginal[j] += p[i * k + j];
                }
            }
            for (int j = 0; j < k; j++) {
                marginal[j] /= (to - from);
            }
            double kl = 0;
            for (int i = from; i < to; i++) {
                for (int j = 0; j < k; j++) {
                    double pij = p[i * k + j];
                    if (pij > 0) {
                        kl += pij * (Math.log(pij) - Math.log(marginal[j]));
                    }
                }
            }
            scores[s] = Math.exp(kl / (to - from));
        }
        double mean = 0;
        for (double v : scores) {
            mean += v;
        }
        mean /= splits;
        double var = 0;
        for (double v : scores) {
            var += (v - mean) * (v - mean);
        }
        return new Result(mean, Math.sqrt(var / splits), splits);
    }

    /** Row-wise softmax in float64, stable (max subtracted). */
    static double[] softmaxRows(FeatureMatrix logits) {
        int n = logits.rows();
        int k = logits.cols();
        double[] x = logits.data();
        double[] p = new double[n * k];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, x[i * k + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                double e = Math.exp(x[i * k + j] - max);
                p[i * k + j] = e;
                sum += e;
            }
            for (int j = 0; j < k; j++) {
                p[i * k + j] /= sum;
            }
        }
        return p;
    }
}
