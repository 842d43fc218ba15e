package dev.ganlab.models;

import dev.ganlab.core.UserError;
import dev.ganlab.data.ClassLabels;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.models.dcgan.ConditionalDcganModel;
import dev.ganlab.models.dcgan.DcganConfig;

/** Builds class-conditional models for {@link Models} from the {@code cond} setting (issue 14). */
public final class ConditionalModels {

    private ConditionalModels() {}

    /** Whether the settings ask for conditioning. */
    public static boolean conditional(ModelSettings cfg) {
        return Conditioning.parse(cfg.cond()) != Conditioning.NONE;
    }

    /**
     * Where conditioning fits the papers (issue 14), and why the other models refuse it:
     * <ul>
     *   <li>dcgan, sndcgan: concat, acgan and projection (Mirza &amp; Osindero 2014; Odena et al. 2017; Miyato
     *       &amp; Koyama 2018, whose experiments pair projection with SNGAN's networks);
     *   <li>progan: the paper's results are unconditional, but its official code (tkarras/progressive_growing_of_gans)
     *       takes labels: a one-hot label concatenated to the latent before G's first pixel norm, and
     *       {@code 1 + K} outputs on D's last dense layer, a score and class logits trained with WGAN-GP plus
     *       AC-GAN's cross-entropy ({@code cond_weight} 1, on reals and fakes for D, on fakes for G). That is
     *       this project's {@code acgan} on ProGAN's networks; it is not built yet, so {@code cond} is refused
     *       with that message rather than approximated;
     *   <li>fastgan: unconditional in the paper and in its official code (a few-shot method for 100-1000 images
     *       of one kind); refused;
     *   <li>gan, resnet19: no conditional version.
     * </ul>
     *
     * @throws UserError naming the setting and the model when cond is set for a model without a conditional version
     */
    public static void checkModel(ModelSettings cfg) {
        String model = cfg.modelName();
        if (!conditional(cfg) || model.equals("dcgan") || model.equals("sndcgan")) {
            return;
        }
        String why = switch (model) {
            case "progan" -> ": ProGAN's official code conditions with a one-hot label on the latent and an AC-GAN"
                    + " class output on D (the acgan method on ProGAN's networks), which GAN Lab does not build yet";
            case "fastgan" -> ": FastGAN is unconditional in its paper and official code (few-shot training on one"
                    + " kind of image)";
            default -> "";
        };
        throw new UserError("cond=" + cfg.cond() + " is not available for model " + model + why
                + "; class conditioning (concat, acgan, projection) is available for dcgan and sndcgan");
    }

    /**
     * Before training: the data must be labelled with every class present; records the class count
     * ({@code condClasses}) so that the run's saved config rebuilds the same model.
     */
    public static void checkData(ModelSettings cfg, ImageDataset data) {
        if (cfg.classBalanced()) {
            ClassLabels.requireEveryClass(data, "classBalanced=true");
        }
        if (!conditional(cfg)) {
            return;
        }
        String purpose = "cond=" + cfg.cond();
        ClassLabels.requireEveryClass(data, purpose);
        int k = data.classNames().size();
        if (cfg.condClasses() != 0 && cfg.condClasses() != k) {
            throw new UserError(purpose + ": condClasses=" + cfg.condClasses() + " but data set " + data.name() + " has "
                    + k + " classes");
        }
        cfg.recordCondClasses(k);
    }

    /** The conditional DCGAN/SNDCGAN of the settings. */
    public static GanModel create(ModelSettings cfg, int channels, int resolution, String dataName) {
        DcganConfig d = (DcganConfig) cfg.section("dcgan");
        d.variant = cfg.modelName();
        int k = cfg.condClasses() > 0 ? cfg.condClasses()
                : ClassLabels.classCount(Datasets.load(cfg.dataSpec()), "cond=" + cfg.cond());
        try {
            return new ConditionalDcganModel(d, channels, resolution, k, Conditioning.parse(cfg.cond()));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage() + " (data " + dataName + "; set resolution to "
                    + (d.variant.equals("sndcgan") ? "32 or 64" : "28, 32 or 64") + ")", e);
        }
    }
}
