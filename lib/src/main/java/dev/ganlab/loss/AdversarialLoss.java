package dev.ganlab.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

import java.util.Locale;

/**
 * The loss families of the GAN game, on raw discriminator scores ("logits", one per image).
 *
 * <p>With D(x) = sigmoid(l(x)), log D = -softplus(-l) and log(1 - D) = -softplus(l), which keeps the
 * saturating losses finite for large |l|.
 *
 * <ul>
 *   <li>MINIMAX (Goodfellow et al., 2014): D maximises log D(x) + log(1 - D(G(z))); G minimises
 *       log(1 - D(G(z))), whose gradient vanishes when D confidently rejects fakes.
 *   <li>NON_SATURATING (same paper): G maximises log D(G(z)) instead; same fixed point, strong
 *       gradients early on.
 *   <li>WGAN (Arjovsky et al., 2017): the critic estimates the Wasserstein-1 distance, D loss
 *       E[l(G(z))] - E[l(x)], G loss -E[l(G(z))]; needs a Lipschitz critic (clipping or a penalty).
 *   <li>LSGAN (Mao et al., 2017), a-b-c = 0-1-1: D loss 1/2 E[(l(x) - 1)^2] + 1/2 E[l(G(z))^2],
 *       G loss 1/2 E[(l(G(z)) - 1)^2].
 *   <li>HINGE (Lim and Ye 2017; Miyato et al. 2018): D loss E[relu(1 - l(x))] + E[relu(1 + l(G(z)))],
 *       G loss -E[l(G(z))].
 * </ul>
 */
public enum AdversarialLoss {
    MINIMAX("minimax"),
    NON_SATURATING("ns"),
    WGAN("wgan"),
    LSGAN("lsgan"),
    HINGE("hinge");

    private final String key;

    AdversarialLoss(String key) {
        this.key = key;
    }

    /** The short name used in configs and on the command line. */
    public String key() {
        return key;
    }

    /** Whether a real-label target other than 1 (one-sided label smoothing) makes sense. */
    public boolean hasLabelTarget() {
        return this == MINIMAX || this == NON_SATURATING || this == LSGAN;
    }

    /** Parses a loss name: minimax, ns (non-saturating), wgan, lsgan, hinge. */
    public static AdversarialLoss parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        if (k.equals("non-saturating") || k.equals("nonsaturating")) {
            return NON_SATURATING;
        }
        if (k.equals("saturating")) {
            return MINIMAX;
        }
        for (AdversarialLoss l : values()) {
            if (l.key.equals(k)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown loss '" + s + "': use minimax, ns, wgan, wgan-gp, lsgan or hinge");
    }

    /**
     * The discriminator's loss on real and fake scores (means over the batch).
     *
     * @param realTarget the label of real images: 1, or e.g. 0.9 for one-sided label smoothing
     *     (Salimans et al., 2016); only for losses with {@link #hasLabelTarget()}
     */
    public NDArray discriminatorLoss(NDArray real, NDArray fake, float realTarget) {
        switch (this) {
            case MINIMAX:
            case NON_SATURATING: {
                // BCE with target t on reals: t softplus(-l) + (1 - t) softplus(l); target 0 on fakes.
                NDArray r = Activation.softPlus(real.neg()).mean();
                if (realTarget != 1f) {
                    r = r.mul(realTarget).add(Activation.softPlus(real).mean().mul(1f - realTarget));
                }
                return r.add(Activation.softPlus(fake).mean());
            }
            case WGAN:
                return fake.mean().sub(real.mean());
            case LSGAN:
                return real.sub(realTarget).square().mean().add(fake.square().mean()).mul(0.5f);
            case HINGE:
                return Activation.relu(real.neg().add(1f)).mean().add(Activation.relu(fake.add(1f)).mean());
            default:
                throw new IllegalStateException(name());
        }
    }

    /** The generator's loss on the scores of its images. */
    public NDArray generatorLoss(NDArray fake) {
        switch (this) {
            case MINIMAX:
                return Activation.softPlus(fake).mean().neg();
            case NON_SATURATING:
                return Activation.softPlus(fake.neg()).mean();
            case WGAN:
            case HINGE:
                return fake.mean().neg();
            case LSGAN:
                return fake.sub(1f).square().mean().mul(0.5f);
            default:
                throw new IllegalStateException(name());
        }
    }

    /**
     * Hinge loss with per-score margins: E[relu(m_r - l(x))] + E[relu(m_f + l(G(z)))]. FastGAN's
     * official code draws both margins from U(0.8, 1) at every step.
     */
    public static NDArray hinge(NDArray real, NDArray fake, NDArray realMargin, NDArray fakeMargin) {
        return Activation.relu(realMargin.sub(real)).mean().add(Activation.relu(fakeMargin.add(fake)).mean());
    }
}
