package dev.ganlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.ganlab.core.GanLab;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LayersTest {

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    static NDArray forward(Block b, NDManager m, NDArray x, boolean training) {
        return b.forward(new ParameterStore(m, false), new NDList(x), training).singletonOrThrow();
    }

    @Test
    void upsampleIsNearestAndMatchesTheRepeatFormInValuesAndGradients() {
        try (NDManager m = GanLab.newManager()) {
            NDArray x = m.randomNormal(new Shape(2, 3, 4, 5));
            float[] fast = Ops.upsample2x(x).toFloatArray();
            float[] v = x.toFloatArray();
            // nearest by hand: out[n, c, i, j] = x[n, c, i / 2, j / 2]
            float[] byHand = new float[2 * 3 * 8 * 10];
            for (int nc = 0; nc < 6; nc++) {
                for (int i = 0; i < 8; i++) {
                    for (int j = 0; j < 10; j++) {
                        byHand[(nc * 8 + i) * 10 + j] = v[(nc * 4 + i / 2) * 5 + j / 2];
                    }
                }
            }
            assertArrayEquals(byHand, fast, 0f);
            assertArrayEquals(byHand, Ops.upsample2xByRepeat(x).toFloatArray(), 0f);
            NDArray weights = m.randomNormal(new Shape(2, 3, 8, 10));
            float[] gFast = gradient(x, Ops::upsample2x, weights);
            float[] gRepeat = gradient(x, Ops::upsample2xByRepeat, weights);
            assertArrayEquals(gRepeat, gFast, 1e-5f);
            // each input pixel receives the sum of its four copies' weights
            float[] w = weights.toFloatArray();
            assertEquals(w[0] + w[1] + w[10] + w[11], gFast[0], 1e-5f);
            // past the matrix-product sizes the repeat form is used: still nearest
            NDArray wide = m.randomNormal(new Shape(1, 2, 3, Ops.MATMUL_UPSAMPLE_MAX + 1));
            NDArray up = Ops.upsample2x(wide);
            assertEquals(new Shape(1, 2, 6, 2 * Ops.MATMUL_UPSAMPLE_MAX + 2), up.getShape());
            assertEquals(wide.getFloat(0, 1, 2, Ops.MATMUL_UPSAMPLE_MAX), up.getFloat(0, 1, 5, 2 * Ops.MATMUL_UPSAMPLE_MAX + 1));
        }
    }

    /** Gradient of sum(f(x) * w) with respect to x. */
    private static float[] gradient(NDArray x, java.util.function.UnaryOperator<NDArray> f, NDArray w) {
        NDArray xg = x.duplicate();
        xg.setRequiresGradient(true);
        try (dev.ganlab.core.StepScope scope = new dev.ganlab.core.StepScope();
                ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
            gc.backward(f.apply(xg).mul(w).sum());
        }
        return xg.getGradient().toFloatArray();
    }

    @Test
    void convMatchesHandComputationWithBias() {
        try (NDManager m = GanLab.newManager()) {
            Conv2d conv = Conv2d.builder().setChannels(1).setKernel(2).build();
            conv.initialize(m, DataType.FLOAT32, new Shape(1, 1, 3, 3));
            conv.weight().getArray().set(new float[] {1, 2, 3, 4});
            conv.getParameters().get("bias").getArray().set(new float[] {0.5f});
            NDArray x = m.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, new Shape(1, 1, 3, 3));
            float[] y = forward(conv, m, x, false).toFloatArray();
            // top-left window [1 2; 4 5] . [1 2; 3 4] = 1 + 4 + 12 + 20 = 37
            assertArrayEquals(new float[] {37.5f, 47.5f, 67.5f, 77.5f}, y, 1e-5f);
        }
    }

    /**
     * The transposed-convolution form of upsample-then-conv3x3 against the explicit form (upsample, then the
     * engine's convolution) with the same weights: outputs and the gradients of input, weight and
     * bias, on a non-square input; plus the fallback (1x1 kernel) and the equalized and spectral
     * variants, which scale the same weight.
     */
    @Test
    void upsamplingConvEqualsUpsampleThenConvInValuesAndGradients() {
        try (NDManager m = GanLab.newManager()) {
            GanLab.seedEngine(3);
            for (WeightScaling scaling : WeightScaling.values()) {
                for (int kernel : new int[] {3, 1}) {
                    Conv2d fused = Conv2d.builder().setChannels(5).setKernel(kernel).optPadding(kernel / 2)
                            .optScaling(scaling).optUpsample2x(true).optWeightInit(Init.normal(0, 1)).build();
                    Shape in = new Shape(2, 3, 4, 6);
                    fused.initialize(m, DataType.FLOAT32, in);
                    assertEquals(new Shape(2, 5, 8, 12), fused.getOutputShapes(new Shape[] {in})[0]);
                    NDArray bias = fused.getParameters().get("bias").getArray();
                    bias.set(m.randomNormal(new Shape(5)).toFloatArray());
                    NDArray w = fused.weight().getArray();
                    float scale = fused.runtimeScale() / (scaling == WeightScaling.SPECTRAL ? fused.spectralNorm() : 1f);
                    NDArray x = m.randomNormal(in);
                    NDArray upstream = m.randomNormal(new Shape(2, 5, 8, 12));

                    x.setRequiresGradient(true);
                    float[] yFused;
                    try (dev.ganlab.core.StepScope scope = new dev.ganlab.core.StepScope();
                            ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray y = forward(fused, m, x, false);
                        gc.backward(y.mul(upstream).sum());
                        yFused = y.toFloatArray();
                    }
                    float[] gxFused = x.getGradient().toFloatArray();
                    float[] gwFused = w.getGradient().toFloatArray();
                    float[] gbFused = bias.getGradient().toFloatArray();

                    NDArray x2 = x.stopGradient().duplicate();
                    x2.setRequiresGradient(true);
                    NDArray w2 = w.stopGradient().duplicate();
                    w2.setRequiresGradient(true);
                    NDArray b2 = bias.stopGradient().duplicate();
                    b2.setRequiresGradient(true);
                    float[] yPlain;
                    try (dev.ganlab.core.StepScope scope = new dev.ganlab.core.StepScope();
                            ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                        // CpuKernels.conv2d: a raw 5-channel conv's input gradient reads oneDNN's
                        // uninitialised pad channels on AVX2/AVX-512 CPUs (see CpuKernels)
                        NDArray y = dev.ganlab.core.CpuKernels.conv2d(Ops.upsample2xByRepeat(x2), w2, null,
                                new Shape(1, 1), new Shape(kernel / 2, kernel / 2), new Shape(1, 1))
                                .mul(scale).add(b2.reshape(1, 5, 1, 1));
                        gc.backward(y.mul(upstream).sum());
                        yPlain = y.toFloatArray();
                    }
                    String what = scaling + " k" + kernel;
                    assertArrayEquals(yPlain, yFused, 1e-4f, what + " output");
                    assertArrayEquals(x2.getGradient().toFloatArray(), gxFused, 1e-3f, what + " input gradient");
                    if (scaling != WeightScaling.SPECTRAL) { // sigma's own gradient is not in the plain form
                        assertArrayEquals(w2.getGradient().toFloatArray(), gwFused, 1e-3f, what + " weight gradient");
                    }
                    assertArrayEquals(b2.getGradient().toFloatArray(), gbFused, 1e-3f, what + " bias gradient");
                }
            }
        }
    }

    @Test
    void equalizedLayersScaleByHeConstantAtRunTime() {
        try (NDManager m = GanLab.newManager()) {
            Conv2d conv = Conv2d.builder().setChannels(4).setKernel(3).optPadding(1).optScaling(WeightScaling.EQUALIZED)
                    .optBias(false).build();
            conv.initialize(m, DataType.FLOAT32, new Shape(2, 8, 5, 5));
            float expected = (float) (Math.sqrt(2) / Math.sqrt(8 * 3 * 3));
            assertEquals(expected, conv.runtimeScale(), 1e-7f);
            NDArray w = conv.weight().getArray();
            float std = w.sub(w.mean()).square().mean().sqrt().getFloat();
            assertTrue(Math.abs(std - 1) < 0.15, "equalized weights start N(0, 1), std " + std);
            NDArray x = m.randomNormal(new Shape(2, 8, 5, 5));
            NDArray y = forward(conv, m, x, false);
            NDArray plain = ai.djl.nn.convolutional.Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(1, 1),
                    new Shape(1, 1)).singletonOrThrow();
            assertTrue(y.sub(plain.mul(expected)).abs().max().getFloat() < 1e-5);
            Linear lin = Linear.builder().setUnits(3).optScaling(WeightScaling.EQUALIZED).optGain(1).build();
            lin.initialize(m, DataType.FLOAT32, new Shape(2, 10));
            assertEquals((float) (1 / Math.sqrt(10)), lin.runtimeScale(), 1e-7f);
        }
    }

    @Test
    void spectralNormPowerIterationConvergesToLargestSingularValue() {
        try (NDManager m = GanLab.newManager()) {
            GanLab.seedEngine(7);
            Linear lin = Linear.builder().setUnits(6).optScaling(WeightScaling.SPECTRAL).optBias(false)
                    .optWeightInit(Init.normal(0, 1)).build();
            lin.initialize(m, DataType.FLOAT32, new Shape(1, 9));
            float[] w = lin.weight().getArray().toFloatArray();
            double[][] rows = new double[6][9];
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 9; j++) {
                    rows[i][j] = w[i * 9 + j];
                }
            }
            double sigma = new SingularValueDecomposition(new Array2DRowRealMatrix(rows)).getSingularValues()[0];
            NDArray x = m.randomNormal(new Shape(4, 9));
            for (int i = 0; i < 60; i++) {
                forward(lin, m, x, true); // one power-iteration step per training forward
            }
            assertEquals(sigma, lin.spectralNorm(), 1e-3 * sigma);
            // The output is W x / sigma: the normalised layer has spectral norm 1.
            NDArray y = forward(lin, m, x, false);
            NDArray raw = x.matMul(lin.weight().getArray().transpose());
            assertTrue(y.sub(raw.div((float) sigma)).abs().max().getFloat() < 1e-3);
            // Eval forward does not move u.
            float[] u = lin.getParameters().get("sn_u").getArray().toFloatArray();
            forward(lin, m, x, false);
            assertArrayEquals(u, lin.getParameters().get("sn_u").getArray().toFloatArray());
        }
    }

    @Test
    void layersDoNotLeakArraysIntoTheParameterManager() {
        try (NDManager params = GanLab.newManager()) {
            Block[] blocks = {
                Conv2d.builder().setChannels(3).setKernel(3).optPadding(1).optScaling(WeightScaling.SPECTRAL).build(),
                Conv2d.builder().setChannels(3).setKernel(3).optPadding(1).optScaling(WeightScaling.EQUALIZED).build(),
                Conv2d.builder().setChannels(3).setKernel(3).optPadding(1).build(),
                Conv2d.builder().setChannels(3).setKernel(3).optPadding(1).optUpsample2x(true).build(),
                Conv2d.builder().setChannels(3).setKernel(3).optPadding(1).optUpsample2x(true)
                        .optScaling(WeightScaling.SPECTRAL).build(),
                new LayerNorm(), new BatchNorm(), new MinibatchDiscriminationWrapper()
            };
            for (Block b : blocks) {
                b.initialize(params, DataType.FLOAT32, new Shape(2, 3, 4, 4));
                int before = ((ai.djl.ndarray.BaseNDManager) params).getManagedArrays().size();
                for (int i = 0; i < 5; i++) {
                    try (NDManager step = params.newSubManager()) {
                        forward(b, step, step.randomNormal(new Shape(2, 3, 4, 4)), true);
                    }
                }
                int after = ((ai.djl.ndarray.BaseNDManager) params).getManagedArrays().size();
                assertEquals(before, after, b + " left arrays in the parameter manager");
            }
        }
    }

    /** Minibatch discrimination on flattened (N, 48) features. */
    static final class MinibatchDiscriminationWrapper extends ai.djl.nn.SequentialBlock {
        MinibatchDiscriminationWrapper() {
            add(Lambda.flatten());
            add(new MinibatchDiscrimination(4, 3));
        }
    }

    @Test
    void minibatchDiscriminationMeasuresClosenessToTheRestOfTheBatch() {
        try (NDManager m = GanLab.newManager()) {
            MinibatchDiscrimination mbd = new MinibatchDiscrimination(2, 1);
            mbd.initialize(m, DataType.FLOAT32, new Shape(3, 1));
            mbd.getParameters().get("T").getArray().set(new float[] {1, 2});
            // features 0, 0, 1: M_b = f * T_b
            NDArray y = forward(mbd, m, m.create(new float[] {0, 0, 1}, new Shape(3, 1)), false);
            float[] v = y.toFloatArray();
            // sample 0: kernel 1: exp(-0) + exp(-1); kernel 2: exp(0) + exp(-2)
            assertArrayEquals(new float[] {0, (float) (1 + Math.exp(-1)), (float) (1 + Math.exp(-2))},
                    new float[] {v[0], v[1], v[2]}, 1e-6f);
            assertArrayEquals(new float[] {1, (float) (2 * Math.exp(-1)), (float) (2 * Math.exp(-2))},
                    new float[] {v[6], v[7], v[8]}, 1e-6f);
        }
    }

    @Test
    void normalisationLayers() {
        try (NDManager m = GanLab.newManager()) {
            NDArray x = m.randomNormal(2f, 3f, new Shape(4, 3, 5, 5), DataType.FLOAT32);
            LayerNorm ln = new LayerNorm();
            ln.initialize(m, DataType.FLOAT32, x.getShape());
            NDArray y = forward(ln, m, x, true);
            NDArray perSample = y.reshape(4, -1);
            assertTrue(perSample.mean(new int[] {1}).abs().max().getFloat() < 1e-5);
            assertTrue(perSample.square().mean(new int[] {1}).sub(1).abs().max().getFloat() < 1e-3);

            BatchNorm bn = new BatchNorm();
            bn.initialize(m, DataType.FLOAT32, x.getShape());
            NDArray z = forward(bn, m, x, true);
            NDArray perChannel = z.transpose(1, 0, 2, 3).reshape(3, -1);
            assertTrue(perChannel.mean(new int[] {1}).abs().max().getFloat() < 1e-5);
            // running mean moved 10% of the way from 0 to the batch mean (about 2)
            NDArray rm = bn.getParameters().get("runningMean").getArray();
            NDArray batchMean = x.transpose(1, 0, 2, 3).reshape(3, -1).mean(new int[] {1});
            assertTrue(rm.sub(batchMean.mul(0.1f)).abs().max().getFloat() < 1e-5);
            for (Parameter p : new Parameter[] {bn.getParameters().get("runningMean")}) {
                assertTrue(!p.requiresGradient());
            }
        }
    }

    @Test
    void shapesAreCheckedAtInitialisation() {
        try (NDManager m = GanLab.newManager()) {
            Conv2d conv = Conv2d.builder().setChannels(2).setKernel(5).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> conv.initialize(m, DataType.FLOAT32, new Shape(1, 1, 3, 3)));
            assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Conv2d.builder().setChannels(0).setKernel(3).build());
        }
    }
}
