package dev.ganlab.models;

import dev.ganlab.core.UserError;

import java.util.Locale;

/**
 * How a model is told the class of an image (setting {@code cond}). Every method works with every
 * adversarial loss and penalty: the class only changes what G and D compute, not how they are scored.
 */
public enum Conditioning {

    /** Unconditional (default). */
    NONE,

    /**
     * cGAN (Mirza &amp; Osindero 2014): the one-hot class is concatenated to G's latent and to D's input (as K
     * constant feature maps). The paper's networks are MLPs that map y through a hidden layer first; feeding
     * the one-hot to a linear (G) or convolutional (D) first layer is the same thing (a learned class
     * embedding added to that layer's output), and is how conditional DCGANs usually do it.
     */
    CONCAT,

    /**
     * ACGAN (Odena et al. 2017): G gets the class as in {@link #CONCAT}; D gets the image only and has a
     * second head, a K-way classifier on its last features. D maximises L_S + L_C and G maximises L_C - L_S
     * (eq. 2-3), L_C the log-likelihood of the right class on real and generated images: here D's loss gains
     * the cross-entropy on reals and fakes, G's the cross-entropy on fakes, weight 1 each as the paper.
     */
    ACGAN,

    /**
     * Projection discriminator (Miyato &amp; Koyama 2018): D(x, y) = psi(phi(x)) + y^T V phi(x), with
     * conditional batch norm (class-dependent gain and bias) in G, the pairing of the paper's own models and
     * of SNGAN/BigGAN-style class-conditional GANs.
     */
    PROJECTION;

    /** The setting's value for {@code cond=...}. */
    public static Conditioning parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserError("cond '" + s + "': use none, concat, acgan or projection");
        }
    }

    /** The setting's spelling. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
