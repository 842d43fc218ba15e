package dev.ganlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.ganlab.core.GanLab;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generic layers FastGAN is built from: GLU, noise injection, adaptive pooling and SLE. */
class FastganLayersTest {

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    private static NDList forward(Block b, NDManager m, boolean training, NDArray... xs) {
        return b.forward(new ParameterStore(m, false), new NDList(xs), training);
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    @Test
    void gluMultipliesTheFirstHalfBySigmoidOfTheSecond() {
        try (NDManager m = GanLab.newManager()) {
            NDArray x = m.randomNormal(new Shape(2, 4, 3, 3));
            float[] v = x.toFloatArray();
            Glu glu = new Glu();
            NDArray y = forward(glu, m, true, x).singletonOrThrow();
            assertEquals(new Shape(2, 2, 3, 3), y.getShape());
            assertEquals(new Shape(2, 2, 3, 3), glu.getOutputShapes(new Shape[] {x.getShape()})[0]);
            float[] out = y.toFloatArray();
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 2; c++) {
                    for (int p = 0; p < 9; p++) {
                        double a = v[(n * 4 + c) * 9 + p];
                        double b = v[(n * 4 + c + 2) * 9 + p];
                        assertEquals(a * sigmoid(b), out[(n * 2 + c) * 9 + p], 1e-6);
                    }
                }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Glu.glu(m.zeros(new Shape(1, 3, 2, 2))));
            assertTrue(e.getMessage().contains("(1, 3, 2, 2)"), e.getMessage());
        }
    }

    @Test
    void noiseInjectionStartsAsIdentityAndAddsPerPixelNoiseScaledByItsWeight() {
        try (NDManager m = GanLab.newManager()) {
            NoiseInjection noise = new NoiseInjection();
            Shape s = new Shape(2, 3, 4, 4);
            noise.initialize(m, DataType.FLOAT32, s);
            NDArray x = m.randomNormal(s);
            assertArrayEquals(x.toFloatArray(), forward(noise, m, true, x).singletonOrThrow().toFloatArray(), 0f,
                    "weight starts at 0");

            noise.weight().getArray().set(new float[] {0.5f});
            GanLab.seedEngine(11);
            NDArray y = forward(noise, m, false, x).singletonOrThrow();
            GanLab.seedEngine(11);
            float[] expectedNoise = m.randomNormal(0f, 1f, new Shape(2, 1, 4, 4), DataType.FLOAT32).toFloatArray();
            float[] added = y.sub(x).div(0.5f).toFloatArray();
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < 16; p++) {
                        // one draw per sample and pixel, shared by the channels
                        assertEquals(expectedNoise[n * 16 + p], added[(n * 3 + c) * 16 + p], 1e-5);
                    }
                }
            }
            assertTrue(expectedNoise[0] != expectedNoise[1], "noise varies over pixels");
        }
    }

    @Test
    void adaptiveAvgPoolAveragesEqualBlocks() {
        try (NDManager m = GanLab.newManager()) {
            NDArray x = m.arange(0f, 64f).reshape(1, 1, 8, 8);
            float[] y = AdaptiveAvgPool2d.pool(x, 4).toFloatArray();
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    float a = (2 * i) * 8 + 2 * j;
                    float expected = (a + (a + 1) + (a + 8) + (a + 9)) / 4;
                    assertEquals(expected, y[i * 4 + j], 1e-6);
                }
            }
            assertTrue(AdaptiveAvgPool2d.pool(x, 8) == x, "already the right size: unchanged");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AdaptiveAvgPool2d.pool(m.zeros(new Shape(1, 1, 6, 6)), 4));
            assertTrue(e.getMessage().contains("(1, 1, 6, 6)"), e.getMessage());
        }
    }

    @Test
    void sleWithZeroWeightsGatesEverythingByOneHalf() {
        try (NDManager m = GanLab.newManager()) {
            SkipLayerExcitation sle = new SkipLayerExcitation(6, SkipLayerExcitation.Activation.SWISH,
                    WeightScaling.NONE, true);
            Shape low = new Shape(2, 5, 8, 8);
            Shape high = new Shape(2, 6, 16, 16);
            sle.initialize(m, DataType.FLOAT32, low, high);
            assertEquals(high, sle.getOutputShapes(new Shape[] {low, high})[0]);
            for (var p : sle.getParameters()) {
                p.getValue().getArray().muli(0);
            }
            NDArray l = m.randomNormal(low);
            NDArray h = m.randomNormal(high);
            NDArray y = forward(sle, m, true, l, h).singletonOrThrow();
            assertEquals(high, y.getShape());
            assertArrayEquals(h.mul(0.5f).toFloatArray(), y.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void sleGateIsThePerChannelFactorComputedByHand() {
        for (SkipLayerExcitation.Activation act : SkipLayerExcitation.Activation.values()) {
            try (NDManager m = GanLab.newManager()) {
                Random rnd = new Random(5);
                SkipLayerExcitation sle = new SkipLayerExcitation(2, act, WeightScaling.NONE, true);
                sle.initialize(m, DataType.FLOAT32, new Shape(1, 1, 8, 8), new Shape(1, 2, 3, 3));
                float[] w1 = randoms(rnd, 2 * 16);
                float[] b1 = randoms(rnd, 2);
                float[] w2 = randoms(rnd, 4);
                float[] b2 = randoms(rnd, 2);
                sle.squeeze().weight().getArray().set(w1);
                sle.squeeze().getParameters().get("bias").getArray().set(b1);
                sle.excite().weight().getArray().set(w2);
                sle.excite().getParameters().get("bias").getArray().set(b2);
                float[] low = randoms(rnd, 64);
                float[] high = randoms(rnd, 18);
                NDArray y = forward(sle, m, false, m.create(low, new Shape(1, 1, 8, 8)),
                        m.create(high, new Shape(1, 2, 3, 3))).singletonOrThrow();

                double[] pooled = new double[16];
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        int a = 2 * i * 8 + 2 * j;
                        pooled[i * 4 + j] = (low[a] + low[a + 1] + low[a + 8] + low[a + 9]) / 4.0;
                    }
                }
                double[] hidden = new double[2];
                for (int c = 0; c < 2; c++) {
                    double s = b1[c];
                    for (int k = 0; k < 16; k++) {
                        s += w1[c * 16 + k] * pooled[k];
                    }
                    hidden[c] = act == SkipLayerExcitation.Activation.SWISH ? s * sigmoid(s)
                            : (s > 0 ? s : SkipLayerExcitation.PAPER_LEAKY_SLOPE * s);
                }
                float[] out = y.toFloatArray();
                for (int c = 0; c < 2; c++) {
                    double gate = sigmoid(b2[c] + w2[c * 2] * hidden[0] + w2[c * 2 + 1] * hidden[1]);
                    for (int p = 0; p < 9; p++) {
                        assertEquals(high[c * 9 + p] * gate, out[c * 9 + p], 1e-5, act + " channel " + c);
                    }
                }
            }
        }
    }

    @Test
    void spectrallyNormalisedSleScalesEachChannelByOneFactorInZeroOne() {
        try (NDManager m = GanLab.newManager()) {
            SkipLayerExcitation sle = new SkipLayerExcitation(4, SkipLayerExcitation.Activation.SWISH,
                    WeightScaling.SPECTRAL, false);
            sle.initialize(m, DataType.FLOAT32, new Shape(3, 8, 4, 4), new Shape(3, 4, 8, 8));
            NDArray high = m.randomUniform(0.5f, 1.5f, new Shape(3, 4, 8, 8));
            NDArray y = forward(sle, m, true, m.randomNormal(new Shape(3, 8, 4, 4)), high).singletonOrThrow();
            float[] ratio = y.div(high).toFloatArray();
            for (int nc = 0; nc < 12; nc++) {
                float first = ratio[nc * 64];
                assertTrue(first > 0 && first < 1, "gate " + first);
                for (int p = 1; p < 64; p++) {
                    assertEquals(first, ratio[nc * 64 + p], 1e-6f);
                }
            }
        }
    }

    @Test
    void fastganLayersDoNotLeakArraysIntoTheParameterManager() {
        try (NDManager params = GanLab.newManager()) {
            Shape s = new Shape(2, 4, 8, 8);
            Block[] singles = {new Glu(), new NoiseInjection(), new AdaptiveAvgPool2d(4)};
            for (Block b : singles) {
                b.initialize(params, DataType.FLOAT32, s);
                assertNoLeak(params, b, () -> new Shape[] {s});
            }
            SkipLayerExcitation sle = new SkipLayerExcitation(3, SkipLayerExcitation.Activation.SWISH,
                    WeightScaling.SPECTRAL, true);
            Shape low = new Shape(2, 4, 8, 8);
            Shape high = new Shape(2, 3, 16, 16);
            sle.initialize(params, DataType.FLOAT32, low, high);
            assertNoLeak(params, sle, () -> new Shape[] {low, high});
        }
    }

    private static void assertNoLeak(NDManager params, Block b, java.util.function.Supplier<Shape[]> shapes) {
        int before = ((BaseNDManager) params).getManagedArrays().size();
        for (int i = 0; i < 5; i++) {
            try (NDManager step = params.newSubManager()) {
                Shape[] in = shapes.get();
                NDArray[] xs = new NDArray[in.length];
                for (int k = 0; k < in.length; k++) {
                    xs[k] = step.randomNormal(in[k]);
                }
                forward(b, step, i % 2 == 0, xs);
            }
        }
        int after = ((BaseNDManager) params).getManagedArrays().size();
        assertEquals(before, after, b + " left arrays in the parameter manager");
    }

    private static float[] randoms(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }
}
