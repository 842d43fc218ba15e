package dev.ganlab.models;

import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.models.dcgan.DcganConfig;
import dev.ganlab.models.dcgan.DcganModel;
import dev.ganlab.models.fastgan.FastganConfig;
import dev.ganlab.models.fastgan.FastganModel;
import dev.ganlab.models.progan.ProganConfig;
import dev.ganlab.models.progan.ProganModel;
import dev.ganlab.train.TrainConfig;

/** Builds the model a training config names, sized for its data. */
public final class Models {

    private Models() {}

    /** The model of a resolved config for images like {@code data}'s. */
    public static GanModel create(TrainConfig cfg, ImageDataset data) {
        int c = data.channels();
        int r = data.height();
        if (data.height() != data.width()) {
            throw new UserError(data.name() + " images are " + data.width() + "x" + data.height()
                    + "; GAN Lab models need square images: set resolution");
        }
        switch (cfg.model) {
            case "dcgan":
            case "sndcgan": {
                DcganConfig d = cfg.dcgan;
                d.variant = cfg.model;
                try {
                    return new DcganModel(d, c, r);
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage() + " (data " + data.name() + "; set resolution to 28, 32 or 64)", e);
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
                    throw new UserError(e.getMessage() + " (data " + data.name() + "; FastGAN resolutions: "
                            + FastganConfig.RESOLUTIONS + ")", e);
                }
            default:
                throw new UserError("model '" + cfg.model + "' is not available in this build");
        }
    }
}
