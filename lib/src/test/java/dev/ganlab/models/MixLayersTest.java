package dev.ganlab.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.ganlab.core.GanLab;
import dev.ganlab.nn.MinibatchDiscriminationMap;
import org.junit.jupiter.api.Test;

/**
 * The two forms the mixed components take outside their papers' layouts, against their formulas
 * computed here in plain Java: minibatch stddev on flat features (ProGAN's statistic with the features
 * as 1x1 maps) and minibatch discrimination on a map (Salimans et al.'s {@code o(i)_b} from the map
 * averaged over positions, appended as constant channels).
 */
class MixLayersTest {

    @Test
    void minibatchStddevOnFeaturesAppendsTheGroupsMeanStandardDeviation() {
        GanLab.init();
        int n = 4;
        int f = 3;
        int g = 2;                                      // groups: i mod 2 (ProGAN's layout)
        float[] x = {0.5f, -1f, 2f, 1.5f, 0f, -2f, -0.5f, 3f, 1f, 2.5f, 1f, 0f};
        try (NDManager m = GanLab.newManager()) {
            Block b = new Mix(false, g, 0, 5, false).mbstdOnFeatures();
            NDArray out = b.forward(new ParameterStore(m, false), new NDList(m.create(x, new Shape(n, f))), false)
                    .singletonOrThrow();
            assertEquals(new Shape(n, f + 1), out.getShape());
            float[] y = out.toFloatArray();
            for (int i = 0; i < n; i++) {
                int other = (i + 2) % 4;                // the other member of i's group
                double sum = 0;
                for (int k = 0; k < f; k++) {
                    double a = x[i * f + k];
                    double c = x[other * f + k];
                    double mean = (a + c) / 2;
                    double var = ((a - mean) * (a - mean) + (c - mean) * (c - mean)) / 2;
                    sum += Math.sqrt(var + 1e-8);
                    assertEquals(a, y[i * (f + 1) + k], 0, "features kept");
                }
                assertEquals(sum / f, y[i * (f + 1) + f], 1e-6, "statistic of image " + i);
            }
        }
    }

    @Test
    void minibatchDiscriminationOnAMapAddsEachImagesKernelSimilaritiesAsConstantChannels() {
        GanLab.init();
        int n = 3;
        int c = 2;
        int side = 2;
        int kernels = 2;
        int dim = 2;
        float[] x = new float[n * c * side * side];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(1.7 * i);
        }
        float[] t = {0.3f, -0.2f, 0.5f, 0.1f, -0.4f, 0.25f, 0.15f, -0.35f};   // (C, B * K)
        try (NDManager m = GanLab.newManager()) {
            MinibatchDiscriminationMap layer = new MinibatchDiscriminationMap(kernels, dim);
            Shape in = new Shape(n, c, side, side);
            layer.initialize(m, DataType.FLOAT32, in);
            layer.layer().getParameters().get("T").getArray().set(t);
            float[] y = layer.forward(new ParameterStore(m, false), new NDList(m.create(x, in)), false)
                    .singletonOrThrow().toFloatArray();
            assertArrayEquals(new long[] {n, c + kernels, side, side},
                    layer.getOutputShapes(new Shape[] {in})[0].getShape());
            int plane = side * side;
            double[][] mm = new double[n][kernels * dim];          // M = mean_hw(x) T
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < c; ch++) {
                    double mean = 0;
                    for (int p = 0; p < plane; p++) {
                        mean += x[(i * c + ch) * plane + p];
                        assertEquals(x[(i * c + ch) * plane + p], y[(i * (c + kernels) + ch) * plane + p], 0);
                    }
                    mean /= plane;
                    for (int j = 0; j < kernels * dim; j++) {
                        mm[i][j] += mean * t[ch * kernels * dim + j];
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                for (int b = 0; b < kernels; b++) {
                    double o = 0;
                    for (int j = 0; j < n; j++) {
                        if (j != i) {
                            double l1 = 0;
                            for (int k = 0; k < dim; k++) {
                                l1 += Math.abs(mm[i][b * dim + k] - mm[j][b * dim + k]);
                            }
                            o += Math.exp(-l1);
                        }
                    }
                    for (int p = 0; p < plane; p++) {
                        assertEquals(o, y[(i * (c + kernels) + c + b) * plane + p], 1e-5,
                                "image " + i + " kernel " + b + " position " + p);
                    }
                }
            }
        }
    }
}
