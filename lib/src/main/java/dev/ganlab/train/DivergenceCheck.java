package dev.ganlab.train;

import java.util.Map;

/**
 * Stops a run whose losses are no longer finite: the first NaN or infinite value a step logs ends
 * training with status {@code diverged}, naming the key, the step and the last good checkpoint
 * ({@link TrainingDivergedException}). The history row of that step is written first, so the
 * non-finite value is on record.
 */
final class DivergenceCheck implements TrainingListener {

    @Override
    public void onStepEnd(GanTrainer trainer, long done, Map<String, Float> values) {
        for (Map.Entry<String, Float> e : values.entrySet()) {
            if (!Float.isFinite(e.getValue())) {
                trainer.diverged(done, e.getKey() + " is " + e.getValue());
            }
        }
    }
}
