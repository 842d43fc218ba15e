package dev.ganlab.metrics;

import dev.ganlab.data.ImageDataset;

import java.util.stream.IntStream;

/**
 * Exact k-nearest-neighbour search in Euclidean distance: every query against every reference row, in
 * parallel over queries. Candidates are ranked with {@code |r|^2 - 2 q.r} (the query's norm is the same
 * for all of its candidates, and the reference norms are computed once), then the k winners' distances
 * are recomputed as plain sums of squared differences so that they carry no cancellation error.
 *
 * <p>Sizes it is meant for: a few hundred queries against tens of thousands of references (generated
 * images against a training set) in feature or pixel space.
 */
public final class NearestNeighbours {

    private NearestNeighbours() {}

    /**
     * The k nearest references of each query.
     *
     * @param indices {@code [query][rank]}: reference row, nearest first
     * @param distances {@code [query][rank]}: Euclidean distance
     */
    public record Result(int[][] indices, double[][] distances) {

        /** Each query's distance to its nearest reference. */
        public double[] nearest() {
            double[] d = new double[distances.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = distances[i][0];
            }
            return d;
        }
    }

    /**
     * The {@code k} nearest rows of {@code reference} for each row of {@code queries}.
     *
     * @param exclude for query i, a reference row to skip (e.g. the query itself when both sets are one
     *     set), or null for none; a negative entry skips nothing
     */
    public static Result search(FeatureMatrix queries, FeatureMatrix reference, int k, int[] exclude) {
        return search(new Rows(queries.rows(), queries.cols(), queries.toFloats()),
                new Rows(reference.rows(), reference.cols(), reference.toFloats()), k, exclude);
    }

    /**
     * Rows of float32 values, row-major (float32 halves the memory of a pixel matrix of a whole training
     * set; distances are still accumulated in double).
     */
    public record Rows(int rows, int cols, float[] data) {
        public Rows {
            if (rows < 0 || cols < 1 || data.length != (long) rows * cols) {
                throw new IllegalArgumentException(rows + "x" + cols + " rows cannot hold " + data.length + " values");
            }
        }
    }

    /** {@link #search(FeatureMatrix, FeatureMatrix, int, int[])} on float32 rows. */
    public static Result search(Rows queries, Rows reference, int k, int[] exclude) {
        if (queries.cols() != reference.cols()) {
            throw new IllegalArgumentException("queries have " + queries.cols() + " dimensions, references "
                    + reference.cols());
        }
        int available = reference.rows() - (exclude == null ? 0 : 1);
        if (k < 1 || k > available) {
            throw new IllegalArgumentException("k " + k + " must be in 1.." + available + " (reference rows)");
        }
        int d = queries.cols();
        int n = reference.rows();
        float[] ref = reference.data();
        float[] q = queries.data();
        double[] refNorms = new double[n];
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int c = 0; c < d; c++) {
                double v = ref[j * d + c];
                s += v * v;
            }
            refNorms[j] = s;
        }
        int[][] idx = new int[queries.rows()][];
        double[][] dist = new double[queries.rows()][];
        IntStream.range(0, queries.rows()).parallel().forEach(i -> {
            int skip = exclude == null ? -1 : exclude[i];
            int[] best = new int[k];
            double[] key = new double[k];
            java.util.Arrays.fill(key, Double.POSITIVE_INFINITY);
            java.util.Arrays.fill(best, -1);
            int qo = i * d;
            for (int j = 0; j < n; j++) {
                if (j == skip) {
                    continue;
                }
                double dot = 0;
                int ro = j * d;
                for (int c = 0; c < d; c++) {
                    dot += (double) q[qo + c] * ref[ro + c];
                }
                double s = refNorms[j] - 2 * dot;
                if (s < key[k - 1]) {
                    int p = k - 1;
                    while (p > 0 && key[p - 1] > s) {
                        key[p] = key[p - 1];
                        best[p] = best[p - 1];
                        p--;
                    }
                    key[p] = s;
                    best[p] = j;
                }
            }
            double[] exact = new double[k];
            for (int r = 0; r < k; r++) {
                double s = 0;
                int ro = best[r] * d;
                for (int c = 0; c < d; c++) {
                    double v = (double) q[qo + c] - ref[ro + c];
                    s += v * v;
                }
                exact[r] = Math.sqrt(s);
            }
            idx[i] = best;
            dist[i] = exact;
        });
        return new Result(idx, dist);
    }

    /**
     * Images as rows of pixel values in [0, 1] divided by {@code sqrt(pixels)}, so that Euclidean distance
     * between two rows is their root-mean-square pixel difference (0: identical, 1: black against white).
     */
    public static Rows pixels(ImageDataset images) {
        int len = images.imageLength();
        double scale = 1.0 / (255.0 * Math.sqrt(len));
        float[] data = new float[images.size() * len];
        for (int i = 0; i < images.size(); i++) {
            byte[] p = images.pixels(i);
            for (int k = 0; k < len; k++) {
                data[i * len + k] = (float) ((p[k] & 0xFF) * scale);
            }
        }
        return new Rows(images.size(), len, data);
    }

    /** Feature rows as float32. */
    public static Rows of(FeatureMatrix m) {
        return new Rows(m.rows(), m.cols(), m.toFloats());
    }
}
