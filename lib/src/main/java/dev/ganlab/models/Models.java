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
        ConditionalModels.checkData(cfg, data); // issue 14: labels present, every class has images
        return create(cfg, data.channels(), data.height(), data.name());
    }

    /** The model of a resolved config for square images of {@code c} channels and size {@code r}. */
    public static GanModel create(TrainConfig cfg, int c, int r, String dataName) {
        ConditionalModels.checkModel(cfg); // issue 14: cond only where a conditional model exists
        switch (cfg.model) {
            case "dcgan":
            case "sndcgan": {
                DcganConfig d = cfg.dcgan;
                d.variant = cfg.model;
                try {
                    if (ConditionalModels.conditional(cfg)) { // issue 14
                        return ConditionalModels.dcgan(cfg, c, r);
                    }
                    return new DcganModel(d, c, r);
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage() + " (data " + dataName + "; set resolution to "
                            + (cfg.model.equals("sndcgan") ? "32 or 64" : "28, 32 or 64") + ")", e);
                }
            }
            case "progan": {
                ProganConfig p = cfg.progan;
                p.channels = c;
                p.targetResolution = r;
                try {
                    return new ProganModel(p);
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage(), e);
                }
            }
            case "fastgan":
                try {
                    return new FastganModel(cfg.fastgan, c, r);
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage() + " (data " + dataName + "; FastGAN resolutions: "
                            + FastganConfig.RESOLUTIONS + ")", e);
                }
            case "gan":
                try {
                    // tricks.minibatchDiscrimination applies here too; its kernel dimension is a dcgan setting.
                    return new MlpGanModel(cfg.gan, c, r, cfg.tricks.minibatchDiscrimination,
                            cfg.dcgan.minibatchKernelDim);
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage() + " (data " + dataName + ")", e);
                }
            default:
                throw new UserError("model '" + cfg.model + "' is not available in this build");
        }
    }
}
