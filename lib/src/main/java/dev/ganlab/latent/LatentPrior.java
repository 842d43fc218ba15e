package dev.ganlab.latent;

import dev.ganlab.models.dcgan.ConditionalDcganModel;
import dev.ganlab.models.dcgan.DcganModel;
import dev.ganlab.models.progan.ProganModel;
import dev.ganlab.models.resnet19.Resnet19Model;
import dev.ganlab.train.TrainConfig;

/**
 * The distribution a model draws its latents from, and what the truncation trick
 * ({@link Latents#truncate}, {@code z' = mean + psi (z - mean)}) does to it. The formula is StyleGAN's
 * (Karras et al. 2019, sec. 3.1 and appendix B), applied here in z because these models have no mapping
 * network. BigGAN's other truncation (Brock et al. 2019: resample components beyond a threshold) is not
 * implemented. The mean is the prior's centre, the zero vector, for all three kinds.
 */
public enum LatentPrior {

    /**
     * N(0, I) (FastGAN, the fully connected GAN, {@code dcgan.latent=normal}, {@code resnet19.latent=normal}): psi
     * scales z, i.e. samples come from N(0, psi^2 I), Glow's "reduced temperature" (Kingma &amp; Dhariwal
     * 2018). psi = 0 gives the one image G(0).
     */
    NORMAL,

    /**
     * U(-1, 1)^d (the DCGAN paper and its code, compare_gan: the {@code uniform} default of
     * {@code dcgan.latent}, so of DCGAN and SNDCGAN, and of {@code resnet19.latent}): psi
     * shrinks the cube to [-psi, psi]^d around its centre; psi = 0 gives G(0).
     */
    UNIFORM,

    /**
     * N(0, I) projected by the generator onto the sphere of radius sqrt(d) (ProGAN's pixel norm of the
     * latent, Karras et al. 2018, sec. 4.2): the generator only sees the direction of z, and z' = psi z has
     * the same direction, so any psi in (0, 1] gives the same images (up to the norm's epsilon of 1e-8).
     * psi = 0 gives the zero vector, which pixel norm leaves at zero: one image G(0), a point the
     * generator never saw in training. There is no mean on the sphere to pull towards: truncation in the
     * StyleGAN sense needs a latent space with a non-zero mean (a mapping network's W).
     */
    SPHERE;

    /** The prior of a run's model. */
    public static LatentPrior of(TrainConfig cfg, dev.ganlab.models.GanModel model) {
        if (model instanceof ProganModel) {
            return SPHERE;
        }
        // A conditional DCGAN draws its noise from the unconditional model's prior (then appends the class).
        if (model instanceof DcganModel || model instanceof ConditionalDcganModel) {
            return "uniform".equals(cfg.dcgan.latent) ? UNIFORM : NORMAL;
        }
        if (model instanceof Resnet19Model) {
            return "uniform".equals(cfg.resnet19.latent) ? UNIFORM : NORMAL;
        }
        return NORMAL;
    }

    /** One sentence for reports: what truncation does to latents of this kind. */
    public String truncationMeaning() {
        return switch (this) {
            case NORMAL -> "normal latents: z scaled by psi towards 0, i.e. drawn from N(0, psi^2 I)";
            case UNIFORM -> "uniform latents on [-1, 1]^d: the cube shrunk to [-psi, psi]^d around its centre";
            case SPHERE -> "ProGAN normalises latents onto a sphere: psi in (0, 1] leaves the images unchanged,"
                    + " psi = 0 gives the single image G(0)";
        };
    }
}
