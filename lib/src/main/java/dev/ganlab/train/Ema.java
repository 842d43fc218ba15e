package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.StepScope;
import dev.ganlab.core.UserError;
import dev.ganlab.data.Permutations;
import dev.ganlab.models.GanModel;
import dev.ganlab.nn.BatchNorm;

import java.util.ArrayList;
import java.util.List;

/**
 * Exponential moving average of the generator's weights (Karras et al., ProGAN 2018; Yazici et al.,
 * 2019): samples from the averaged generator are smoother and usually score better than the
 * oscillating raw weights.
 *
 * <p>theta_ema = beta_t theta_ema + (1 - beta_t) theta with beta_t = min(beta, (1 + t) / (10 + t)):
 * the warm-up (as TensorFlow's ExponentialMovingAverage with num_updates) keeps a short run's average
 * from being dominated by the random initial weights (0.999^600 = 0.55). Non-trained parameters
 * (batch-norm running statistics, spectral-norm vectors) are copied.
 *
 * <p><b>Half-life in images</b> ({@code emaHalfLifeKimg}, stylegan2-ada-pytorch's {@code ema_kimg},
 * Karras et al., 2020, "Training Generative Adversarial Networks with Limited Data", {@code
 * training_loop.py}): instead of a constant beta, {@code beta = 0.5^(batch / (kimg * 1000))} at each
 * update, so the average forgets half its weight after {@code kimg} thousand images whatever the batch
 * size; ProGAN's batch, which shrinks with the resolution, then needs no per-profile decay. As in
 * stylegan2-ada there is no warm-up in this mode (its {@code ema_rampup}, off by default there, is not
 * offered). Off by default (0): the paper's constant decay with the warm-up above stays the default.
 *
 * <p><b>Batch-norm statistics of the average.</b> Averaged weights normalised with the raw
 * generator's running statistics are a mismatch: the averaged network's layers see other activations
 * than the raw network's, so its samples are normalised with another network's means and variances.
 * Before the EMA generator samples, is scored or is checkpointed, {@link #recalibrateBatchNorm}
 * therefore re-estimates its running statistics from its own activations ("precise BN", see
 * {@link BatchNorm#reestimate}): {@code emaBatchNormLatents} fresh latents (default
 * {@value TrainConfig#EMA_BATCH_NORM_LATENTS}, rounded up to whole training batches) go through the
 * EMA generator in training mode and each layer's running mean and variance become the exact means of
 * its batch statistics over those batches. The latents come from a seed fixed per run, so the result
 * is a function of the EMA weights alone and a resumed run gets the same statistics. Cost:
 * {@code latents / batch} generator forward passes without gradients, once per step at which the EMA
 * generator is used (sample grid, evaluation, checkpoint share one). Measured on a shared 2-core CPU
 * with the paper's DCGAN layout at 32 px, batch 64: 1,024 latents took 16-20 s where one training step took
 * 12-13 s, so the default 512 is about 0.7 of a step, under 0.3% of a run that samples every 250
 * steps; FastGAN's batch of 8 makes it 64 generator batches. The copied statistics of
 * {@link #update} are placeholders in between.
 *
 * <p>What others do: stylegan2-ada-pytorch copies G's buffers into G_ema at every step (StyleGAN has
 * no batch norm, so its buffers hold no such statistics). FastGAN's official code averages
 * {@code netG.parameters()} only (buffers stay with netG), draws its EMA sample grids with the averaged
 * weights loaded into netG while netG is still in training mode - batch norm then uses the statistics
 * of the sample batch itself - and its {@code eval.py} loads the raw {@code 'g'} weights, with the
 * lines that would load {@code 'g_ema'} and call {@code eval()} commented out; it does not re-estimate
 * the running statistics anywhere. Here samples and scores use the EMA generator in inference mode,
 * so they must not depend on which other images share a batch: hence re-estimated running statistics
 * rather than per-batch ones. {@code emaBatchNormLatents = 0} keeps the copied raw statistics (the
 * behaviour before, and stylegan2-ada's buffer copy).
 */
public final class Ema {

    private final float decay;
    /** Half-life in thousands of images, or 0 for the constant {@link #decay}. */
    private final float halfLifeKimg;
    private final List<NDArray> target = new ArrayList<>();
    private final List<NDArray> source = new ArrayList<>();
    private final List<Boolean> trained = new ArrayList<>();

    /** Pairs the parameters of {@code ema} with those of {@code g} (same architecture, both initialised). */
    public Ema(Block g, Block ema, float decay) {
        this(g, ema, decay, 0f);
    }

