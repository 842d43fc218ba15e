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
     * {@link CpuKernels#conv2d}. Freed
     * NaN-filled tensors first, so recycled memory holds NaN as it did in training; then the input
     * gradient must be finite and equal (to float32 rounding) to the float64 one, which the engine
     * computes without oneDNN.
     */
    @Slow
    @Test
    void convolutionInputGradientIgnoresRecycledMemory() {
        GanLab.init();
        Engine engine = Engine.getEngine("PyTorch");
        try (NDManager m = GanLab.newManager()) {
            GanLab.seedEngine(1);
            NDArray x = m.randomNormal(new Shape(64, 64, 32, 32));
            NDArray w = m.randomNormal(0f, 0.05f, new Shape(1, 64, 3, 3), DataType.FLOAT32);
            NDArray dy = m.randomNormal(new Shape(64, 1, 32, 32));
            NDArray[] dx = new NDArray[3];
            for (int pass = 0; pass < 3; pass++) {
                try (NDManager poison = m.newSubManager()) {
                    for (int i = 0; i < 20; i++) {
                        poison.full(new Shape(1L << (14 + i % 8)), Float.NaN);
                    }
                }
                DataType type = pass == 2 ? DataType.FLOAT64 : DataType.FLOAT32;
                // duplicate(): toType to the same type may hand back the same array, whose gradient
                // would then accumulate across passes
                NDArray xx = x.toType(type, true).duplicate();
                NDArray ww = w.toType(type, true).duplicate();
                xx.setRequiresGradient(true);
                ww.setRequiresGradient(true);
                try (GradientCollector gc = engine.newGradientCollector()) {
                    NDArray y = CpuKernels.conv2d(xx, ww, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1));
                    gc.backward(y.mul(dy.toType(type, true)).sum());
                }
                dx[pass] = xx.getGradient().toType(DataType.FLOAT64, true);
            }
            assertEquals(0, dx[0].isNaN().sum().getLong(), "NaN in the float32 input gradient");
            assertEquals(0, dx[1].isNaN().sum().getLong(), "NaN in the repeated float32 input gradient");
            double scale = dx[2].abs().max().getDouble();
            double err0 = dx[0].sub(dx[2]).abs().max().getDouble() / scale;
            double err1 = dx[1].sub(dx[2]).abs().max().getDouble() / scale;
            assertTrue(err0 < 1e-5 && err1 < 1e-5, "relative error vs float64: " + err0 + ", " + err1);
        }
    }
}
