package dev.ganlab.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.Stoppable;
import dev.ganlab.data.ImageDataset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An interrupted evaluation ends after the batch in progress instead of scoring every image. */
class BatchedForwardStopTest {

    @Test
    void featureExtractionEndsAfterTheBatchInProgressWhenTheCallerIsInterrupted() {
        int n = 40;
        ImageDataset images = ImageDataset.fromFloats(new float[n * 16 * 16], n, 1, 16, 16, "zeros");
        ImagePreparation prep = new ImagePreparation(1, 16, false, ImagePreparation.Range.SYMMETRIC, "test");
        AtomicInteger batches = new AtomicInteger();
        Thread caller = Thread.currentThread();
        try (NDManager m = GanLab.newManager()) {
            Stoppable.StoppedException e = assertThrows(Stoppable.StoppedException.class,
                    () -> Stoppable.run("evaluate", null, () -> BatchedForward.run(m, prep, images, 4, false,
                            (sm, x, logits) -> {
                                if (batches.incrementAndGet() == 2) {
                                    caller.interrupt(); // the notebook's stop button, mid-extraction
                                    long until = System.nanoTime() + 5_000_000_000L;
                                    while (!Stoppable.stopRequested() && System.nanoTime() < until) {
                                        Thread.onSpinWait();
                                    }
                                }
                                NDArray f = x.reshape(x.getShape().get(0), -1);
                                return new NDArray[] {f, null};
                            })));
            assertTrue(e.getMessage().contains("zeros"), e.getMessage());
        } finally {
            assertTrue(Thread.interrupted(), "the caller's flag is set again");
        }
        assertEquals(2, batches.get(), "no batch after the one in progress (of " + n / 4 + ")");
    }
}
