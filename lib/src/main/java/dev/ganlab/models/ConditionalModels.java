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

    /** @throws UserError when cond is set for a model without a conditional version */
    public static void checkModel(ModelSettings cfg) {
        String model = cfg.modelName();
        if (conditional(cfg) && !model.equals("dcgan") && !model.equals("sndcgan")) {
            throw new UserError("cond=" + cfg.cond() + " is available for dcgan and sndcgan, not " + model);
        }
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
