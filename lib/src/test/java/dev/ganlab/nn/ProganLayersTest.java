package dev.ganlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.ganlab.core.GanLab;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layers ProGAN adds to nn: pixel norm, minibatch stddev, per-channel bias. */
class ProganLayersTest {

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    @Test
    void pixelNormGivesUnitMeanSquareOverChannelsAtEveryPixel() {
        try (NDManager m = GanLab.newManager()) {
            GanLab.seedEngine(3);
            int n = 2;
            int c = 5;
            int hw = 9;
            NDArray x = m.randomNormal(1f, 4f, new Shape(n, c, 3, 3), DataType.FLOAT32);
            PixelNorm pn = new PixelNorm();
            pn.initialize(m, DataType.FLOAT32, x.getShape());
            float[] in = x.toFloatArray();
            float[] y = LayersTest.forward(pn, m, x, true).toFloatArray();
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    double ms = 0;
                    double inMs = 0;
                    for (int k = 0; k < c; k++) {
                        int idx = (i * c + k) * hw + p;
                        ms += y[idx] * y[idx];
                        inMs += in[idx] * in[idx];
                    }
                    assertEquals(1.0, ms / c, 1e-5, "mean square at sample " + i + " pixel " + p);
                    // direction kept: each value is the input divided by its pixel's RMS
                    double rms = Math.sqrt(inMs / c + PixelNorm.EPS);
                    for (int k = 0; k < c; k++) {
                        int idx = (i * c + k) * hw + p;
                        assertEquals(in[idx] / rms, y[idx], 1e-5);
                    }
                }
            }
            // Latent vectors (N, F): unit mean square per row, i.e. on the sphere of radius sqrt(F).
            NDArray z = m.randomNormal(new Shape(3, 16));
            float[] zn = PixelNorm.pixelNorm(z, PixelNorm.EPS).toFloatArray();
            for (int i = 0; i < 3; i++) {
                double ms = 0;
                for (int k = 0; k < 16; k++) {
                    ms += zn[i * 16 + k] * zn[i * 16 + k];
                }
                assertEquals(1.0, ms / 16, 1e-5);
            }
        }
    }

    @Test
    void minibatchStdDevMatchesHandComputation() {
        try (NDManager m = GanLab.newManager()) {
            GanLab.seedEngine(11);
            int n = 8;
            int c = 3;
            int h = 2;
            int w = 2;
            NDArray x = m.randomNormal(0f, 2f, new Shape(n, c, h, w), DataType.FLOAT32);
            MinibatchStdDev layer = new MinibatchStdDev(4);
            layer.initialize(m, DataType.FLOAT32, x.getShape());
            NDArray y = LayersTest.forward(layer, m, x, true);
            assertEquals(new Shape(n, c + 1, h, w), y.getShape());
            float[] in = x.toFloatArray();
            float[] out = y.toFloatArray();
            double[] expected = handMbstd(in, n, c, h * w, 4);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < c; k++) {
                    for (int p = 0; p < h * w; p++) {
                        assertEquals(in[(i * c + k) * h * w + p], out[(i * (c + 1) + k) * h * w + p], 0f,
                                "input features pass through unchanged");
                    }
                }
                for (int p = 0; p < h * w; p++) {
                    assertEquals(expected[i], out[(i * (c + 1) + c) * h * w + p], 1e-5,
                            "mbstd map of sample " + i + " at pixel " + p);
                }
            }
            // the two groups {0, 2, 4, 6} and {1, 3, 5, 7} see different statistics
            assertTrue(Math.abs(expected[0] - expected[1]) > 1e-4);

            // A batch smaller than the group is one group (min(group, N)), as in the official code.
            NDArray small = x.get("0:3");
            float[] so = MinibatchStdDev.minibatchStdDev(small, 4).toFloatArray();
            double[] se = handMbstd(small.toFloatArray(), 3, c, h * w, 3);
            assertEquals(se[0], so[c * h * w], 1e-5);
            assertEquals(se[0], se[2], 0.0);

            // A batch that is neither smaller than nor a multiple of the group is refused.
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MinibatchStdDev.minibatchStdDev(x.get("0:6"), 4));
            assertTrue(e.getMessage().contains("6") && e.getMessage().contains("4"), e.getMessage());
        }
    }

    /**
     * The statistic by plain loops: group size g = min(group, n), m = n / g groups, sample i in group
     * i mod m; per group the mean over channels and pixels of sqrt(biased variance + 1e-8).
     */
    static double[] handMbstd(float[] x, int n, int c, int pixels, int group) {
        int g = Math.min(group, n);
        int groups = n / g;
        double[] perSample = new double[n];
        for (int grp = 0; grp < groups; grp++) {
            double sum = 0;
            for (int k = 0; k < c; k++) {
                for (int p = 0; p < pixels; p++) {
                    double mean = 0;
                    for (int j = 0; j < g; j++) {
                        mean += x[((j * groups + grp) * c + k) * pixels + p];
                    }
                    mean /= g;
                    double var = 0;
                    for (int j = 0; j < g; j++) {
                        double d = x[((j * groups + grp) * c + k) * pixels + p] - mean;
                        var += d * d;
                    }
                    sum += Math.sqrt(var / g + 1e-8);
                }
            }
            for (int j = 0; j < g; j++) {
                perSample[j * groups + grp] = sum / (c * pixels);
            }
        }
        return perSample;
    }

    @Test
    void channelBiasAddsOneValuePerChannel() {
        try (NDManager m = GanLab.newManager()) {
            ChannelBias cb = new ChannelBias();
            cb.initialize(m, DataType.FLOAT32, new Shape(1, 2, 2, 2));
            assertArrayEquals(new float[] {0, 0}, cb.bias().getArray().toFloatArray(), "biases start at zero");
            cb.bias().getArray().set(new float[] {1, -2});
            NDArray x = m.arange(8f).reshape(1, 2, 2, 2);
            assertArrayEquals(new float[] {1, 2, 3, 4, 2, 3, 4, 5}, LayersTest.forward(cb, m, x, false).toFloatArray());
        }
    }

    @Test
    void layersDoNotLeakArraysIntoTheParameterManager() {
        try (NDManager params = GanLab.newManager()) {
            Block[] blocks = {new PixelNorm(), new MinibatchStdDev(2), new ChannelBias()};
            for (Block b : blocks) {
                b.initialize(params, DataType.FLOAT32, new Shape(4, 3, 4, 4));
                int before = ((BaseNDManager) params).getManagedArrays().size();
                for (int i = 0; i < 3; i++) {
                    try (NDManager step = params.newSubManager()) {
                        LayersTest.forward(b, step, step.randomNormal(new Shape(4, 3, 4, 4)), true);
                    }
                }
                assertEquals(before, ((BaseNDManager) params).getManagedArrays().size(),
                        b + " left arrays in the parameter manager");
            }
        }
    }

    @Test
    void shapesAreCheckedAtInitialisation() {
        try (NDManager m = GanLab.newManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new MinibatchStdDev().initialize(m, DataType.FLOAT32, new Shape(4, 8)));
            assertTrue(e.getMessage().contains("(4, 8)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new PixelNorm().initialize(m, DataType.FLOAT32, new Shape(4)));
            assertThrows(IllegalArgumentException.class, () -> new ChannelBias().initialize(m, DataType.FLOAT32, new Shape(4)));
            assertEquals(new Shape(4, 9, 2, 2), new MinibatchStdDev().getOutputShapes(new Shape[] {new Shape(4, 8, 2, 2)})[0]);
            assertThrows(IllegalArgumentException.class, () -> new MinibatchStdDev(0));
            assertThrows(IllegalArgumentException.class, () -> new PixelNorm(0f));
        }
    }
}
