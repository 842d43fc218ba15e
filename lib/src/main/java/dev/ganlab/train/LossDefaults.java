package dev.ganlab.train;

import java.util.Locale;

/**
 * The losses' own paper values, which a run takes where its model's preset does not claim the loss
 * (see {@code TrainingDefaults.ownLosses}):
 * WGAN (Arjovsky et al., ICML 2017, algorithm 1): RMSprop lr 5e-5, weight clipping 0.01, 5 critic
 * steps per generator step; WGAN-GP (Gulrajani et al., NeurIPS 2017, algorithm 1): Adam lr 1e-4,
 * betas (0, 0.9), 5 critic steps (its lambda 10 is the penalty's default). The other losses
 * (minimax, ns, lsgan, hinge) bring no optimiser and one critic step.
 *
 * @param nCritic discriminator updates per generator update
 * @param clip weight-clipping bound (0 = off)
 * @param optimizer the loss paper's optimiser, or null for the model's
 * @param wasserstein whether the critic's scores are unbounded (a drift term applies)
 */
public record LossDefaults(int nCritic, float clip, OptimizerConfig optimizer, boolean wasserstein) {

    public static final float WGAN_LR = 5e-5f;
    public static final float WGAN_CLIP = 0.01f;
    public static final int WGAN_CRITIC_STEPS = 5;

    /** Arjovsky et al. 2017. */
    public static final LossDefaults WGAN = new LossDefaults(WGAN_CRITIC_STEPS, WGAN_CLIP,
            OptimizerConfig.rmsprop(WGAN_LR), true);
    /** Gulrajani et al. 2017. */
    public static final LossDefaults WGAN_GP = new LossDefaults(WGAN_CRITIC_STEPS, 0f,
            OptimizerConfig.adam(1e-4f, 0f, 0.9f), true);
    /** minimax, ns, lsgan, hinge. */
    public static final LossDefaults OTHER = new LossDefaults(1, 0f, null, false);

    /** The values of a loss name (lower case). */
    public static LossDefaults of(String loss) {
        return switch (loss.toLowerCase(Locale.ROOT)) {
            case "wgan" -> WGAN;
            case "wgan-gp" -> WGAN_GP;
            default -> OTHER;
        };
    }

    /** A fresh copy of the paper's optimiser (callers may change it), or null. */
    @Override
    public OptimizerConfig optimizer() {
        return optimizer == null ? null : optimizer.copy();
    }
}
