package dev.ganlab.train;

import dev.ganlab.Slow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run stopped between two history rows (what an interrupt does: it lands at any step) and continued
 * by calling train() again on the same trainer writes the same rows as a run never stopped. The stop
 * comes from the caller's thread being interrupted, as a notebook's stop button does.
 */
class InterruptedTrainingTest {

    @TempDir Path tmp;

    @Slow
    @Test
    void aRunInterruptedBetweenRowsContinuesWithTheSameRows() throws Exception {
        TrainConfig c = GanTrainerTest.tiny(20); // rows every 5 steps
        c.sampleEvery = 7;                       // the interrupt below lands at step 7, inside a row
        Path straight = tmp.resolve("straight");
        try (GanTrainer t = GanTrainer.start(c, straight)) {
            t.addMonitor(GanTrainerTest.QUIET).train();
        }
        Path stopped = tmp.resolve("stopped");
        Thread caller = Thread.currentThread();
        try (GanTrainer t = GanTrainer.start(c, stopped)) {
            t.addMonitor(new TrainingMonitor() {
                @Override
                public void onSamples(GanTrainer tr, long step, BufferedImage grid) {
                    if (step == 7) {
                        caller.interrupt(); // the caller waits in train(): this is the notebook's stop
                    }
                }
            });
            RunStatus first = t.train();
            assertTrue(Thread.interrupted(), "train() returns with the caller's interrupt flag set");
            assertEquals("interrupted", first.status);
            assertEquals(7, first.step);
            assertEquals("stopped at step 7; train() continues from here", first.message);
            RunStatus onDisk = RunStatus.read(stopped.resolve("status.json"));
            assertEquals("interrupted", onDisk.status);
            assertEquals(7, onDisk.step);
            RunStatus second = t.train();
            assertFalse(Thread.currentThread().isInterrupted());
            assertEquals("finished", second.status);
        }
        List<String> a = GanTrainerTest.withoutSeconds(straight.resolve("metrics.csv"));
        List<String> b = GanTrainerTest.withoutSeconds(stopped.resolve("metrics.csv"));
        assertEquals(a, b, "rows of the interrupted and continued run differ from the uninterrupted run");

        // A new trainer on the checkpoint of step 7 (the notebook re-runs GanTrainer.reopen) does the same.
        Path reopened = tmp.resolve("reopened");
        try (GanTrainer t = GanTrainer.start(c, reopened)) {
            t.addMonitor(new TrainingMonitor() {
                @Override
                public void onSamples(GanTrainer tr, long step, BufferedImage grid) {
                    if (step == 7) {
                        tr.requestStop();
                    }
                }
            });
            assertEquals("interrupted", t.train().status);
        }
        try (GanTrainer t = GanTrainer.reopen(c, reopened)) {
            assertEquals(7, t.step());
            t.addMonitor(GanTrainerTest.QUIET).train();
        }
        assertEquals(a, GanTrainerTest.withoutSeconds(reopened.resolve("metrics.csv")),
                "rows of the reopened run differ from the uninterrupted run");
    }
}
