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

    /** The run stopped: finished, diverged or interrupted. */
    default void onEnd(GanTrainer trainer, RunStatus status) {}
}
