package dev.ganlab.models.fastgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.models.GanModel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FastGAN (Liu et al., ICLR 2021): a light generator with skip-layer excitation and a discriminator
 * regularised by self-supervised reconstruction, for few-shot training at 64 to 1024 px. See
 * {@link FastganGenerator} and {@link FastganDiscriminator} for the layers and {@link FastganConfig}
 * for the settings and the training defaults (hinge loss with margin U(0.8, 1), Adam 2e-4 (0.5,
 * 0.999), batch 8, EMA 0.999, DiffAugment), which the training loop applies.
 *
 * <p>{@link #discriminate} with {@code training && real} also runs the decoders and returns the
 * reconstruction loss as {@link DiscriminatorOutput#auxLoss()}, which the loop adds to D's loss,
 * with {@code recon_full} and {@code recon_part} in the metrics. {@link #reconstruct} gives the
 * reconstructions and their targets for display.
 */
public final class FastganModel implements GanModel {

    /** Metric name of the whole-image reconstruction distance. */
    public static final String RECON_FULL = "recon_full";
    /** Metric name of the quadrant reconstruction distance. */
    public static final String RECON_PART = "recon_part";

    private final FastganConfig cfg;
    private final int channels;
    private final int resolution;
    private final FastganGenerator generator;
    private final FastganDiscriminator discriminator;
    private final ReconstructionLoss reconLoss;

    /**
     * @param channels image channels (1 or 3 typically)
     * @param resolution image side: 64, 128, 256, 512 or 1024
     */
    public FastganModel(FastganConfig cfg, int channels, int resolution) {
        cfg.validate();
        if (channels < 1) {
            throw new IllegalArgumentException("FastGAN channels must be >= 1, got " + channels);
        }
        if (!FastganConfig.RESOLUTIONS.contains(resolution)) {
            throw new IllegalArgumentException("FastGAN resolution " + resolution + " must be one of "
                    + FastganConfig.RESOLUTIONS);
        }
        this.cfg = cfg;
        this.channels = channels;
        this.resolution = resolution;
        this.generator = new FastganGenerator(cfg, channels, resolution);
        this.discriminator = new FastganDiscriminator(cfg, channels, resolution);
        this.reconLoss = ReconstructionLoss.parse(cfg.reconLoss);
    }

    public FastganConfig config() {
        return cfg;
    }

    @Override
    public String name() {
        return "fastgan";
    }

    @Override
    public FastganGenerator generator() {
        return generator;
    }

    @Override
    public FastganDiscriminator discriminator() {
        return discriminator;
    }

    @Override
    public FastganGenerator newGenerator() {
        return new FastganGenerator(cfg, channels, resolution);
    }

    @Override
    public Shape latentShape(int batch) {
        return new Shape(batch, cfg.latentDim);
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
        discriminator.initialize(manager, DataType.FLOAT32, new Shape(2, channels, resolution, resolution));
    }

    @Override
    public NDArray generate(Block g, ParameterStore ps, NDArray z, boolean training) {
        return g.forward(ps, new NDList(z), training).singletonOrThrow();
    }

    /**
     * Logits ("patches": N*25 scores, image-major; "mean": N), features {@code (N, C_8 * 64)}, and for
     * {@code training && real} the reconstruction loss {@code reconWeight * (d(full) + d(part))} on a
     * quadrant drawn from the engine's generator for the whole batch (as the official code), with
     * the two distances (detached) as {@code recon_full} and {@code recon_part}.
     */
    @Override
    public DiscriminatorOutput discriminate(ParameterStore ps, NDArray images, boolean training, boolean real) {
        FastganDiscriminator.Features f = discriminator.features(ps, images, training);
        NDArray logits = discriminator.logits(ps, f.map8(), training);
        NDArray features = f.map8().reshape(images.getShape().get(0), -1);
        if (!(training && real)) {
            return DiscriminatorOutput.of(logits, features);
        }
        Reconstructions r = discriminator.reconstruct(ps, images, f, drawQuadrant(images.getManager()), training);
        NDArray full = reconLoss.distance(r.full(), r.fullTarget());
        NDArray part = reconLoss.distance(r.part(), r.partTarget());
        NDArray aux = full.add(part).mul(cfg.reconWeight);
        Map<String, NDArray> metrics = new LinkedHashMap<>();
        metrics.put(RECON_FULL, full.stopGradient());
        metrics.put(RECON_PART, part.stopGradient());
        return new DiscriminatorOutput(logits, features, aux, Collections.unmodifiableMap(metrics));
    }

    /**
     * The decoders' reconstructions of {@code reals} and their targets, in inference mode (batch norm
     * on running statistics), for a random quadrant: what a notebook shows next to the inputs.
     */
    public Reconstructions reconstruct(ParameterStore ps, NDArray reals) {
        return reconstruct(ps, reals, drawQuadrant(reals.getManager()), false);
    }

    /** The reconstructions for a chosen quadrant (0..3) and mode. */
    public Reconstructions reconstruct(ParameterStore ps, NDArray reals, int quadrant, boolean training) {
        FastganDiscriminator.Features f = discriminator.features(ps, reals, training);
        return discriminator.reconstruct(ps, reals, f, quadrant, training);
    }

    /** The distance the reconstruction loss uses. */
    public ReconstructionLoss reconstructionLoss() {
        return reconLoss;
    }

    /** A quadrant 0..3 from the engine's generator (one per batch, as the official code). */
    static int drawQuadrant(NDManager manager) {
        try (NDArray q = manager.randomInteger(0, 4, new Shape(1), DataType.INT64)) {
            return (int) q.getLong();
        }
    }

    /** Releases the perceptual network of {@code reconLoss = lpips=PATH}, if any. */
    @Override
    public void close() {
        reconLoss.close();
    }
}
