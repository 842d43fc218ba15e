package dev.ganlab.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ganlab.core.GanLab;

/**
 * The machine's practical peak: GFLOP/s of a large float32 matrix product through the same engine
 * and thread count, so a training step's achieved rate can be read as a fraction of what the
 * hardware does on its easiest workload.
 */
public final class MatmulPeak {

    private MatmulPeak() {}

    /** GFLOP/s of n x n products, timed for at least {@code seconds} after a warm-up. */
    public static double gflops(int n, double seconds) {
        GanLab.init();
        GanLab.noGradOnThisThread();
        try (NDManager m = GanLab.newManager()) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            for (int i = 0; i < 3; i++) {
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0); // forces completion on a GPU
                }
            }
            long start = System.nanoTime();
            int reps = 0;
            while ((System.nanoTime() - start) / 1e9 < seconds || reps < 3) {
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0);
                }
                reps++;
            }
            double s = (System.nanoTime() - start) / 1e9;
            return 2.0 * n * n * (double) n * reps / s / 1e9;
        }
    }
}
