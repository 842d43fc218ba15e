package dev.ganlab.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/**
 * What most {@link GanModel}s share: images of one size {@code (channels, resolution, resolution)}, a
 * generator that maps a latent vector {@code (N, d)} to images, and a discriminator of one image input
 * whose forward returns {@code (logits (N), features (N, F))} (as {@link FeatureHeadDiscriminator}).
 * Networks are initialised for a batch of 2. A model whose networks take other inputs (ProGAN's stages,
 * FastGAN's two outputs, a class-conditional model's labels) overrides the methods that differ.
 */
public abstract class AbstractGanModel implements GanModel {

    /** The prior {@code "uniform"}: U(-1, 1), as the DCGAN and compare_gan codes draw latents. */
    public static final String UNIFORM_LATENT = "uniform";

    protected final int channels;
    protected final int resolution;
    private Block generator;
    private Block discriminator;

    protected AbstractGanModel(int channels, int resolution) {
        this.channels = channels;
        this.resolution = resolution;
    }

    /**
     * Sets the networks {@link #generator()} and {@link #discriminator()} return; a subclass's constructor
     * calls it once its settings are in place (building the networks reads them).
     */
    protected final void setNetworks(Block generator, Block discriminator) {
        this.generator = generator;
        this.discriminator = discriminator;
    }

    @Override
    public Block generator() {
        return generator;
    }

    @Override
    public Block discriminator() {
        return discriminator;
    }

    /** The length {@code d} of a latent vector. */
    protected abstract long latentDim();

    @Override
    public Shape latentShape(int batch) {
        return new Shape(batch, latentDim());
    }

    @Override
    public Shape imageShape() {
        return new Shape(channels, resolution, resolution);
    }

    @Override
    public void initializeGenerator(Block g, NDManager manager) {
        g.initialize(manager, DataType.FLOAT32, latentShape(2));
    }

    @Override
    public void initializeDiscriminator(NDManager manager) {
        discriminator().initialize(manager, DataType.FLOAT32, new Shape(2, channels, resolution, resolution));
    }

    @Override
    public NDArray generate(Block g, ParameterStore ps, NDArray z, boolean training) {
        return g.forward(ps, new NDList(z), training).singletonOrThrow();
    }

    @Override
    public DiscriminatorOutput discriminate(ParameterStore ps, NDArray images, boolean training, boolean real) {
        NDList out = discriminator().forward(ps, new NDList(images), training);
        return DiscriminatorOutput.of(out.get(0), out.get(1));
    }

    /**
     * A batch of latents from the engine's generator: U(-1, 1) for {@code prior} {@value #UNIFORM_LATENT},
     * else N(0, I) (a model's {@code latent} setting, checked by its config).
     */
    protected NDArray sampleLatent(NDManager manager, int batch, String prior) {
        return prior.equals(UNIFORM_LATENT) ? manager.randomUniform(-1f, 1f, latentShape(batch))
                : manager.randomNormal(latentShape(batch));
    }
}
