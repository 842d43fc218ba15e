package dev.ganlab.objective;

import dev.ganlab.core.UserError;
import dev.ganlab.loss.AdversarialLoss;

/**
 * One-sided label smoothing (Salimans et al., 2016, "Improved Techniques for Training GANs",
 * sec. 3.4): the discriminator's target for real images becomes {@code realLabel} (the paper: 0.9)
 * instead of 1, while fakes keep 0, so D is not rewarded for ever more confident scores on reals.
 * It changes the target of the {@link AdversarialTerm} rather than adding a loss, so it applies only
 * to losses with labels (minimax, ns, lsgan). Setting: {@code tricks.labelSmoothing} (1 = off).
 */
public final class LabelSmoothing {

    public static final String KEY = "tricks.labelSmoothing";

    /** No smoothing: real label 1. */
    public static final LabelSmoothing OFF = new LabelSmoothing(1f);

    private final float realLabel;

    private LabelSmoothing(float realLabel) {
        this.realLabel = realLabel;
    }

    /** Checks the setting against the loss; a UserError names {@value #KEY}. */
    public static LabelSmoothing of(float realLabel, AdversarialLoss loss) {
        if (!(realLabel > 0 && realLabel <= 1)) {
            throw new UserError("config: " + KEY + " " + realLabel + " must be in (0, 1] (1 = off, 0.9 = the usual smoothing)");
        }
        if (realLabel != 1f && !loss.hasLabelTarget()) {
            throw new UserError("config: " + KEY + " needs a loss with labels (minimax, ns, lsgan), not " + loss.key());
        }
        return realLabel == 1f ? OFF : new LabelSmoothing(realLabel);
    }

    /** The discriminator's target for real images. */
    public float realLabel() {
        return realLabel;
    }
}
