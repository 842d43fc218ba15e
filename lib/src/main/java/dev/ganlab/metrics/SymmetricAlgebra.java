package dev.ganlab.metrics;

import java.util.stream.IntStream;

/**
 * The Cholesky factor behind FID's {@code tr sqrt(S1 S2)} for large covariances (d = 2,048), in float64
 * plain Java on all cores; matrices are row-major {@code n x n} arrays, symmetric inputs read from their
 * lower triangle only. The rest of that computation (the congruence {@code L^T S L} and its eigenvalues)
 * runs in the engine's LAPACK ({@link FrechetDistance}).
 *
 * <p>Why GAN Lab's own factor: {@code torch.linalg.cholesky} refuses a singular covariance (fewer samples
 * than dimensions, constant features), which this factor handles by dropping the directions whose pivot
 * is at rounding level. The kernel is the textbook right-looking block Cholesky (Golub &amp; Van Loan,
 * "Matrix Computations", 4th ed., section 4.2.9) written so that every inner loop is a contiguous
 * {@code y += a x} over a row, which the JIT vectorises. (Until 2026-11-30 this class also held a blocked
 * Householder tridiagonalisation and the congruence; the distance at d = 2,048 took 2.35 s with them and
 * 1.15 s with the engine's.)
 */
final class SymmetricAlgebra {

    /** Columns per block: a 2,048-wide panel of 32 rows (512 KB) stays in the per-core cache. */
    static final int BLOCK = 32;

    private SymmetricAlgebra() {}

