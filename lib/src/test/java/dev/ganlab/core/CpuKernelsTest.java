package dev.ganlab.core;

import dev.ganlab.Slow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.Map;

class CpuKernelsTest {

    @Test
    void capIsOptInAndYieldsToTheUser() {
        assertNull(CpuKernels.capFor(Map.of()));
        assertNull(CpuKernels.capFor(Map.of("ONEDNN_MAX_CPU_ISA", "AVX512_CORE")));
        assertNull(CpuKernels.capFor(Map.of("GANLAB_ONEDNN_ISA", "native")));
        assertEquals("AVX2", CpuKernels.capFor(Map.of("GANLAB_ONEDNN_ISA", "avx2")));
        UserError e = assertThrows(UserError.class, () -> CpuKernels.capFor(Map.of("GANLAB_ONEDNN_ISA", "avx 2")));
        assertTrue(e.getMessage().contains("GANLAB_ONEDNN_ISA"), e.getMessage());
    }

    /**
     * The failure seen on AVX-512 and AVX2 CPUs: a convolution with one output channel, whose input
     * gradient oneDNN computed on a padded blocked copy with uninitialised pad channels, through
     * {@link CpuKernels#conv2d}. Freed NaN-filled tensors first, so recycled memory holds NaN as it
     * did in training; then output and gradients must be finite and equal (to float32 rounding) to
     * the float64 ones, which the engine computes without oneDNN.
     */
    @Slow
    @Test
    void convolutionInputGradientIgnoresRecycledMemory() {
        checkAgainstFloat64(new Shape(64, 64, 32, 32), new Shape(1, 64, 3, 3));
    }

    /**
     * The input-channel side: ProGAN's minibatch-stddev layer feeds nf(4) + 1 channels (17, 33, ...)
     * into a 3x3 convolution at 4x4. Without input-channel padding, oneDNN's forward on this machine
     * (AVX-512) returned NaN in every output value after NaN-filled memory had been freed (probe: batch
     * 16, 17 -> 16 channels: 4,096 of 4,096 outputs NaN; 33 -> 32: 7,168 to 8,192 of 8,192).
     */
    @Test
    void convolutionWithAPartialInputChannelBlockIgnoresRecycledMemory() {
        checkAgainstFloat64(new Shape(16, 17, 4, 4), new Shape(16, 17, 3, 3));
        checkAgainstFloat64(new Shape(16, 33, 4, 4), new Shape(32, 33, 3, 3));
        checkAgainstFloat64(new Shape(4, 3, 8, 8), new Shape(3, 3, 3, 3)); // both sides partial
    }

    /**
     * Transposed convolutions (libtorch's, which oneDNN computes as a convolution's data gradient) with
     * partial channel blocks: DCGAN's RGB output layer (64 -> 3, 4x4 stride 2), its first layer from a
     * 100-dimensional latent at 1x1, and a layer partial on both sides.
     */
    @Test
    void transposedConvolutionWithPartialChannelBlocksIgnoresRecycledMemory() {
        checkAgainstFloat64(new Shape(16, 64, 16, 16), new Shape(64, 3, 4, 4), 2, 1);
        checkAgainstFloat64(new Shape(16, 100, 1, 1), new Shape(100, 64, 4, 4), 1, 0);
        checkAgainstFloat64(new Shape(4, 17, 8, 8), new Shape(17, 5, 4, 4), 2, 1);
    }

    /** Poisons freed memory with NaN, then runs conv forward and backward in float32 (twice) and float64. */
    private static void checkAgainstFloat64(Shape xShape, Shape wShape) {
        checkAgainstFloat64(xShape, wShape, 0, 0);
    }

    /** As above; a transposed convolution ({@code (C_in, C_out, k, k)} weight) with that stride and padding when stride > 0. */
    private static void checkAgainstFloat64(Shape xShape, Shape wShape, int transposedStride, int transposedPadding) {
        GanLab.init();
        Engine engine = Engine.getEngine("PyTorch");
        Shape same = new Shape(wShape.get(2) / 2, wShape.get(3) / 2);
        try (NDManager m = GanLab.newManager()) {
            GanLab.seedEngine(1);
            NDArray x = m.randomNormal(xShape);
            NDArray w = m.randomNormal(0f, 0.05f, wShape, DataType.FLOAT32);
            NDArray dy = null;
            NDArray[][] r = new NDArray[3][];
            for (int pass = 0; pass < 3; pass++) {
                poison(m);
                DataType type = pass == 2 ? DataType.FLOAT64 : DataType.FLOAT32;
                // duplicate(): toType to the same type may hand back the same array, whose gradient
                // would then accumulate across passes
                NDArray xx = x.toType(type, true).duplicate();
                NDArray ww = w.toType(type, true).duplicate();
                xx.setRequiresGradient(true);
                ww.setRequiresGradient(true);
                NDArray y;
                try (GradientCollector gc = engine.newGradientCollector()) {
                    y = transposedStride > 0
                            ? CpuKernels.convTranspose2d(xx, ww, null, transposedStride, transposedPadding, 0)
                            : CpuKernels.conv2d(xx, ww, null, new Shape(1, 1), same, new Shape(1, 1));
                    if (dy == null) {
                        dy = m.randomNormal(y.getShape());
                    }
                    poison(m);
                    gc.backward(y.mul(dy.toType(type, true)).sum());
                }
                r[pass] = new NDArray[] {y.stopGradient().toType(DataType.FLOAT64, true),
                    xx.getGradient().toType(DataType.FLOAT64, true), ww.getGradient().toType(DataType.FLOAT64, true)};
            }
            String[] names = {"output", "input gradient", "weight gradient"};
            for (int k = 0; k < 3; k++) {
                double scale = r[2][k].abs().max().getDouble();
                for (int pass = 0; pass < 2; pass++) {
                    String what = names[k] + " of conv " + xShape + " * " + wShape + ", pass " + pass;
                    assertEquals(0, r[pass][k].isNaN().sum().getLong(), "NaN in the float32 " + what);
                    double err = r[pass][k].sub(r[2][k]).abs().max().getDouble() / scale;
                    assertTrue(err < 1e-5, "relative error vs float64 of the " + what + ": " + err);
                }
            }
        }
    }

    /** Allocates and frees NaN-filled tensors of many sizes, so the allocator hands out NaN next. */
    private static void poison(NDManager m) {
        try (NDManager poison = m.newSubManager()) {
            for (int i = 0; i < 24; i++) {
                poison.full(new Shape(1L << (8 + i % 16)), Float.NaN);
            }
        }
    }
}
