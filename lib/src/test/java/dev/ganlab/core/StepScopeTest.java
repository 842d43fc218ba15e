package dev.ganlab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine's scalar operands under autograd: {@code x.mul(3f)} saves a scalar array whose Java
 * buffer DJL drops at once. A garbage collection before backward frees it; StepScope keeps it.
 */
class StepScopeTest {

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    /** Backward of sum(3x) after a collection and after reusing freed native memory with NaNs. */
    static float gradientAfterGc(NDManager m) {
        NDArray x = m.ones(new Shape(4));
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = x.mul(3f).sum();
            System.gc();
            for (int k = 0; k < 2000; k++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
                b.putFloat(0, Float.NaN);
            }
            gc.backward(y);
        }
        return x.getGradient().toFloatArray()[0];
    }

    @Test
    void scalarOperandsSurviveUntilBackwardInsideAStepScope() {
        try (NDManager m = GanLab.newManager()) {
            for (int trial = 0; trial < 20; trial++) {
                try (NDManager sm = m.newSubManager(); StepScope scope = new StepScope()) {
                    assertEquals(3f, gradientAfterGc(sm), "trial " + trial);
                    assertTrue(scope.pinnedBuffers() > 0, "the scalar's buffer is pinned");
                }
            }
        }
    }

    @Test
    void withoutTheScopeTheEngineReadsFreedMemory() {
        // Documents the engine defect the scope works around; if DJL fixes it this test starts failing
        // and StepScope can go.
        int wrong = 0;
        try (NDManager m = GanLab.newManager()) {
            for (int trial = 0; trial < 20; trial++) {
                if (gradientAfterGc(m) != 3f) {
                    wrong++;
                }
            }
        }
        assertTrue(wrong > 0, "no wrong gradient in 20 tries: DJL may have fixed the scalar use-after-free");
    }
}
