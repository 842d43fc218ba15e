package dev.ganlab.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.loss.AdversarialLoss;

import java.util.List;
import java.util.Map;

/**
 * The adversarial loss of the game ({@link AdversarialLoss}: minimax, non-saturating, WGAN, LSGAN,
 * hinge) for both players, with {@link LabelSmoothing} on the real target and FastGAN's random hinge
 * margins. Logs {@code d_loss}, {@code d_real} and {@code d_fake} (mean scores) for each critic
 * update and {@code g_loss} for the generator.
 *
 * <p><b>Random hinge margins</b> (FastGAN's official {@code train.py}): the hinge's margins are drawn
 * from U(0.8, 1) per score at every critic update, from a stream seeded by (seed, step,
 * {@value #SALT_MARGIN}); setting {@code hingeMargin = random} (fixed = the usual margin 1).
 *
 * <p>With feature matching in place of the adversarial generator loss (Salimans et al., 2016,
 * {@code tricks.featureMatchingOnly}), {@code g_loss} is still logged but not optimised.
 */
public final class AdversarialTerm implements ObjectiveTerm {

    public static final String HINGE_MARGIN_KEY = "hingeMargin";
    static final long SALT_MARGIN = 43;

    private final AdversarialLoss loss;
    private final LabelSmoothing smoothing;
    private final boolean randomMargin;
    private final boolean generatorLossOptimised;
    private final StepSeeds seeds;

    /**
     * @param hingeMargin "fixed" or "random" (used by the hinge loss only)
     * @param generatorLossOptimised false when feature matching replaces the generator's adversarial loss
     */
    public AdversarialTerm(AdversarialLoss loss, LabelSmoothing smoothing, String hingeMargin,
            boolean generatorLossOptimised, StepSeeds seeds) {
        if (!hingeMargin.equals("fixed") && !hingeMargin.equals("random")) {
            throw new UserError("config: " + HINGE_MARGIN_KEY + " '" + hingeMargin + "': use fixed or random");
        }
        this.loss = loss;
        this.smoothing = smoothing;
        this.randomMargin = loss == AdversarialLoss.HINGE && hingeMargin.equals("random");
        this.generatorLossOptimised = generatorLossOptimised;
        this.seeds = seeds;
    }

    public AdversarialLoss loss() {
        return loss;
    }

    @Override
    public List<String> loggedKeys() {
        return List.of("d_loss", "d_real", "d_fake", "g_loss");
    }

    @Override
    public NDArray criticLoss(CriticPass pass, Map<String, Float> log) {
        NDArray real = pass.real().logits();
        NDArray fake = pass.fake().logits();
        NDArray lossD;
        if (randomMargin) {
            GanLab.seedEngine(seeds.of(pass.step(), SALT_MARGIN));
            NDArray mr = real.getManager().randomUniform(0.8f, 1f, real.getShape(), DataType.FLOAT32, real.getDevice());
            NDArray mf = fake.getManager().randomUniform(0.8f, 1f, fake.getShape(), DataType.FLOAT32, fake.getDevice());
            lossD = AdversarialLoss.hinge(real, fake, mr, mf);
        } else {
            lossD = loss.discriminatorLoss(real, fake, smoothing.realLabel());
        }
        GanObjective.log(log, "d_loss", lossD);
        GanObjective.log(log, "d_real", real.mean());
        GanObjective.log(log, "d_fake", fake.mean());
        return lossD;
    }

    @Override
    public NDArray generatorLoss(GeneratorPass pass, Map<String, Float> log) {
        NDArray adv = loss.generatorLoss(pass.fake().logits());
        GanObjective.log(log, "g_loss", adv);
        return generatorLossOptimised ? adv : null;
    }
}
