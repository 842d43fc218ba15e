// One convolution with gradients through GAN Lab's engine, timed; see conv-vs-peer.sh (run as a source file).
import ai.djl.engine.Engine;
import ai.djl.ndarray.*;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.training.GradientCollector;

public class ConvBench {
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]), c = Integer.parseInt(a[1]), r = Integer.parseInt(a[2]), reps = Integer.parseInt(a[3]);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(n, c, r, r));
            NDArray w = m.randomNormal(new Shape(c, c, 3, 3)).mul(0.01);
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            double[] fw = new double[reps], all = new double[reps];
            for (int i = 0; i < reps + 2; i++) {
                try (NDManager s = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    long t0 = System.nanoTime();
                    NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
                    NDArray first = y.get(0, 0, 0, 0); // a view: it would keep y's storage alive
                    float f = first.getFloat();
                    first.close();
                    long t1 = System.nanoTime();
                    NDArray loss = y.sum();
                    gc.backward(loss);
                    NDArray grad = w.getGradient();
                    NDArray g0 = grad.get(0, 0, 0, 0);
                    float g = g0.getFloat();
                    g0.close();
                    long t2 = System.nanoTime();
                    // Results (and views of them) belong to x's manager, not the sub-manager: close them here,
                    // as Python frees them, or each repetition writes fresh memory (page faults the peer
                    // does not pay).
                    y.close();
                    loss.close();
                    grad.close();
                    if (i >= 2) { fw[i - 2] = (t1 - t0) / 1e6; all[i - 2] = (t2 - t0) / 1e6; }
                }
            }
            java.util.Arrays.sort(fw); java.util.Arrays.sort(all);
            System.out.printf("java n=%d c=%d r=%d: forward %.1f ms, forward+backward %.1f ms (medians of %d)%n", n, c, r, fw[reps / 2], all[reps / 2], reps);
        }
    }
}
