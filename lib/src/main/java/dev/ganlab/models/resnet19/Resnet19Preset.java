package dev.ganlab.models.resnet19;

import dev.ganlab.core.UserError;
import dev.ganlab.models.GanModel;
import dev.ganlab.models.ModelPreset;
import dev.ganlab.models.ModelSettings;
import dev.ganlab.models.TrainingDefaults;

import java.util.List;

/**
 * ResNet19's preset: the large-scale study's second architecture (Kurach et al., "A Large-Scale Study
 * of Regularization and Normalization in GANs", ICML 2019) with compare_gan's
 * {@code resnet_lsun-bedroom128.gin} settings, the table in {@link Resnet19Config}: WGAN-GP (lambda 10,
 * five critic steps: the loss's own values), Adam lr 1e-4 with betas (0.5, 0.9) for both networks, batch
 * 64, 3-channel data. Under WGAN-GP the model's Adam wins over the WGAN-GP paper's (0, 0.9); under
 * plain WGAN the WGAN paper's RMSprop applies, and any other loss keeps this Adam.
 */
public final class Resnet19Preset extends ModelPreset<Resnet19Config> {

    /** compare_gan's resnet19 (see the class comment). */
    public static final Resnet19Preset RESNET19 = new Resnet19Preset();

    private Resnet19Preset() {
        super("resnet19", "resnet19", Resnet19Config.class,
                TrainingDefaults.paper("Kurach et al., ICML 2019 (compare_gan resnet_lsun-bedroom128.gin)")
                        .loss(Resnet19Config.LOSS)
                        .optimizer(TrainingDefaults.Optimizer.adam(Resnet19Config.LEARNING_RATE, Resnet19Config.BETA1,
                                Resnet19Config.BETA2))
                        .ownLosses("wgan-gp")
                        .batch(Resnet19Config.BATCH_SIZE),
                List.of("tricks.minibatchDiscrimination"),
                List.of());
    }

    @Override
    public void validate(Resnet19Config section) {
        section.validate();
    }

    @Override
    public GanModel create(Resnet19Config section, ModelSettings run, int channels, int resolution, String dataName) {
        try {
            return new Resnet19Model(section, channels, resolution);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage() + " (data " + dataName + "; ResNet19 resolutions: a power of two from 4 to "
                    + Resnet19Config.MAX_RESOLUTION + ", 128 in the study)", e);
        }
    }
}