    /** Rows of a row-major {@code n x n} array: each row its own array, so that the kernels index
     *  every operand with the same loop counter (the JIT vectorises those loops, and not loops whose
     *  operands sit at different offsets of flat arrays: about 4x slower here). */
    static double[][] rows(double[] m, int n) {
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = java.util.Arrays.copyOfRange(m, i * n, i * n + n);
        }
        return out;
    }

    // ------------------------------------------------------------------ Cholesky

    /**
     * Lower-triangular {@code L} with {@code L L^T = S} for a symmetric positive semi-definite
     * {@code S} (its lower triangle is read). A pivot at or below {@code n * eps * max_i S_ii} (the
     * tolerance of LAPACK's semi-definite Cholesky dpstrf) is a direction along which S is zero to
     * rounding: its column of {@code L} is set to zero and the factorisation continues, so a singular
     * covariance (fewer samples than dimensions, a constant feature) gets a factor of lower rank with
     * {@code L L^T = S} up to rounding, instead of a failure or a division by a rounding residue.
     * Negative pivots (a matrix not PSD by more than rounding) are treated the same way.
     *
     * @return the factor's rows, zeros above the diagonal
     */
    static double[][] cholesky(double[] s, int n) {
        double[][] a = rows(s, n);
        double maxDiag = 0;
        for (int i = 0; i < n; i++) {
            maxDiag = Math.max(maxDiag, a[i][i]);
        }
        double tol = n * Math.ulp(1.0) * maxDiag;
        double[][] panelT = new double[BLOCK][n];
        for (int start = 0; start < n; start += BLOCK) {
            int k0 = start;
            int k1 = Math.min(k0 + BLOCK, n);
            int w = k1 - k0;
            factorDiagonalBlock(a, k0, k1, tol);
            // Panel rows below the block: L[i][c] = (A[i][c] - sum_{q<c} L[i][q] L[c][q]) / L[c][c].
            forRows(k1, n, false, (r0, r1) -> {
                for (int i = r0; i < r1; i++) {
                    double[] row = a[i];
                    for (int c = k0; c < k1; c++) {
                        double lcc = a[c][c];
                        if (lcc == 0) {
                            row[c] = 0;
                            continue;
                        }
                        double v = row[c];
                        double[] lc = a[c];
                        for (int q = k0; q < c; q++) {
                            v -= row[q] * lc[q];
                        }
                        row[c] = v / lcc;
                    }
                }
            });
            // Trailing lower triangle: A[i][j] -= sum_c L[i][c] L[j][c], j in [k1, i].
            for (int c = 0; c < w; c++) {
                for (int j = k1; j < n; j++) {
                    panelT[c][j] = a[j][k0 + c];
                }
            }
            forRows(k1, n, true, (r0, r1) -> {
                double[] coef = new double[w];
                for (int i = r0; i < r1; i++) {
                    for (int c = 0; c < w; c++) {
                        coef[c] = -a[i][k0 + c];
                    }
                    addCombination(a[i], k1, i + 1, coef, panelT, w);
                }
            });
        }
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(a[i], i + 1, n, 0);
        }
        return a;
    }

    private static void factorDiagonalBlock(double[][] a, int k0, int k1, double tol) {
        for (int c = k0; c < k1; c++) {
            double[] lc = a[c];
            double p = lc[c];
            for (int q = k0; q < c; q++) {
                p -= lc[q] * lc[q];
            }
            if (p <= tol) {
                lc[c] = 0;
                for (int r = c + 1; r < k1; r++) {
                    a[r][c] = 0;
                }
                continue;
            }
            double l = Math.sqrt(p);
            lc[c] = l;
            for (int r = c + 1; r < k1; r++) {
                double[] lr = a[r];
                double v = lr[c];
                for (int q = k0; q < c; q++) {
                    v -= lr[q] * lc[q];
                }
                lr[c] = v / l;
            }
        }
    }

    // ------------------------------------------------------------------ congruence

    /**
     * {@code target[j] += sum_t coef[t] * panel[t][j]} for {@code j in [from, to)} and {@code t < terms},
     * four terms per pass so that the target row is loaded and stored once per four products.
     */
    static void addCombination(double[] target, int from, int to, double[] coef, double[][] panel, int terms) {
        int t = 0;
        for (; t + 3 < terms; t += 4) {
            double c0 = coef[t];
            double c1 = coef[t + 1];
            double c2 = coef[t + 2];
            double c3 = coef[t + 3];
            double[] p0 = panel[t];
            double[] p1 = panel[t + 1];
            double[] p2 = panel[t + 2];
            double[] p3 = panel[t + 3];
            for (int j = from; j < to; j++) {
                target[j] += c0 * p0[j] + c1 * p1[j] + c2 * p2[j] + c3 * p3[j];
            }
        }
        for (; t < terms; t++) {
            axpy(target, from, to, coef[t], panel[t]);
        }
    }

    /** {@code y[j] += alpha x[j]} for {@code j in [from, to)}. */
    private static void axpy(double[] y, int from, int to, double alpha, double[] x) {
        for (int j = from; j < to; j++) {
            y[j] += alpha * x[j];
        }
    }

    // ------------------------------------------------------------------ threads

    interface RowRange {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over rows {@code [from, to)} split into chunks on the common fork-join pool.
     * With {@code triangle} the chunks hold equal parts of a lower triangle (row i costs i - from + 1).
     */
    static void forRows(int from, int to, boolean triangle, RowRange body) {
        int rows = to - from;
        int threads = threadsFor(rows);
        if (threads == 1) {
            body.run(from, to);
            return;
        }
        int chunks = 4 * threads;      // more chunks than threads: other processes share the cores
        IntStream.range(0, chunks).parallel().forEach(t -> {
            int i0 = triangle ? triangleSplit(from, to, t, chunks) : from + (int) ((long) rows * t / chunks);
            int i1 = triangle ? triangleSplit(from, to, t + 1, chunks) : from + (int) ((long) rows * (t + 1) / chunks);
            if (i0 < i1) {
                body.run(i0, i1);
            }
        });
    }

    /** Row where the {@code t}-th of {@code parts} equal areas of the triangle over rows [from, to) begins. */
    private static int triangleSplit(int from, int to, int t, int parts) {
        if (t >= parts) {
            return to;
        }
        return from + (int) Math.round((to - from) * Math.sqrt((double) t / parts));
    }

    /** One thread for small work (fork-join overhead), else every core. */
    private static int threadsFor(int rows) {
        return rows < 128 ? 1 : Runtime.getRuntime().availableProcessors();
    }
}
