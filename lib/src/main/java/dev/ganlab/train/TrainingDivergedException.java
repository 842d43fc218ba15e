package dev.ganlab.train;

import dev.ganlab.core.UserError;

/**
 * A loss became NaN or infinite. The message names the step, the value and the last good checkpoint,
 * from which the run can resume (with a lower learning rate, say).
 */
public final class TrainingDivergedException extends UserError {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
