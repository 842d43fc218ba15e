package dev.ganlab.models.fastgan;

import dev.ganlab.core.UserError;
import dev.ganlab.models.GanModel;
import dev.ganlab.models.ModelPreset;
import dev.ganlab.models.Mix;
import dev.ganlab.models.ModelSettings;
import dev.ganlab.models.TrainingDefaults;

import java.util.List;

/**
 * FastGAN's preset: Liu et al., "Towards Faster and Stabilized GAN Training for High-fidelity Few-shot
 * Image Synthesis" (ICLR 2021) and its official train.py — hinge loss, Adam lr 2e-4 (0.5, 0.999), batch 8,
 * generator EMA 0.999, DiffAugment color,translation, and one generator forward per iteration: the
 * generator's update scores the images (augmented once) that the critic update scored detached
 * ({@code generatorFakes=reuse}). Where the paper and the official code differ, the code is followed,
 * because it is what trained the paper's reported models: the hinge margin is drawn from U(0.8, 1) per
 * batch ({@code hingeMargin=random}; the paper's hinge has margin 1, {@code hingeMargin=fixed}) and SLE's
 * nonlinearity is Swish ({@code fastgan.sleActivation}; the paper's LeakyReLU(0.1) is {@code leaky_relu}).
 * One deviation from the code by default: the decoders' reconstruction distance is 4 x the per-image MSE instead of
 * LPIPS (VGG), whose weights cannot be loaded offline (calibration in {@link ReconstructionLoss#MSE_TO_LPIPS});
 * {@code --set fastgan.reconLoss=lpips=PATH} with a TorchScript LPIPS is the official loss (summed over
 * the batch, weight 1).
 *
 * <p>FastGAN is unconditional, in the paper and in its official code (few-shot training on 100-1000 images of
 * one kind); {@code cond} other than none is refused with a message naming the setting and the model (see
 * {@code ConditionalModels#checkModel}). To draw a few-shot subset, pick it with the data spec instead
 * ({@code emoji:smileys}, {@code fashion-mnist?classes=7}).
 */
public final class FastganPreset extends ModelPreset<FastganConfig> {

    /** Liu et al. 2021 (see the class comment). */
    public static final FastganPreset FASTGAN = new FastganPreset();

    private FastganPreset() {
        super("fastgan", "fastgan", FastganConfig.class,
                TrainingDefaults.paper("Liu et al., ICLR 2021; official train.py").loss("hinge")
                        .optimizer(TrainingDefaults.Optimizer.adam(FastganConfig.LEARNING_RATE, FastganConfig.BETA1,
                                FastganConfig.BETA2))
                        .ownLosses("hinge")
                        .batch(FastganConfig.BATCH_SIZE)
                        .emaDecay(FastganConfig.EMA_DECAY)
                        .augment(FastganConfig.DIFFAUGMENT_POLICY)
                        .hingeMargin("random")
                        .generatorFakes("reuse"),
                // Minibatch discrimination applies too: models.Mix adds it on D's 8x8 map (nn.MinibatchDiscriminationMap).
                List.of(),
                List.of());
    }

    @Override
    public void validate(FastganConfig section) {
        section.validate();
    }

    @Override
    public GanModel create(FastganConfig section, ModelSettings run, int channels, int resolution, String dataName) {
        try {
            return new FastganModel(section, channels, resolution, run.mix());
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage() + " (data " + dataName + "; FastGAN resolutions: "
                    + FastganConfig.RESOLUTIONS + ")", e);
        }
    }
}
