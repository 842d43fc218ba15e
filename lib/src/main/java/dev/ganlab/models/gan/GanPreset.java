package dev.ganlab.models.gan;

import dev.ganlab.core.UserError;
import dev.ganlab.models.GanModel;
import dev.ganlab.models.ModelPreset;
import dev.ganlab.models.Mix;
import dev.ganlab.models.ModelSettings;
import dev.ganlab.models.TrainingDefaults;
import dev.ganlab.models.dcgan.DcganConfig;

import java.util.List;

/**
 * The fully connected GAN's preset: PyTorch-GAN's implementations/gan/gan.py (after Goodfellow et
 * al., NeurIPS 2014) — non-saturating loss, Adam lr 2e-4 (0.5, 0.999), batch 64. Minibatch
 * discrimination ({@code tricks.minibatchDiscrimination}) applies here; its kernel dimension is the
 * {@code dcgan.minibatchKernelDim} setting.
 */
public final class GanPreset extends ModelPreset<GanConfig> {

    /** PyTorch-GAN's gan.py (see the class comment). */
    public static final GanPreset GAN = new GanPreset();

    private GanPreset() {
        super("gan", "gan", GanConfig.class,
                TrainingDefaults.paper("Goodfellow et al., NeurIPS 2014; PyTorch-GAN gan.py").loss("ns")
                        .optimizer(TrainingDefaults.Optimizer.adam(GanConfig.LEARNING_RATE, GanConfig.BETA1,
                                GanConfig.BETA2))
                        .batch(GanConfig.BATCH_SIZE),
                List.of(),
                List.of("dcgan.minibatchKernelDim"));
    }

    @Override
    public void validate(GanConfig section) {
        section.validate();
    }

    @Override
    public GanModel create(GanConfig section, ModelSettings run, int channels, int resolution, String dataName) {
        try {
            // tricks.minibatchDiscrimination's kernel dimension is a dcgan setting (see ModelSettings.mix()).
            return new MlpGanModel(section, channels, resolution, run.mix());
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage() + " (data " + dataName + ")", e);
        }
    }
}
