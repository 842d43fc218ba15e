package dev.ganlab.metrics;

import org.ejml.dense.row.decomposition.eig.symm.SymmetricQrAlgorithm_DDRM;

import java.util.stream.IntStream;

/**
 * The float64 linear algebra behind FID's {@code tr sqrt(S1 S2)} for large covariances (d = 2,048),
 * in plain Java on all cores: a Cholesky factor, the congruence {@code L^T S L} and the eigenvalues
 * of a symmetric matrix. Matrices are row-major {@code n x n} arrays; symmetric inputs are read from
 * their lower triangle only.
 *
 * <p>Why not a library: the engine (DJL 0.29 on PyTorch) has no eigh or Cholesky (a TorchScript
 * {@code torch.linalg.eigvalsh} through the engine took 9-10 s for one 2,048 matrix on this project's
 * 2-core machine at load average 8, where numpy's eigvalsh took 1.2 s), and EJML 0.44's tridiagonal
 * reduction of a 2,048 matrix alone took 13.5 s (its multithreaded variant 14.1 s) at load average 4. The kernels here are the textbook
 * blocked algorithms (Golub &amp; Van Loan, "Matrix Computations", 4th ed.: right-looking block
 * Cholesky, section 4.2.9; Householder tridiagonalisation with the blocked "V W^T + W V^T" update of
 * LAPACK's dsytrd/dlatrd, section 8.3.1) written so that every inner loop is a contiguous
 * {@code y += a x} over a row, which the JIT vectorises; only the final tridiagonal QR iteration
 * (O(n^2)) is EJML's.
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
     * {@code L^T S L} for a lower-triangular {@code L} and a symmetric {@code S} (read in full): a
     * symmetric matrix of which the lower triangle is filled (the upper part is zero).
     */
    static double[][] congruence(double[][] l, double[] s, int n) {
        // B = S L: B[i][0..k] += S[i][k] L[k][0..k]; rows of L taken BLOCK at a time so they stay cached.
        double[][] b = new double[n][n];
        double[][] lBlock = new double[BLOCK][];
        for (int start = 0; start < n; start += BLOCK) {
            int k0 = start;
            int k1 = Math.min(k0 + BLOCK, n);
            int w = k1 - k0;
            System.arraycopy(l, k0, lBlock, 0, w);
            forRows(0, n, false, (r0, r1) -> {
                double[] coef = new double[w];
                for (int i = r0; i < r1; i++) {
                    System.arraycopy(s, i * n + k0, coef, 0, w);
                    // L is zero above its diagonal, so one length (k1) serves the whole block.
                    addCombination(b[i], 0, k1, coef, lBlock, w);
                }
            });
        }
        // M = L^T B, lower triangle: M[i][0..i] += L[k][i] B[k][0..i] over k >= i.
        double[][] m = new double[n][n];
        double[][] bBlock = new double[BLOCK][];
        for (int start = 0; start < n; start += BLOCK) {
            int k0 = start;
            int k1 = Math.min(k0 + BLOCK, n);
            int w = k1 - k0;
            System.arraycopy(b, k0, bBlock, 0, w);
            forRows(0, k1, true, (r0, r1) -> {
                double[] coef = new double[w];
                for (int i = r0; i < r1; i++) {
                    for (int k = k0; k < k1; k++) {
                        coef[k - k0] = l[k][i];   // zero for k < i
                    }
                    addCombination(m[i], 0, i + 1, coef, bBlock, w);
                }
            });
        }
        return m;
    }

    // ------------------------------------------------------------------ eigenvalues

    /**
     * Eigenvalues of a symmetric matrix (lower triangle read; the rows are overwritten), in no
     * particular order: Householder reduction to tridiagonal form, then EJML's implicit symmetric QR
     * on the tridiagonal matrix.
     *
     * @throws IllegalStateException when the QR iteration does not converge
     */
    static double[] eigenvalues(double[][] a) {
        int n = a.length;
        double[] diag = new double[n];
        double[] off = new double[Math.max(n - 1, 0)];
        tridiagonalize(a, diag, off);
        if (n == 1) {
            return diag;
        }
        SymmetricQrAlgorithm_DDRM qr = new SymmetricQrAlgorithm_DDRM();
        qr.setMaxIterations(Math.max(1000, 30 * n));
        if (!qr.process(n, diag, off)) {
            throw new IllegalStateException("tridiagonal QR iteration did not converge for a " + n + "x" + n + " matrix");
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = qr.getEigenvalue(i);
        }
        return out;
    }

    /**
     * Householder tridiagonalisation {@code Q^T A Q = T} of the lower triangle of {@code a} (destroyed),
     * blocked as in LAPACK's dsytrd: within a panel of {@link #BLOCK} columns the trailing matrix is
     * left stale and each new column and each matrix-vector product is corrected with the panel's
     * {@code V, W}; after the panel one update {@code A -= V W^T + W V^T} touches the trailing matrix
     * once. Only the diagonal and off-diagonal of T are returned (Q is not formed).
     */
    static void tridiagonalize(double[][] a, double[] diag, double[] off) {
        int n = a.length;
        // Rows 0..BLOCK-1 hold W^T (one panel column per row), rows BLOCK..2*BLOCK-1 hold V^T.
        double[][] wv = new double[2 * BLOCK][n];
        double[] x = new double[n];
        double[] y = new double[n];
        for (int start = 0; start < n - 1; start += BLOCK) {
            int k0 = start;
            int k1 = Math.min(k0 + BLOCK, n - 1);
            for (double[] r : wv) {
                java.util.Arrays.fill(r, 0);
            }
            for (int k = k0; k < k1; k++) {
                int c = k - k0;
                // 1. Column k (rows k..n-1) brought up to date with the panel's previous reflections.
                for (int i = k; i < n; i++) {
                    x[i] = a[i][k];
                }
                for (int p = 0; p < c; p++) {
                    axpy(x, k, n, -wv[p][k], wv[BLOCK + p]);
                    axpy(x, k, n, -wv[BLOCK + p][k], wv[p]);
                }
                diag[k] = x[k];
                // 2. Householder reflection H = I - tau v v^T with H x[k+1..] = beta e1, v[k+1] = 1.
                double alpha = x[k + 1];
                double sigma = 0;
                for (int i = k + 2; i < n; i++) {
                    sigma += x[i] * x[i];
                }
                if (sigma == 0) {
                    off[k] = alpha;      // already tridiagonal in this column: H = I (tau = 0), w = 0
                    continue;
                }
                double[] v = wv[BLOCK + c];
                double[] w = wv[c];
                double beta = -Math.copySign(Math.sqrt(alpha * alpha + sigma), alpha);
                double tau = (beta - alpha) / beta;
                double scale = 1 / (alpha - beta);
                off[k] = beta;
                v[k + 1] = 1;
                for (int i = k + 2; i < n; i++) {
                    v[i] = x[i] * scale;
                }
                // 3. y = A v with A the up-to-date trailing matrix = stale A - V W^T - W V^T.
                int r0 = k + 1;
                symvLower(a, r0, v, y);
                for (int p = 0; p < c; p++) {
                    double wDotV = dot(wv[p], v, r0, n);
                    double vDotV = dot(wv[BLOCK + p], v, r0, n);
                    axpy(y, r0, n, -wDotV, wv[BLOCK + p]);
                    axpy(y, r0, n, -vDotV, wv[p]);
                }
                // 4. w = tau y - (tau/2)(tau y . v) v, so that H A H = A - v w^T - w v^T.
                for (int i = r0; i < n; i++) {
                    w[i] = tau * y[i];
                }
                axpy(w, r0, n, -0.5 * tau * dot(w, v, r0, n), v);
            }
            // Trailing lower triangle, rows and columns from k1: A -= V W^T + W V^T.
            forRows(k1, n, true, (r0, r1) -> {
                double[] coef = new double[2 * BLOCK];
                for (int i = r0; i < r1; i++) {
                    for (int c = 0; c < BLOCK; c++) {
                        coef[c] = -wv[BLOCK + c][i];     // v_i multiplies the W^T row
                        coef[BLOCK + c] = -wv[c][i];     // w_i multiplies the V^T row
                    }
                    addCombination(a[i], k1, i + 1, coef, wv, 2 * BLOCK);
                }
            });
        }
        diag[n - 1] = a[n - 1][n - 1];
    }

    /** {@code y[r0..n) = A v} over the trailing block {@code [r0, n)^2} of a symmetric matrix stored lower. */
    private static void symvLower(double[][] a, int r0, double[] v, double[] y) {
        int n = a.length;
        int threads = threadsFor(n - r0);
        double[][] partial = new double[threads][];
        IntStream.range(0, threads).parallel().forEach(t -> {
            int i0 = triangleSplit(r0, n, t, threads);
            int i1 = triangleSplit(r0, n, t + 1, threads);
            double[] acc = new double[n];
            symvRows(a, r0, i0, i1, v, acc);
            partial[t] = acc;
        });
        for (int i = r0; i < n; i++) {
            double s = 0;
            for (double[] acc : partial) {
                s += acc[i];
            }
            y[i] = s;
        }
    }

    /**
     * Rows {@code [i0, i1)} of the lower-stored symmetric product: for each row i, its part left of the
     * diagonal dotted with v goes to {@code acc[i]} and, by symmetry, {@code v_i} times it goes to
     * {@code acc[j]}. Large trailing matrices are read four rows at a time: four independent dot
     * products per column share one load of {@code v[j]} and {@code acc[j]} (about 2x faster than one
     * row at a time once the matrix no longer fits in cache; slower when it does).
     */
    private static void symvRows(double[][] a, int r0, int i0, int i1, double[] v, double[] acc) {
        int i = i0;
        if (a.length - r0 >= 1024) {
            for (; i + 3 < i1; i += 4) {
                double[] a0 = a[i];
                double[] a1 = a[i + 1];
                double[] a2 = a[i + 2];
                double[] a3 = a[i + 3];
                double v0 = v[i];
                double v1 = v[i + 1];
                double v2 = v[i + 2];
                double v3 = v[i + 3];
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                for (int j = r0; j < i; j++) {
                    double vj = v[j];
                    double x0 = a0[j];
                    double x1 = a1[j];
                    double x2 = a2[j];
                    double x3 = a3[j];
                    s0 += x0 * vj;
                    s1 += x1 * vj;
                    s2 += x2 * vj;
                    s3 += x3 * vj;
                    acc[j] += v0 * x0 + v1 * x1 + v2 * x2 + v3 * x3;
                }
                acc[i] += s0;
                acc[i + 1] += s1;
                acc[i + 2] += s2;
                acc[i + 3] += s3;
                // The 4x4 diagonal block, row by row from column i.
                for (int r = i; r < i + 4; r++) {
                    symvRow(a[r], i, r, v, acc);
                }
            }
        }
        for (; i < i1; i++) {
            symvRow(a[i], r0, i, v, acc);
        }
    }

    /** Row {@code i} from column {@code from} through its diagonal, as in {@link #symvRows}. */
    private static void symvRow(double[] row, int from, int i, double[] v, double[] acc) {
        double vi = v[i];
        double s = 0;
        for (int j = from; j < i; j++) {
            s += row[j] * v[j];
            acc[j] += vi * row[j];
        }
        acc[i] += s + row[i] * vi;
    }

    // ------------------------------------------------------------------ kernels

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

    private static double dot(double[] x, double[] y, int from, int to) {
        double s = 0;
        for (int j = from; j < to; j++) {
            s += x[j] * y[j];
        }
        return s;
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
