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

    @Test
    void eigenvaluesOfARotatedDiagonalMatrix() {
        Random r = new Random(3);
        double[] lambda = new double[D];
        for (int i = 0; i < D; i++) {
            lambda[i] = i % 9 == 0 ? 0 : (r.nextDouble() - 0.3) * 10;   // zeros, negatives, repeats of 0
        }
        double[] q = orthogonal(r, D);
        double[] m = new double[D * D];
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                double v = 0;
                for (int k = 0; k < D; k++) {
                    v += q[i * D + k] * lambda[k] * q[j * D + k];
                }
                m[i * D + j] = v;
            }
        }
        double[] got = SymmetricAlgebra.eigenvalues(SymmetricAlgebra.rows(m, D));
        double[] expected = lambda.clone();
        Arrays.sort(expected);
        Arrays.sort(got);
        assertArrayEquals(expected, got, 1e-11);
    }

    @Test
    void eigenvaluesAtTheSizeWhereTheProductReadsFourRowsAtATime() {
        // H2 H1 diag(lambda) H1 H2 with Householder reflections H = I - 2 u u^T: built in O(d^2), dense,
        // eigenvalues lambda; large enough (d > 1024) for the four-row matrix-vector kernel.
        int d = 1100;
        Random r = new Random(5);
        double[] lambda = new double[d];
        for (int i = 0; i < d; i++) {
            lambda[i] = i % 13 == 0 ? 0 : r.nextGaussian() * 3;
        }
        double[][] m = new double[d][d];
        for (int i = 0; i < d; i++) {
            m[i][i] = lambda[i];
        }
        reflect(m, unit(r, d));
        reflect(m, unit(r, d));
        double[] got = SymmetricAlgebra.eigenvalues(m);
        double[] expected = lambda.clone();
        Arrays.sort(expected);
        Arrays.sort(got);
        assertArrayEquals(expected, got, 1e-10);
    }

    /** m := H m H for H = I - 2 u u^T and unit u: m - 2 u (m u)^T - 2 (m u) u^T + 4 (u.m u) u u^T. */
    private static void reflect(double[][] m, double[] u) {
        int d = u.length;
        double[] mu = new double[d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                mu[i] += m[i][j] * u[j];
            }
        }
        double umu = 0;
        for (int i = 0; i < d; i++) {
            umu += u[i] * mu[i];
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                m[i][j] += -2 * u[i] * mu[j] - 2 * mu[i] * u[j] + 4 * umu * u[i] * u[j];
            }
        }
    }

    private static double[] unit(Random r, int d) {
        double[] u = new double[d];
        double norm = 0;
        for (int i = 0; i < d; i++) {
            u[i] = r.nextGaussian();
            norm += u[i] * u[i];
        }
        for (int i = 0; i < d; i++) {
            u[i] /= Math.sqrt(norm);
        }
        return u;
    }

    @Test
    void congruenceMatchesTheDefinition() {
        Random r = new Random(4);
        double[][] l = SymmetricAlgebra.cholesky(gram(r, D + 5, D), D);
        double[] s = gram(r, D + 9, D);
        double[][] m = SymmetricAlgebra.congruence(l, s, D);
        for (int i = 0; i < D; i += 7) {
            for (int j = 0; j <= i; j += 3) {
                double v = 0;
                for (int a = 0; a < D; a++) {
                    for (int b = 0; b < D; b++) {
                        v += l[a][i] * s[a * D + b] * l[b][j];
                    }
                }
                assertEquals(v, m[i][j], 1e-11 * Math.abs(v) + 1e-12, "(L^T S L)[" + i + "][" + j + "]");
            }
        }
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

    /** Modified Gram-Schmidt on a Gaussian matrix: orthonormal columns, row-major. */
    private static double[] orthogonal(Random r, int d) {
        double[] q = new double[d * d];
        for (int i = 0; i < q.length; i++) {
            q[i] = r.nextGaussian();
        }
        for (int c = 0; c < d; c++) {
            for (int p = 0; p < c; p++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += q[i * d + c] * q[i * d + p];
                }
                for (int i = 0; i < d; i++) {
                    q[i * d + c] -= dot * q[i * d + p];
                }
            }
            double norm = 0;
            for (int i = 0; i < d; i++) {
                norm += q[i * d + c] * q[i * d + c];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < d; i++) {
                q[i * d + c] /= norm;
            }
        }
        return q;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
