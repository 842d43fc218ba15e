package dev.ganlab.models;

import dev.ganlab.core.UserError;
import dev.ganlab.data.ClassLabels;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.models.dcgan.ConditionalDcganModel;
import dev.ganlab.train.TrainConfig;

/** Builds class-conditional models for {@link Models} from the {@code cond} setting (issue 14). */
public final class ConditionalModels {

    private ConditionalModels() {}

    /** Whether the config asks for conditioning. */
    public static boolean conditional(TrainConfig cfg) {
        return Conditioning.parse(cfg.cond) != Conditioning.NONE;
    }

    /** @throws UserError when cond is set for a model without a conditional version */
    public static void checkModel(TrainConfig cfg) {
        if (conditional(cfg) && !cfg.model.equals("dcgan") && !cfg.model.equals("sndcgan")) {
            throw new UserError("cond=" + cfg.cond + " is available for dcgan and sndcgan, not " + cfg.model);
        }
    }

    /**
     * Before training: the data must be labelled with every class present; records the class count in
     * {@code cfg.condClasses} so that the run's saved config rebuilds the same model.
     */
    public static void checkData(TrainConfig cfg, ImageDataset data) {
        if (cfg.classBalanced) {
            ClassLabels.requireEveryClass(data, "classBalanced=true");
        }
        if (!conditional(cfg)) {
            return;
        }
        String purpose = "cond=" + cfg.cond;
        ClassLabels.requireEveryClass(data, purpose);
        int k = data.classNames().size();
        if (cfg.condClasses != 0 && cfg.condClasses != k) {
            throw new UserError(purpose + ": condClasses=" + cfg.condClasses + " but data set " + data.name() + " has "
                    + k + " classes");
        }
        cfg.condClasses = k;
    }

    /** The conditional DCGAN/SNDCGAN of a config ({@code cfg.dcgan.variant} already set). */
    public static GanModel dcgan(TrainConfig cfg, int channels, int resolution) {
        int k = cfg.condClasses > 0 ? cfg.condClasses
                : ClassLabels.classCount(Datasets.load(cfg.data), "cond=" + cfg.cond);
        return new ConditionalDcganModel(cfg.dcgan, channels, resolution, k, Conditioning.parse(cfg.cond));
    }
}
