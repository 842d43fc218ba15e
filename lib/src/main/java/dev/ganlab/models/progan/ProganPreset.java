package dev.ganlab.models.progan;

import dev.ganlab.core.UserError;
import dev.ganlab.models.GanModel;
import dev.ganlab.models.ModelPreset;
import dev.ganlab.models.Mix;
import dev.ganlab.models.ModelSettings;
import dev.ganlab.models.ResolveContext;
import dev.ganlab.models.TrainingDefaults;

import java.util.List;
import java.util.Locale;

/**
 * ProGAN's preset: Karras et al., "Progressive Growing of GANs" (ICLR 2018), appendix A.1 — WGAN-GP
 * (lambda 10) with the drift term 0.001, one critic step per generator step, Adam lr 0.001, betas
 * (0, 0.99), eps 1e-8, generator EMA 0.999. The minibatch size is per resolution
 * ({@code progan.minibatch}); {@code batch} is the fallback for a resolution missing there. Under
 * plain WGAN ProGAN keeps its single critic step but takes WGAN's RMSprop (the loss it did not use).
 *
 * <p>Resolution rule: the data is loaded at the target resolution ({@code resolution}, default
 * {@code progan.targetResolution}) and pooled down to each stage.
 *
 * <p>Class conditioning ({@code cond}) is refused for ProGAN with a message naming the setting: the paper's
 * results are unconditional; its official code's label support (one-hot label on the latent, an AC-GAN class
 * output on D, {@code cond_weight} 1) is not built here yet (see {@code ConditionalModels#checkModel}).
 */
public final class ProganPreset extends ModelPreset<ProganConfig> {

    /** Karras et al. 2018 (see the class comment). */
    public static final ProganPreset PROGAN = new ProganPreset();

    private ProganPreset() {
        super("progan", "progan", ProganConfig.class,
                TrainingDefaults.paper("Karras et al., ICLR 2018, appendix A.1").loss("wgan-gp")
                        .nCritic(ProganConfig.N_CRITIC)
                        .optimizer(TrainingDefaults.Optimizer.adam(ProganConfig.LEARNING_RATE, ProganConfig.ADAM_BETA1,
                                ProganConfig.ADAM_BETA2).eps(ProganConfig.ADAM_EPS))
                        .ownLosses("wgan-gp")
                        .emaDecay(ProganConfig.G_EMA_DECAY)
                        .drift(ProganConfig.DRIFT_WEIGHT),
                // Minibatch discrimination (tricks.minibatchDiscrimination) applies too: models.Mix adds
                // Salimans et al.'s layer before D's output, beside ProGAN's own minibatch stddev.
                List.of(),
                List.of());
    }

    @Override
    public void resolve(ProganConfig section, ResolveContext run) {
        if (run.resolution == null) {
            run.resolution = section.targetResolution;
        }
        section.targetResolution = run.resolution;
    }

    @Override
    public void validate(ProganConfig section) {
        section.validate();
    }

    @Override
    public GanModel create(ProganConfig section, ModelSettings run, int channels, int resolution, String dataName) {
        section.channels = channels;
        section.targetResolution = resolution;
        Mix mix = run.mix();
        try {
            return new ProganModel(section, mix);
        } catch (IllegalArgumentException e) {
            throw new UserError(mix.gSle() && e.getMessage().contains("skip-layer excitation")
                    ? "mix.gSle does not apply to model progan here: " + e.getMessage() : e.getMessage(), e);
        }
    }

    /** Straight to the target resolution: one image per phase below it, then alpha = 1. */
    @Override
    public void fullSizeFromStart(ProganConfig section, int resolution) {
        section.fadeInImages = 1;
        section.stabiliseImages = 1;
        section.minibatch = new java.util.TreeMap<>();
        section.targetResolution = resolution;
    }

    /**
     * For a run whose steps end before the schedule has grown to the target resolution (the default
     * 2000 steps cover a fraction of the paper's 800k-image phases), how many steps growing takes.
     */
    @Override
    public String planNote(ProganConfig p, int steps, int batch, int nCritic) {
        long grown = ProganSchedule.of(p).growthEnd();
        int needed = p.stepsToShow(grown, batch, nCritic);
        if (steps >= needed) {
            return null;
        }
        return String.format(Locale.ROOT, "note: progan reaches %d px (fully faded in) after %,d images = %,d steps;"
                + " this run stops at step %,d. Set --steps, or shorten progan.fadeInImages (%,d) and"
                + " progan.stabiliseImages (%,d) with --set.", p.targetResolution, grown, needed, steps,
                p.fadeInImages, p.stabiliseImages);
    }
}
