package dev.ganlab.metrics;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SymmetricAlgebraTest {

    /** Larger than several blocks and than the one-thread threshold, not a multiple of the block. */
    private static final int D = 203;

    @Test
    void choleskyFactorReproducesTheMatrixAndIsLowerTriangular() {
        double[] s = gram(new Random(1), D + 40, D);
        double[][] l = SymmetricAlgebra.cholesky(s, D);
        double scale = maxAbs(s);
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                double v = 0;
                for (int k = 0; k < D; k++) {
                    v += l[i][k] * l[j][k];
                }
                assertEquals(s[i * D + j], v, 1e-12 * scale, "(L L^T)[" + i + "][" + j + "]");
                if (j > i) {
                    assertEquals(0, l[i][j]);
                }
            }
        }
    }

    @Test
    void choleskyOfARankDeficientMatrixDropsTheNullDirections() {
        // 50 samples in 203 dimensions: rank 50; L L^T must still equal S.
        double[] s = gram(new Random(2), 50, D);
        double[][] l = SymmetricAlgebra.cholesky(s, D);
        double scale = maxAbs(s);
        int nonZeroColumns = 0;
        for (int j = 0; j < D; j++) {
            if (l[j][j] != 0) {
                nonZeroColumns++;
            }
            for (int i = 0; i <= j; i++) {
                double v = 0;
                for (int k = 0; k < D; k++) {
                    v += l[i][k] * l[j][k];
                }
                assertEquals(s[i * D + j], v, 1e-10 * scale, "(L L^T)[" + i + "][" + j + "]");
            }
        }
        assertEquals(50, nonZeroColumns);
    }

    /** X^T X / n for n rows of uniform noise with a per-column offset: symmetric PSD of rank min(n, d). */
    private static double[] gram(Random r, int n, int d) {
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() - 0.5 + (i % d) * 1e-2;
        }
        double[] s = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double v = 0;
                for (int k = 0; k < n; k++) {
                    v += x[k * d + i] * x[k * d + j];
                }
                s[i * d + j] = v / n;
                s[j * d + i] = v / n;
            }
        }
        return s;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
