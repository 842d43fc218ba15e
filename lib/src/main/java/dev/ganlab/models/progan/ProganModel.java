package dev.ganlab.models.progan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.models.GanModel;
import dev.ganlab.models.Mix;
import dev.ganlab.models.progan.ProganSchedule.Stage;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ProGAN (Karras et al., "Progressive Growing of GANs for Improved Quality, Stability, and
 * Variation", ICLR 2018): generator and discriminator grow from 4x4 to the target resolution by
 * fading in one block per doubling, on the schedule of {@link ProganSchedule}.
 *
 * <p>Both networks are built for the target resolution at construction ({@link ProganGenerator},
 * {@link ProganDiscriminator}), so the parameter set never changes; the model holds the stage
 * (resolution, phase, alpha) and routes every forward pass through the active layers. The stage
 * lives here, not in the blocks, so {@link #generate} applies it to any generator passed in, the
 * EMA copy from {@link #newGenerator()} included.
 *
 * <p>How the training loop drives it:
 * <ol>
 *   <li>Load data at {@link #targetImageShape()}; each batch of reals goes through
 *       {@link #prepareReals} (down to the current resolution, faded as the fakes are).
 *   <li>After each step call {@link #onImagesShown} with the total real images shown; when it returns
 *       true a new resolution began and Adam's state should be reset (as the official code does).
 *       On resume, call it once with the restored count before restoring optimiser state, or ignore
 *       what that first call returns: it compares with the fresh model's 4x4 stage.
 *   <li>Take the batch size from {@link #batchSize(int)} at each step.
 * </ol>
 * Layers of resolutions not yet reached get no gradient (zero); with Adam state reset at each new
 * resolution they stay untouched until their fade-in.
 */
public final class ProganModel implements GanModel {

    /** The model's name. */
    public static final String NAME = "progan";

    private final ProganConfig cfg;
    private final Mix mix;
    private final ProganSchedule schedule;
    private final ProganGenerator generator;
    private final ProganDiscriminator discriminator;
    private Stage stage;
    private long imagesShown;

    /** A model for a copy of {@code cfg} (validated; later changes to cfg do not reach the model). */
    public ProganModel(ProganConfig cfg) {
        this(cfg, Mix.NONE);
    }

    /**
     * The model with components of other families ({@link Mix}): spectral norm and minibatch
     * discrimination in D ({@link ProganDiscriminator}), skip-layer excitation in G
     * ({@link ProganGenerator}). Minibatch stddev is ProGAN's own, {@code progan.mbstdGroupSize}.
     */
    public ProganModel(ProganConfig cfg, Mix mix) {
        cfg.validate();
        if (mix.mbstd()) {
            throw new IllegalArgumentException("ProGAN has minibatch stddev already: set progan.mbstdGroupSize, not mix.dMbstd");
        }
        this.cfg = cfg.copy();
        this.mix = mix;
        this.schedule = ProganSchedule.of(this.cfg);
        this.generator = new ProganGenerator(this.cfg, mix.gSle());
        this.discriminator = new ProganDiscriminator(this.cfg, mix);
        this.stage = schedule.at(0);
    }

    /** A model for {@code cfg} with channels and target resolution taken from the data set. */
    public ProganModel(ProganConfig cfg, int channels, int resolution) {
        this(withData(cfg, channels, resolution));
    }

    private static ProganConfig withData(ProganConfig cfg, int channels, int resolution) {
        ProganConfig c = cfg.copy();
        c.channels = channels;
        c.targetResolution = resolution;
        return c;
    }

    /** The model's own copy of the config (do not modify). */
    public ProganConfig config() {
        return cfg;
    }

    /** The growth schedule (pure function of images shown). */
    public ProganSchedule schedule() {
        return schedule;
    }

    /** The current stage. */
    public Stage currentStage() {
        return stage;
    }

    /** The image count last passed to {@link #onImagesShown}. */
    public long imagesShown() {
        return imagesShown;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProganGenerator generator() {
        return generator;
    }

    @Override
    public ProganDiscriminator discriminator() {
        return discriminator;
    }

    @Override
    public ProganGenerator newGenerator() {
        return new ProganGenerator(cfg, mix.gSle());
    }

    @Override
    public Shape latentShape(int batch) {
        return new Shape(batch, cfg.latentSize);
    }

    /** {@code (C, R, R)} at the current resolution R. */
    @Override
    public Shape imageShape() {
        return new Shape(cfg.channels, stage.resolution(), stage.resolution());
    }

    /** {@code (C, T, T)}: the resolution training data should be loaded at. */
    public Shape targetImageShape() {
        return new Shape(cfg.channels, cfg.targetResolution, cfg.targetResolution);
    }

    @Override
    public void initializeGenerator(Block g, NDManager manager) {
        asGenerator(g).initialize(manager, DataType.FLOAT32, latentShape(2));
    }

    @Override
    public void initializeDiscriminator(NDManager manager) {
        discriminator.initialize(manager, DataType.FLOAT32,
                new Shape(2, cfg.channels, cfg.targetResolution, cfg.targetResolution));
    }

    /**
     * Runs {@code g} (this model's generator or a copy from {@link #newGenerator()}) at the current
     * stage: {@code (N, C, R, R)}. The last layer is linear as in the paper, so values are trained
     * towards the data's [-1, 1] but not clamped there; clip before saving images or computing metrics.
     */
    @Override
    public NDArray generate(Block g, ParameterStore ps, NDArray z, boolean training) {
        return generate(g, ps, z, training, stage);
    }

    /** Runs {@code g} at any stage, e.g. to show what each resolution of a trained model makes. */
    public NDArray generate(Block g, ParameterStore ps, NDArray z, boolean training, Stage at) {
        return asGenerator(g).forward(ps, z, training, at);
    }

    /** Scores images at the current stage; {@code real} makes no difference to ProGAN. */
    @Override
    public DiscriminatorOutput discriminate(ParameterStore ps, NDArray images, boolean training, boolean real) {
        return discriminate(ps, images, training, stage);
    }

    /** Scores images {@code (N, C, R, R)} at any stage. */
    public DiscriminatorOutput discriminate(ParameterStore ps, NDArray images, boolean training, Stage at) {
        NDList out = discriminator.forward(ps, images, training, at);
        return DiscriminatorOutput.of(out.get(0), out.get(1));
    }

    /**
     * Reals {@code (N, C, S, S)} at the target resolution (or any power-of-two multiple of the current
     * one) to the current stage: average-pooled to {@code (N, C, R, R)} and, during a fade-in, blended
     * with their R/2 version as the fakes are ({@link FadeIn#realsAt}).
     */
    @Override
    public NDArray prepareReals(NDArray reals) {
        Shape s = reals.getShape();
        if (s.dimension() != 4 || s.get(1) != cfg.channels) {
            throw new IllegalArgumentException("ProGAN reals must be (N, " + cfg.channels + ", S, S), got " + s);
        }
        return FadeIn.realsAt(reals, stage);
    }

    /**
     * Moves the stage to {@code schedule().at(images)}; returns true when the resolution changed
     * (and, with {@code resetOptimiserAtStabilise}, also when a fade-in ended).
     */
    @Override
    public boolean onImagesShown(long images) {
        Stage next = schedule.at(images);
        boolean reset = next.resolution() != stage.resolution()
                || (cfg.resetOptimiserAtStabilise && next.phase() != stage.phase());
        stage = next;
        imagesShown = images;
        return reset;
    }

    /** True when the start resolution is below the target. */
    @Override
    public boolean grows() {
        return cfg.startResolution < cfg.targetResolution;
    }

    /** {@code schedule().at(images).resolution()}. */
    @Override
    public int resolutionAt(long images) {
        return schedule.at(images).resolution();
    }

    /**
     * The minibatch for the current resolution from {@code progan.minibatch}, or {@code configured}
     * where the map has none.
     *
     * @throws IllegalArgumentException when that batch cannot be split into mbstd groups
     */
    @Override
    public int batchSize(int configured) {
        Integer b = cfg.minibatch.get(stage.resolution());
        int batch = b != null ? b : configured;
        if (batch < 1) {
            throw new IllegalArgumentException("batch size " + batch + " must be >= 1");
        }
        cfg.checkBatchFitsMbstd(batch, "batch size at " + stage.resolution() + "px");
        return batch;
    }

    /** E.g. "32px fade-in alpha=0.41". */
    @Override
    public String stage() {
        return stage.describe();
    }

    /** {resolution, alpha, lod} of the current stage. */
    @Override
    public Map<String, Double> stageMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("resolution", (double) stage.resolution());
        m.put("alpha", stage.alpha());
        m.put("lod", stage.lod(cfg.targetResolution));
        return m;
    }

    private ProganGenerator asGenerator(Block g) {
        if (!(g instanceof ProganGenerator pg)) {
            throw new IllegalArgumentException("expected a ProGAN generator (from generator() or newGenerator()), got "
                    + (g == null ? null : g.getClass().getName()));
        }
        ProganConfig other = pg.config();
        if (other.targetResolution != cfg.targetResolution || other.latentSize != cfg.latentSize
                || other.channels != cfg.channels) {
            throw new IllegalArgumentException("this generator was built for another ProGAN model (" + pg
                    + "); use this model's generator() or newGenerator()");
        }
        return pg;
    }
}
