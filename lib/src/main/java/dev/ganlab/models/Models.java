package dev.ganlab.models;

import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.models.dcgan.DcganConfig;
import dev.ganlab.models.dcgan.DcganModel;
import dev.ganlab.models.fastgan.FastganConfig;
import dev.ganlab.models.fastgan.FastganModel;
import dev.ganlab.models.gan.MlpGanModel;
import dev.ganlab.models.progan.ProganConfig;
import dev.ganlab.models.progan.ProganModel;
import dev.ganlab.train.TrainConfig;

/** Builds the model a training config names, sized for its data. */
public final class Models {

    private Models() {}

    /** The model of a resolved config for images like {@code data}'s. */
    public static GanModel create(TrainConfig cfg, ImageDataset data) {
        if (data.height() != data.width()) {
            throw new UserError(data.name() + " images are " + data.width() + "x" + data.height()
                    + "; GAN Lab models need square images: set resolution");
        }
        return create(cfg, data.channels(), data.height(), data.name());
    }

    /** The components of other families a resolved config asks for (see {@link Mix}). */
    public static Mix mix(TrainConfig cfg) {
        MixConfig m = cfg.mix == null ? new MixConfig() : cfg.mix;
        return new Mix(m.dSpectralNorm, m.dMbstd, cfg.tricks.minibatchDiscrimination, cfg.dcgan.minibatchKernelDim,
                m.gSle);
    }

    /** The model of a resolved config for square images of {@code c} channels and size {@code r}. */
    public static GanModel create(TrainConfig cfg, int c, int r, String dataName) {
        Mix mix = mix(cfg);
        switch (cfg.model) {
            case "dcgan":
            case "sndcgan": {
                DcganConfig d = cfg.dcgan;
                d.variant = cfg.model;
                try {
                    return new DcganModel(d, c, r, mix);
                } catch (IllegalArgumentException e) {
                    if (mix.gSle() && e.getMessage().contains("skip-layer excitation")) {
                        throw new UserError("mix.gSle does not apply to model " + cfg.model + " at " + r + " px: "
                                + e.getMessage() + " (try resolution 32 or 64)", e);
                    }
                    throw new UserError(e.getMessage() + " (data " + dataName + "; set resolution to "
                            + (cfg.model.equals("sndcgan") ? "32 or 64" : "28, 32 or 64") + ")", e);
                }
            }
            case "progan": {
                ProganConfig p = cfg.progan;
                p.channels = c;
                p.targetResolution = r;
                try {
                    return new ProganModel(p, mix);
                } catch (IllegalArgumentException e) {
                    throw new UserError(mix.gSle() && e.getMessage().contains("skip-layer excitation")
                            ? "mix.gSle does not apply to model progan here: " + e.getMessage() : e.getMessage(), e);
                }
            }
            case "fastgan":
                try {
                    return new FastganModel(cfg.fastgan, c, r, mix);
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage() + " (data " + dataName + "; FastGAN resolutions: "
                            + FastganConfig.RESOLUTIONS + ")", e);
                }
            case "gan":
                try {
                    // tricks.minibatchDiscrimination's kernel dimension is a dcgan setting (see mix()).
                    return new MlpGanModel(cfg.gan, c, r, mix);
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage() + " (data " + dataName + ")", e);
                }
            default:
                throw new UserError("model '" + cfg.model + "' is not available in this build");
        }
    }
}
