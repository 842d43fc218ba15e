package dev.ganlab.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.ganlab.data.ImageDataset;

/**
 * A generator/discriminator pair as the training loop sees it. Models own their architecture and any
 * stage state (ProGAN's resolution and fade-in); losses, optimisers and the loop live in
 * {@code dev.ganlab.train} and {@code dev.ganlab.loss} and work with any model.
 *
 * <p>All parameters exist from construction on (ProGAN builds every resolution's layers up front and
 * routes through the active ones), so optimiser state and checkpoints see a fixed parameter set.
 */
public interface GanModel extends AutoCloseable {

    /** Short name, e.g. "dcgan". */
    String name();

    /** The generator being trained. */
    Block generator();

    /** The discriminator (critic). */
    Block discriminator();

    /** A new, uninitialised generator of the same architecture (the EMA copy). */
    Block newGenerator();

    /** Shape of a batch of latent vectors. */
    Shape latentShape(int batch);

    /** Shape {@code (C, H, W)} of the images the generator currently produces. */
    Shape imageShape();

    /** Initialises the parameters of a generator made by this model (or {@link #generator()}). */
    void initializeGenerator(Block g, NDManager manager);

    /** Initialises the discriminator's parameters. */
    void initializeDiscriminator(NDManager manager);

    /**
     * Hands the model its training images before {@link #initializeDiscriminator}, for a discriminator
     * that keeps a fixed batch of them (virtual batch norm's reference batch, {@code dcgan.dNorm=vbn});
     * {@code seed} chooses which. Default: nothing to keep.
     */
    default void useTrainingImages(ImageDataset data, long seed) {}

    /** Draws a batch of latents in {@code manager} from the engine's generator (N(0, I) by default). */
    default NDArray sampleLatent(NDManager manager, int batch) {
        return manager.randomNormal(latentShape(batch));
    }

    /** Runs generator {@code g} (this model's or its EMA copy) on latents; images in [-1, 1]. */
    NDArray generate(Block g, ParameterStore ps, NDArray z, boolean training);

    /** Runs the discriminator on images; {@code real} tells it whether they are training data. */
    DiscriminatorOutput discriminate(ParameterStore ps, NDArray images, boolean training, boolean real);

    /**
     * Every image the generator makes for the discriminator, the main one ({@link #generate}) first;
     * models whose generator also makes other sizes (FastGAN's 128 px output) return those after it.
     * Default: the main image alone.
     */
    default NDList generateViews(Block g, ParameterStore ps, NDArray z, boolean training) {
        return new NDList(generate(g, ps, z, training));
    }

    /** Scores images as {@link #generateViews} returns them (each already augmented); default: the first alone. */
    default DiscriminatorOutput discriminateViews(ParameterStore ps, NDList views, boolean training, boolean real) {
        if (views.size() != 1) {
            throw new IllegalArgumentException(name() + " takes one image batch, got " + views.size());
        }
        return discriminate(ps, views.get(0), training, real);
    }

    /**
     * Whether the discriminator's output for an image depends on the rest of its batch (batch norm in
     * training mode). Such a discriminator must see real and fake images in one batch: normalised
     * separately, an all-real and an all-fake batch both come out with zero mean and unit variance per
     * channel, and with few spatial positions left the discriminator cannot tell them apart (seen: a
     * 16 px DCGAN with batch norm stuck at d_loss = 2 ln 2).
     */
    default boolean discriminatorUsesBatchStatistics() {
        return false;
    }

    /**
     * Scores real and fake images in one batch (see {@link #discriminatorUsesBatchStatistics}) and
     * returns {real output, fake output}. The default concatenates, calls {@link #discriminate} and
     * splits logits and features; models with auxiliary losses on reals override it.
     */
    default DiscriminatorOutput[] discriminateJoint(ParameterStore ps, NDArray reals, NDArray fakes, boolean training) {
        long n = reals.getShape().get(0);
        DiscriminatorOutput both = discriminate(ps, reals.concat(fakes, 0), training, false);
        NDArray f = both.features();
        return new DiscriminatorOutput[] {
            DiscriminatorOutput.of(both.logits().get("0:" + n), f == null ? null : f.get("0:" + n)),
            DiscriminatorOutput.of(both.logits().get(n + ":"), f == null ? null : f.get(n + ":"))
        };
    }

    /** Brings a batch of training images to what the discriminator currently expects (default: as is). */
    default NDArray prepareReals(NDArray reals) {
        return reals;
    }

    /**
     * Tells the model how many images training has shown; models with stages (ProGAN) move their
     * schedule and return true when the parameter set in use changed in a way that should reset
     * optimiser state.
     */
    default boolean onImagesShown(long images) {
        return false;
    }

    /**
     * The batch size for the current stage, given the configured one (ProGAN shrinks batches at
     * higher resolutions); default: the configured size.
     */
    default int batchSize(int configured) {
        return configured;
    }

    /**
     * Whether the model changes resolution during training (ProGAN). The trainer then also saves a
     * sample grid at the end of each resolution ({@code samples/res-<R>px.png}).
     */
    default boolean grows() {
        return false;
    }

    /**
     * The resolution the generator works at once {@code images} real images have been shown; a model
     * that does not grow always works at its {@link #imageShape()} size.
     */
    default int resolutionAt(long images) {
        return (int) imageShape().get(1);
    }

    /** A one-line description of the stage, for progress lines (empty when the model has none). */
    default String stage() {
        return "";
    }

    /** Stage values recorded in the training history each log step (e.g. resolution, alpha). */
    default java.util.Map<String, Double> stageMetrics() {
        return java.util.Map.of();
    }

    /**
     * Releases what the model holds outside the networks' parameters (FastGAN's perceptual network of
     * {@code reconLoss = lpips=PATH}); {@code GanTrainer} and {@code TrainedGenerator} call it when they
     * close. Default: nothing to release.
     */
    @Override
    default void close() {}
}
