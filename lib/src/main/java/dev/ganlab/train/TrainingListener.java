package dev.ganlab.train;

import java.util.Map;

/**
 * Side work that runs between training steps, kept out of the loop the way DJL's
 * {@code TrainingListener}s keep evaluation, logging and checkpoints out of {@code EasyTrain}:
 * {@link GanTrainer} runs a step, then calls its listeners in order; each listener asks the trainer's
 * {@link Timetable} whether its work is due. The built-in listeners, in order: divergence check,
 * fixed-latent samples (and the collapse alarm), evaluation, per-resolution grids, history rows,
 * checkpoints.
 */
public interface TrainingListener {

    /** After step {@code done} (the number of steps completed) with the values the step logged. */
    default void onStepEnd(GanTrainer trainer, long done, Map<String, Float> values) {}

    /**
     * When {@code train()} stops early (an interrupt or stop request): release what runs beside the
     * loop; it must restart on demand.
     */
    default void onStop(GanTrainer trainer) {}

    /** When the trainer closes. */
    default void close() {}
}