    /**
     * Like {@link #Ema(Block, Block, float)}, with beta from a half-life of {@code halfLifeKimg}
     * thousand images when it is above 0 (see the class comment); {@code decay} is then unused.
     */
    public Ema(Block g, Block ema, float decay, float halfLifeKimg) {
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay " + decay + " must be in (0, 1)");
        }
        checkSettings(decay, halfLifeKimg);
        this.decay = decay;
        this.halfLifeKimg = halfLifeKimg;
        var gp = g.getParameters();
        var ep = ema.getParameters();
        if (gp.size() != ep.size()) {
            throw new IllegalArgumentException("EMA generator has " + ep.size() + " parameters, generator " + gp.size());
        }
        for (int i = 0; i < gp.size(); i++) {
            Pair<String, Parameter> a = gp.get(i);
            Pair<String, Parameter> b = ep.get(i);
            if (!a.getKey().equals(b.getKey()) || !a.getValue().getArray().getShape().equals(b.getValue().getArray().getShape())) {
                throw new IllegalArgumentException("EMA generator parameter " + b.getKey() + " does not match " + a.getKey());
            }
            source.add(a.getValue().getArray());
            target.add(b.getValue().getArray());
            trained.add(a.getValue().requiresGradient());
        }
    }

    /** Makes the average equal to the current weights. */
    public void copyFromSource() {
        try (NDScope scope = new NDScope()) {
            for (int i = 0; i < target.size(); i++) {
                target.get(i).muli(0).addi(source.get(i));
            }
        }
    }

    /**
     * Checks the EMA settings together; a UserError names the key. A half-life needs the EMA generator,
     * which {@code emaDecay = 0} turns off.
     */
    public static void checkSettings(float emaDecay, float halfLifeKimg) {
        if (!(halfLifeKimg >= 0) || Float.isInfinite(halfLifeKimg)) {
            throw new UserError("config: emaHalfLifeKimg " + halfLifeKimg + " must be a finite number >= 0"
                    + " (0 = the constant emaDecay)");
        }
        if (halfLifeKimg > 0 && emaDecay == 0) {
            throw new UserError("config: emaHalfLifeKimg " + halfLifeKimg + " needs the EMA generator, but"
                    + " emaDecay = 0 turns it off (leave emaDecay unset)");
        }
    }

    /** stylegan2-ada's beta for a batch of {@code batch} images and a half-life of {@code kimg} thousand images. */
    public static float halfLifeBeta(int batch, double kimg) {
        return (float) Math.pow(0.5, batch / (kimg * 1000.0));
    }

    /** The decay used at update number {@code t} (0-based), after the warm-up. */
    public float decayAt(long t) {
        return Math.min(decay, (1f + t) / (10f + t));
    }

    /**
     * Re-estimates the batch-norm running statistics of {@code g} (the EMA generator) from its own
     * activations on {@code ceil(latents / batch)} batches of {@code batch} latents drawn with
     * {@code seed} (see the class comment). Grad mode is off; arrays live in sub-managers of
     * {@code parent} closed batch by batch.
     *
     * @return the number of latents used, or 0 when {@code g} has no batch norm (nothing is run)
     */
    public static int recalibrateBatchNorm(GanModel model, Block g, ParameterStore ps, NDManager parent,
            int latents, int batch, long seed) {
        if (latents < 1 || batch < 1) {
            throw new IllegalArgumentException("batch-norm recalibration needs latents and batch >= 1, got "
                    + latents + " and " + batch);
        }
        GanLab.noGradOnThisThread();
        int batches = (latents + batch - 1) / batch;
        int layers = BatchNorm.reestimate(g, batches, i -> {
            // StepScope, not NDScope: it keeps the Java buffers of scalar operands alive (see StepScope).
            try (NDManager sm = parent.newSubManager(); StepScope scope = new StepScope()) {
                GanLab.seedEngine(Permutations.mix(seed, i));
                model.generate(g, ps, model.sampleLatent(sm, batch), true);
            }
        });
        return layers == 0 ? 0 : batches * batch;
    }

    /** The seed of a run's recalibration latents (one fixed stream per run, see the class comment). */
    public static long recalibrationSeed(long runSeed) {
        return Permutations.mix(runSeed, RECALIBRATION_SALT);
    }

    private static final long RECALIBRATION_SALT = 0x454D41424EL; // "EMABN"

    /** One averaging step with the constant decay; {@code t} is the number of updates made before this one. */
    public void update(long t) {
        update(t, 0);
    }

    /**
     * One averaging step after a training step that showed {@code images} real images (nCritic
     * batches: the clock of the history's {@code images} column); {@code t} is the number of updates
     * made before this one. The images matter only with a half-life.
     */
    public void update(long t, int images) {
        float b = halfLifeKimg > 0 ? halfLifeBeta(images, halfLifeKimg) : decayAt(t);
        try (NDScope scope = new NDScope()) {
            for (int i = 0; i < target.size(); i++) {
                NDArray e = target.get(i);
                if (trained.get(i)) {
                    e.muli(b).addi(source.get(i).mul(1f - b));
                } else {
                    e.muli(0).addi(source.get(i));
                }
            }
        }
    }
}
