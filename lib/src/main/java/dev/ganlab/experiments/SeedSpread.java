package dev.ganlab.experiments;

/**
 * Mean, sample standard deviation (n - 1) and range of one metric over runs that differ only in their
 * seed: a sweep cell's runs ({@link Comparison}) or a reproduction cell's ({@link ReproductionGrid}).
 * No values give NaN throughout; one value gives a NaN deviation.
 */
record SeedSpread(double mean, double std, double min, double max) {

    static SeedSpread of(double[] v) {
        if (v.length == 0) {
            return new SeedSpread(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double sum = 0;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double d : v) {
            sum += d;
            lo = Math.min(lo, d);
            hi = Math.max(hi, d);
        }
        double m = sum / v.length;
        double ss = 0;
        for (double d : v) {
            ss += (d - m) * (d - m);
        }
        return new SeedSpread(m, v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : Double.NaN, lo, hi);
    }
}
