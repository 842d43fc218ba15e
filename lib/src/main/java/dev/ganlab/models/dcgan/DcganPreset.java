package dev.ganlab.models.dcgan;

import com.google.gson.JsonObject;
import dev.ganlab.core.UserError;
import dev.ganlab.models.GanModel;
import dev.ganlab.models.ModelPreset;
import dev.ganlab.models.Mix;
import dev.ganlab.models.ModelSettings;
import dev.ganlab.models.ResolveContext;
import dev.ganlab.models.TrainingDefaults;

import java.util.List;

/**
 * The DCGAN family's presets. {@code dcgan}: Radford et al., "Unsupervised Representation Learning
 * with Deep Convolutional GANs" (ICLR 2016), sec. 4 (details of adversarial training): non-saturating
 * loss, Adam lr 2e-4 beta1 0.5, minibatch 128 (the paper's, and {@code nbatch} of its official Theano
 * code), and that code's L2 weight decay of 1e-5 ({@link #DCGAN_WEIGHT_DECAY}); PyTorch-GAN's and
 * compare_gan's DCGAN train batch 64 without weight decay ({@code --batch 64 --set optG.weightDecay=0
 * --set optD.weightDecay=0}, as the reproduction's recipes and notebook 01's quick profile do).
 * {@code sndcgan}: compare_gan's example_configs/sndcgan_celebahq128.gin (Kurach et al., ICML 2019): non-saturating loss, Adam 2e-4
 * (0.5, 0.999), batch 64, one discriminator step.
 */
public final class DcganPreset extends ModelPreset<DcganConfig> {

    /**
     * L2 weight decay of the DCGAN code on every parameter of both networks ({@code l2 = 1e-5} in
     * faces/train_uncond_dcgan.py, passed to its Adam as {@code Regularizer(l2)}, which adds
     * {@code l2 * w} to each gradient). The paper does not mention it; PyTorch-GAN and compare_gan have
     * none ({@code --set optG.weightDecay=0 --set optD.weightDecay=0}).
     */
    public static final double DCGAN_WEIGHT_DECAY = 1e-5;

    /** Radford et al. 2016 (see the class comment). */
    public static final DcganPreset DCGAN = new DcganPreset("dcgan",
            TrainingDefaults.paper("Radford et al., ICLR 2016").loss("ns")
                    .optimizer(TrainingDefaults.DCGAN_ADAM.weightDecay(DCGAN_WEIGHT_DECAY)).batch(128)
                    .channels(1), // Fashion-MNIST
            List.of());
    /**
     * compare_gan's SNDCGAN; its discriminator is spectrally normalised by default ({@code dcgan.dNorm}
     * auto = spectral; the study's normaliser axis is a setting) and has no dropout.
     */
    public static final DcganPreset SNDCGAN = new DcganPreset("sndcgan",
            TrainingDefaults.paper("Kurach et al., ICML 2019 (compare_gan); Miyato et al., ICLR 2018").loss("ns")
                    .optimizer(TrainingDefaults.DCGAN_ADAM).batch(64)
                    .channels(1), // Fashion-MNIST
            List.of("dcgan.dDropout"));

    private DcganPreset(String name, TrainingDefaults defaults, List<String> inapplicable) {
        super(name, "dcgan", DcganConfig.class, defaults, inapplicable, List.of());
    }

    @Override
    public void resolve(DcganConfig section, ResolveContext run) {
        section.variant = name();
    }

    @Override
    public void normalise(DcganConfig section, ResolveContext run) {
        section.fillDefaults(); // latent size and widths: dcgan's or sndcgan's
        if (section.dNorm.equals("auto")) {
            // A gradient penalty is defined per sample; batch norm couples samples (WGAN-GP paper, sec. 4).
            section.dNorm = run.gradientPenalty ? "layer" : "batch";
        }
        if (run.minibatchDiscrimination > 0) {
            section.minibatchKernels = run.minibatchDiscrimination;
        }
    }

    /**
     * A dcgan run stored before dcgan.generator, dcgan.latent and dcgan.discriminator existed trained
     * PyTorch-GAN's generator and discriminator on N(0, I) latents, not today's paper defaults.
     */
    @Override
    public void completeStored(DcganConfig section, JsonObject stored) {
        if (this != DCGAN) {
            return;
        }
        if (!stored.has("generator")) {
            section.generator = "pytorchgan";
        }
        if (!stored.has("latent")) {
            section.latent = "normal";
        }
        if (!stored.has("discriminator")) {
            section.discriminator = "pytorchgan"; // dcgan's D before dcgan.discriminator=paper
        }
    }

    @Override
    public void validate(DcganConfig section) {
        section.validate();
    }

    @Override
    public GanModel create(DcganConfig section, ModelSettings run, int channels, int resolution, String dataName) {
        section.variant = name();
        Mix mix = run.mix();
        try {
            return new DcganModel(section, channels, resolution, mix);
        } catch (IllegalArgumentException e) {
            if (mix.gSle() && e.getMessage().contains("skip-layer excitation")) {
                throw new UserError("mix.gSle does not apply to model " + name() + " at " + resolution + " px: "
                        + e.getMessage() + " (try resolution 32 or 64)", e);
            }
            throw new UserError(e.getMessage() + " (data " + dataName + "; set resolution to "
                    + (this == SNDCGAN ? "32 or 64" : "28, 32 or 64") + ")", e);
        }
    }
}
