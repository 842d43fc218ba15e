package dev.ganlab.objective;

import ai.djl.ndarray.NDArray;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.data.Permutations;
import dev.ganlab.loss.GradientPenalty;

import java.util.List;
import java.util.Map;

/**
 * A gradient penalty on the discriminator ({@link GradientPenalty}: WGAN-GP, WGAN-LP, DRAGAN, R1),
 * added to the critic's loss with its cadence. Settings: {@code penalty}, {@code penaltyWeight},
 * {@code penaltyEvery}.
 *
 * <p><b>Cadence.</b> Gulrajani et al. (2017), Algorithm 1, penalise every critic iteration (likewise
 * WGAN-LP, DRAGAN and R1). StyleGAN2's lazy regularisation (Karras et al., 2020, sec. 3.1) applies it
 * every k-th discriminator minibatch with the weight multiplied by k; so {@code penaltyEvery} counts
 * critic updates over the whole run: update {@code k} of step {@code t} is penalised when
 * {@code t * nCritic + k} is a multiple of it (1 = every update).
 *
 * <p><b>Random numbers.</b> Each penalised update draws its penalty points from an engine stream
 * seeded by (seed, t, {@value #SALT_PENALTY}), mixed with {@code k} for updates after the first (update
 * 0 keeps the stream it had when only the first update was penalised), so a resumed run replays them.
 *
 * <p><b>Logged.</b> {@code penalty} (weight included) and {@code grad_norm} (mean input-gradient
 * norm), each the mean over the step's penalised critic updates; absent from a step in which lazy
 * regularisation penalised none.
 */
public final class GradientPenaltyTerm implements ObjectiveTerm {

    static final long SALT_PENALTY = 41;

    private final GradientPenalty penalty;
    private final int every;
    private final int criticUpdatesPerStep;
    private final StepSeeds seeds;
    private double valueSum;
    private double normSum;
    private int penalisedThisStep;
    private long penalisedUpdates;

    /**
     * @param weight lambda (or gamma for R1) per penalised update before the lazy rescaling
     * @param every penalise every {@code every}-th critic update (the weight is multiplied by it)
     */
    public GradientPenaltyTerm(GradientPenalty.Kind kind, float weight, int every, int criticUpdatesPerStep,
            StepSeeds seeds) {
        if (!(weight >= 0)) {
            throw new UserError("config: penaltyWeight " + weight + " must be >= 0");
        }
        if (every < 1) {
            throw new UserError("config: penaltyEvery " + every + " must be >= 1");
        }
        this.penalty = new GradientPenalty(kind, weight * every);
        this.every = every;
        this.criticUpdatesPerStep = criticUpdatesPerStep;
        this.seeds = seeds;
    }

    public GradientPenalty penalty() {
        return penalty;
    }

    /** Critic updates penalised since this term was made (the start or resume of a session). */
    public long penalisedUpdates() {
        return penalisedUpdates;
    }

    /** Whether update {@code k} of step {@code t} carries the penalty. */
    public boolean penalises(long t, int k) {
        return (t * criticUpdatesPerStep + k) % every == 0;
    }

    @Override
    public List<String> loggedKeys() {
        return List.of("penalty", "grad_norm");
    }

    /** The penalty scores its own points (a discriminator forward with a graph of its own). */
    @Override
    public boolean ownCriticGraph() {
        return true;
    }

    @Override
    public NDArray criticLoss(CriticPass pass, Map<String, Float> log) {
        long t = pass.step();
        int k = pass.update();
        if (!penalises(t, k)) {
            return null;
        }
        long seed = seeds.of(t, SALT_PENALTY);
        GanLab.seedEngine(k == 0 ? seed : Permutations.mix(seed, k));
        GradientPenalty.Result r = penalty.penalty(penalty.points(pass.realInput(), pass.fakeInput()),
                x -> pass.model().discriminate(pass.ps(), x, true, false).logits());
        valueSum += r.value().getFloat();
        normSum += r.meanGradNorm();
        penalisedThisStep++;
        return r.value();
    }

    @Override
    public void endCriticPhase(Map<String, Float> log) {
        if (penalisedThisStep > 0) {
            log.put("penalty", (float) (valueSum / penalisedThisStep));
            log.put("grad_norm", (float) (normSum / penalisedThisStep));
        }
        penalisedUpdates += penalisedThisStep;
        valueSum = 0;
        normSum = 0;
        penalisedThisStep = 0;
    }
}
