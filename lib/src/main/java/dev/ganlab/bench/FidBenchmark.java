package dev.ganlab.bench;

import dev.ganlab.metrics.FeatureMatrix;
import dev.ganlab.metrics.FrechetDistance;
import dev.ganlab.metrics.GaussianStats;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Times FID's two costs on random features: the statistics (mean and covariance of N x D features)
 * and the Frechet distance between two sets of statistics (a D x D matrix square root in float64).
 */
public final class FidBenchmark {

    /** Seconds for the statistics of one set and for one distance. */
    public record Result(int n, int dims, double statsSeconds, double distanceSeconds, double fid) {
        public String report() {
            return String.format(Locale.ROOT, "FID on %d x %d features: statistics %.2f s per set, distance %.2f s"
                    + " (value %.4f)", n, dims, statsSeconds, distanceSeconds, fid);
        }
    }

    private FidBenchmark() {}

    public static Result run(int n, int dims) {
        FeatureMatrix a = random(n, dims, 1, 0.0);
        FeatureMatrix b = random(n, dims, 2, 0.1);
        long t0 = System.nanoTime();
        GaussianStats sa = GaussianStats.of(a);
        long t1 = System.nanoTime();
        GaussianStats sb = GaussianStats.of(b);
        long t2 = System.nanoTime();
        double fid = FrechetDistance.distance(sa, sb);
        long t3 = System.nanoTime();
        return new Result(n, dims, ((t1 - t0) + (t2 - t1)) / 2e9, (t3 - t2) / 1e9, fid);
    }

    private static FeatureMatrix random(int n, int dims, long seed, double shift) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n * dims];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() + shift + (i % dims) * 1e-3);
        }
        return FeatureMatrix.ofFloats(n, dims, v);
    }
}
