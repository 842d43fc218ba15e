package dev.ganlab.metrics;

import java.util.Locale;

/**
 * When FID_infinity (Chong &amp; Forsyth, 2020, "Effectively Unbiased FID and Inception Score and
 * where to find them") can be trusted, and the estimate itself when it can.
 *
 * <p>FID_infinity fits FID of random subsets of the fakes as a line in 1/N and reads it at 1/N = 0
 * ({@link FrechetDistance#fidInfinity}). The line is a large-N approximation: FID's bias is about
 * {@code c / N} only while the fake covariance is well estimated. With subsets near or below the
 * feature dimension d the covariance is (nearly) singular, FID_N curves away from the line and the
 * intercept is wrong: GAN Lab issue 12 reports 56.0 against a true 0.37 (d = 256, smallest subset 200),
 * and {@code FidInfinityTest} sees about -1.7 against a true 0 (d = 64, 400 fakes, smallest subset 40)
 * where 3,200 fakes in 32 dimensions give within 0.03 of 0. Chong &amp; Forsyth's own setting
 * keeps every subset well above d (5,000 to 50,000 samples for the 2,048-d Inception features, a
 * smallest subset of 2.4 d). GAN Lab therefore reports FID_infinity only when its smallest subset
 * holds at least {@link #MIN_SAMPLES_PER_DIMENSION} times d samples, and otherwise leaves it out with
 * a warning that gives the numbers. The subsets are the paper's: {@link FrechetDistance#FID_INFINITY_POINTS}
 * sizes evenly spaced from {@link FrechetDistance#FID_INFINITY_MIN_FRACTION} of N to N.
 */
public final class FidInfinity {

    /** Samples per feature dimension the smallest subset must hold (GAN Lab's rule; see the class comment). */
    public static final int MIN_SAMPLES_PER_DIMENSION = 2;

    private FidInfinity() {}

    /**
     * FID_infinity, or why it was left out.
     *
     * @param line the fitted line, or null when left out
     * @param omittedBecause null when computed, else the reason with its numbers
     */
    public record Outcome(FrechetDistance.Extrapolation line, String omittedBecause) {
        public boolean computed() {
            return line != null;
        }
    }

    /** The smallest subset FID_infinity uses for {@code n} fakes: the paper's fraction of n, at least 2. */
    public static int smallestSubset(int n) {
        return Math.max(2, (int) Math.round(n * FrechetDistance.FID_INFINITY_MIN_FRACTION));
    }

    /** Fakes needed for features of dimension {@code d}: the least n whose smallest subset holds 2 d samples. */
    public static int fakesNeeded(int d) {
        int need = MIN_SAMPLES_PER_DIMENSION * d;
        int n = (int) Math.ceil(need / FrechetDistance.FID_INFINITY_MIN_FRACTION);
        while (n > 1 && smallestSubset(n - 1) >= need) {
            n--;
        }
        while (smallestSubset(n) < need) {
            n++;
        }
        return n;
    }

    /**
     * The reason FID_infinity cannot be trusted for {@code n} fakes of dimension {@code d}, or null
     * when it can.
     */
    public static String whyNot(int n, int d) {
        return whyNot(n, d, "fid_infinity");
    }

    /** {@link #whyNot(int, int)} naming the score as {@code key} (e.g. fid_infinity_fmnist). */
    public static String whyNot(int n, int d, String key) {
        int smallest = smallestSubset(n);
        if (n >= 20 && smallest >= MIN_SAMPLES_PER_DIMENSION * d) {
            return null;
        }
        return String.format(Locale.ROOT, key + " left out: its smallest subset would hold %d of the %d"
                + " fakes (%.0f%%), fewer than %d x %d = %d (%d x the feature dimension), where FID no longer"
                + " falls as a line in 1/N and the extrapolation is unreliable; it needs at least %d fakes",
                smallest, n, 100 * FrechetDistance.FID_INFINITY_MIN_FRACTION, MIN_SAMPLES_PER_DIMENSION, d,
                MIN_SAMPLES_PER_DIMENSION * d, MIN_SAMPLES_PER_DIMENSION, Math.max(20, fakesNeeded(d)));
    }

    /** FID_infinity of {@code fake} against {@code real} when the counts allow it, else the reason. */
    public static Outcome estimate(FrechetDistance.Reference real, FeatureMatrix fake, long seed) {
        return estimate(real, fake, seed, "fid_infinity");
    }

    /** {@link #estimate(FrechetDistance.Reference, FeatureMatrix, long)} naming the score as {@code key}. */
    public static Outcome estimate(FrechetDistance.Reference real, FeatureMatrix fake, long seed, String key) {
        String why = whyNot(fake.rows(), fake.cols(), key);
        if (why != null) {
            return new Outcome(null, why);
        }
        FrechetDistance.Extrapolation line = FrechetDistance.fidInfinity(real, fake, seed);
        if (line.sizes()[0] < MIN_SAMPLES_PER_DIMENSION * fake.cols()) {
            // FrechetDistance chose smaller subsets than smallestSubset predicts: the rule still holds.
            return new Outcome(null, String.format(Locale.ROOT, key + " left out: its smallest subset holds"
                    + " %d fakes, fewer than %d x the feature dimension %d", line.sizes()[0],
                    MIN_SAMPLES_PER_DIMENSION, fake.cols()));
        }
        return new Outcome(line, null);
    }
}
