package dev.ganlab.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Gradient penalties on the discriminator's input gradient: WGAN-GP (Gulrajani et al., 2017),
 * WGAN-LP (Petzka et al., 2018), DRAGAN (Kodali et al., 2017) and R1 (Mescheder et al., 2018).
 *
 * <p>The penalty is computed inside the discriminator's gradient collector, usually next to its main
 * loss: {@link #penalty} scores the penalty points, takes their input gradients with a graph
 * ({@link InputGradient}), and returns the penalty as an array whose ordinary backward adds the exact
 * parameter gradient (checked against double backward in the tests), without the memory leak of the
 * engine's create-graph backward.
 */
public final class GradientPenalty {

    /** Where the penalty is evaluated and what it pulls the gradient norm towards. */
    public enum Kind {
        /** WGAN-GP: random interpolates of real and fake, lambda E[(|g| - 1)^2], lambda = 10. */
        WGAN_GP("wgan-gp", 10f),
        /** WGAN-LP: like WGAN-GP but one-sided, lambda E[max(0, |g| - 1)^2]. */
        WGAN_LP("wgan-lp", 10f),
        /** DRAGAN: interpolates of reals and noise-perturbed reals, lambda E[(|g| - 1)^2], lambda = 10. */
        DRAGAN("dragan", 10f),
        /** R1: at real images, gamma/2 E[|g|^2]; gamma = 10 (Mescheder et al.'s CelebA/LSUN value). */
        R1("r1", 10f);

        private final String key;
        private final float defaultWeight;

        Kind(String key, float defaultWeight) {
            this.key = key;
            this.defaultWeight = defaultWeight;
        }

        public String key() {
            return key;
        }

        /** The paper's weight (lambda or gamma). */
        public float defaultWeight() {
            return defaultWeight;
        }

        /** Parses wgan-gp, wgan-lp, dragan or r1. */
        public static Kind parse(String s) {
            String k = s.trim().toLowerCase(Locale.ROOT);
            for (Kind kind : values()) {
                if (kind.key.equals(k)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown gradient penalty '" + s + "': use none, wgan-gp, wgan-lp,"
                    + " dragan or r1");
        }
    }

    /** DRAGAN: perturbation scale C in x + C std(x) U[0, 1). */
    public static final float DRAGAN_PERTURBATION = 0.5f;

    private final Kind kind;
    private final float weight;

    public GradientPenalty(Kind kind, float weight) {
        if (!(weight >= 0)) {
            throw new IllegalArgumentException("penalty weight " + weight + " must be >= 0");
        }
        this.kind = kind;
        this.weight = weight;
    }

    public Kind kind() {
        return kind;
    }

    public float weight() {
        return weight;
    }

    /**
     * A computed penalty.
     *
     * @param value the penalty (weight included), a scalar with a graph: add it to the loss
     * @param meanGradNorm mean L2 norm of the per-sample input gradients (for logging)
     */
    public record Result(NDArray value, float meanGradNorm) {}

    /** The points where the penalty is evaluated, per its kind. Uses the engine's generator. */
    public NDArray points(NDArray reals, NDArray fakes) {
        long n = reals.getShape().get(0);
        Shape perSample = new Shape(n, 1, 1, 1);
        switch (kind) {
            case R1:
                return reals.stopGradient();
            case DRAGAN: {
                NDArray std = reals.sub(reals.mean()).square().mean().sqrt();
                NDArray noise = reals.getManager().randomUniform(0f, 1f, reals.getShape(), DataType.FLOAT32, reals.getDevice());
                NDArray perturbed = reals.add(noise.mul(std).mul(DRAGAN_PERTURBATION));
                NDArray a = reals.getManager().randomUniform(0f, 1f, perSample, DataType.FLOAT32, reals.getDevice());
                return reals.mul(a).add(perturbed.mul(a.neg().add(1f))).stopGradient();
            }
            default: {
                NDArray e = reals.getManager().randomUniform(0f, 1f, perSample, DataType.FLOAT32, reals.getDevice());
                return reals.mul(e).add(fakes.mul(e.neg().add(1f))).stopGradient();
            }
        }
    }

    /**
     * The penalty at {@code points} (see {@link #points}), inside an open gradient collector.
     *
     * @param critic per-sample scores {@code (N)} of a batch, computed with grad mode on
     */
    public Result penalty(NDArray points, UnaryOperator<NDArray> critic) {
        NDArray x = points.stopGradient();
        x.setRequiresGradient(true);
        NDArray g = InputGradient.of(critic.apply(x), x);                         // (N, C, H, W)
        NDArray norms = g.square().sum(new int[] {1, 2, 3}).add(1e-12f).sqrt();   // (N)
        NDArray value;
        switch (kind) {
            case R1:
                value = norms.square().mean().mul(weight / 2f);
                break;
            case WGAN_LP:
                value = norms.sub(1f).maximum(0f).square().mean().mul(weight);
                break;
            default:
                value = norms.sub(1f).square().mean().mul(weight);
        }
        return new Result(value, norms.mean().getFloat());
    }
}
