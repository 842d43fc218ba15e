package dev.ganlab.metrics;

import java.util.Arrays;

/**
 * A dense {@code rows x cols} matrix of doubles in row-major order: one row per image, one column per
 * feature (or per class, for logits).
 *
 * <p>Features arrive from the networks in float32; they are kept in float64 so that means,
 * covariances and kernel sums are accumulated in double precision, as the reference
 * implementations do.
 */
public final class FeatureMatrix {

    private final int rows;
    private final int cols;
    private final double[] data;

    /** Wraps {@code data} (not copied) as a {@code rows x cols} matrix. */
    public FeatureMatrix(int rows, int cols, double[] data) {
        if (rows < 0 || cols < 1 || data.length != (long) rows * cols) {
            throw new IllegalArgumentException("feature matrix " + rows + "x" + cols + " cannot hold "
                    + data.length + " values");
        }
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    /** Copies rows of equal length into a matrix. */
    public static FeatureMatrix of(double[][] rowArrays) {
        if (rowArrays.length == 0) {
            throw new IllegalArgumentException("no rows");
        }
        int c = rowArrays[0].length;
        double[] d = new double[rowArrays.length * c];
        for (int i = 0; i < rowArrays.length; i++) {
            if (rowArrays[i].length != c) {
                throw new IllegalArgumentException("row " + i + " has " + rowArrays[i].length + " values, row 0 has " + c);
            }
            System.arraycopy(rowArrays[i], 0, d, i * c, c);
        }
        return new FeatureMatrix(rowArrays.length, c, d);
    }

    /** Widens float32 values, row-major. */
    public static FeatureMatrix ofFloats(int rows, int cols, float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return new FeatureMatrix(rows, cols, d);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public double get(int r, int c) {
        return data[r * cols + c];
    }

    /** The backing row-major array; do not modify. */
    public double[] data() {
        return data;
    }

    /** A copy of row {@code r}. */
    public double[] row(int r) {
        return Arrays.copyOfRange(data, r * cols, (r + 1) * cols);
    }

    /** Values narrowed to float32, row-major (what .npy dumps hold). */
    public float[] toFloats() {
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        return f;
    }

    /** The rows at {@code indices}, in that order. */
    public FeatureMatrix rows(int[] indices) {
        double[] d = new double[indices.length * cols];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(data, indices[k] * cols, d, k * cols, cols);
        }
        return new FeatureMatrix(indices.length, cols, d);
    }

    /** The first {@code n} rows (all if fewer). */
    public FeatureMatrix head(int n) {
        int m = Math.min(n, rows);
        return new FeatureMatrix(m, cols, Arrays.copyOf(data, m * cols));
    }

    /** Stacks matrices with the same column count. */
    public static FeatureMatrix concat(java.util.List<FeatureMatrix> parts) {
        int c = parts.get(0).cols;
        int r = 0;
        for (FeatureMatrix p : parts) {
            if (p.cols != c) {
                throw new IllegalArgumentException("cannot stack " + p.cols + " columns onto " + c);
            }
            r += p.rows;
        }
        double[] d = new double[r * c];
        int off = 0;
        for (FeatureMatrix p : parts) {
            System.arraycopy(p.data, 0, d, off, p.data.length);
            off += p.data.length;
        }
        return new FeatureMatrix(r, c, d);
    }

    @Override
    public String toString() {
        return "FeatureMatrix[" + rows + "x" + cols + "]";
    }
}
