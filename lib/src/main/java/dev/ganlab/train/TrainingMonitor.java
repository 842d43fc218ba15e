package dev.ganlab.train;

import java.awt.image.BufferedImage;
import java.util.Map;

/** Receives a run's progress: console progress lines, live notebook displays, tests. */
public interface TrainingMonitor {

    /** Before the first step (also after a resume). */
    default void onStart(GanTrainer trainer) {}

    /** A history row was recorded (every {@code logEvery} steps). */
    default void onLog(GanTrainer trainer, Map<String, Double> row) {}

    /** A sample grid from the fixed latents was rendered. */
    default void onSamples(GanTrainer trainer, long step, BufferedImage grid) {}

    /**
     * A growing model (ProGAN) finished a resolution - the next step works at another one, or the run
     * ends - and {@code grid} (the fixed latents at that resolution) was saved as
     * {@code samples/res-<R>px.png}.
     */
    default void onResolutionDone(GanTrainer trainer, int resolution, BufferedImage grid) {}

    /** The run stopped: finished, diverged or interrupted. */
    default void onEnd(GanTrainer trainer, RunStatus status) {}
}
