package dev.ganlab.models.fastgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.ganlab.core.StepScope;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.models.AbstractGanModel;
import dev.ganlab.models.Mix;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FastGAN (Liu et al., ICLR 2021): a light generator with skip-layer excitation and a discriminator
 * regularised by self-supervised reconstruction, for few-shot training at 64 to 1024 px. See
 * {@link FastganGenerator} and {@link FastganDiscriminator} for the layers and {@link FastganConfig}
 * for the settings and the training defaults (hinge loss with margin U(0.8, 1), Adam 2e-4 (0.5,
 * 0.999), batch 8, EMA 0.999, DiffAugment), which the training loop applies.
 *
 * <p>The generator makes two images, at S and at 128 px ({@link #generateViews}); the discriminator
 * scores both, each in its own branch ({@link #discriminateViews}), and for real images makes the
 * 128 px copy itself. {@link #discriminate} with {@code training && real} also runs the three
 * decoders and returns the reconstruction loss as {@link DiscriminatorOutput#auxLoss()}, which the
 * loop adds to D's loss, with {@code recon_full}, {@code recon_part} and {@code recon_small} in the
 * metrics; this is the official train.py's
 * {@code hinge + percept(rec_all).sum() + percept(rec_small).sum() + percept(rec_part).sum()}.
 * {@link #reconstruct} gives the reconstructions and their targets for display.
 */
public final class FastganModel extends AbstractGanModel {

    /** Metric name of the whole-image reconstruction distance. */
    public static final String RECON_FULL = "recon_full";
    /** Metric name of the quadrant reconstruction distance. */
    public static final String RECON_PART = "recon_part";
    /** Metric name of the small branch's reconstruction distance. */
    public static final String RECON_SMALL = "recon_small";

    private final FastganConfig cfg;
    private final FastganGenerator generator;
    private final FastganDiscriminator discriminator;
    private final ReconstructionLoss reconLoss;

    /**
     * @param channels image channels (1 or 3 typically)
     * @param resolution image side: 64, 128, 256, 512 or 1024
     */
    public FastganModel(FastganConfig cfg, int channels, int resolution) {
        this(cfg, channels, resolution, Mix.NONE);
    }

    /**
     * The model with components of other families in D ({@link Mix}): minibatch stddev and minibatch
     * discrimination before each logit head ({@link FastganDiscriminator}); spectral norm is there
     * already. SLE is FastGAN's own ({@code fastgan.sle}), not {@code mix.gSle}.
     */
    public FastganModel(FastganConfig cfg, int channels, int resolution, Mix mix) {
        super(channels, resolution);
        cfg.validate();
        if (mix.gSle()) {
            throw new IllegalArgumentException("FastGAN has skip-layer excitation already: set fastgan.sle, not mix.gSle");
        }
        if (channels < 1) {
            throw new IllegalArgumentException("FastGAN channels must be >= 1, got " + channels);
        }
        if (!FastganConfig.RESOLUTIONS.contains(resolution)) {
            throw new IllegalArgumentException("FastGAN resolution " + resolution + " must be one of "
                    + FastganConfig.RESOLUTIONS);
        }
        this.cfg = cfg;
        this.generator = new FastganGenerator(cfg, channels, resolution);
        this.discriminator = new FastganDiscriminator(cfg, channels, resolution, mix);
        setNetworks(generator, discriminator);
        this.reconLoss = ReconstructionLoss.parse(cfg.reconLoss, cfg.reconReduction);
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
    protected long latentDim() {
        return cfg.latentDim;
    }

    /** The main image (the first of {@link #generateViews}). */
    @Override
    public NDArray generate(Block g, ParameterStore ps, NDArray z, boolean training) {
        return g.forward(ps, new NDList(z), training).get(0);
    }

    /** {@code [image (N, C, S, S), small (N, C, s, s)]}, or the image alone without the small branch. */
    @Override
    public NDList generateViews(Block g, ParameterStore ps, NDArray z, boolean training) {
        return g.forward(ps, new NDList(z), training);
    }

    /**
     * Logits (big branch then small branch; "patches": N*25 scores each, image-major; "mean": N
     * each), features {@code (N, C_8 * 64)}, and for {@code training && real} the reconstruction loss
     * {@code reconWeight * (d(full) + d(part) + d(small))} on a quadrant drawn from the engine's
     * generator for the whole batch (as the official code), with the distances (detached) as
     * {@code recon_full}, {@code recon_part} and {@code recon_small}. The small branch sees
     * {@code images} resized to its side.
     */
    @Override
    public DiscriminatorOutput discriminate(ParameterStore ps, NDArray images, boolean training, boolean real) {
        return discriminate(ps, images, null, training, real);
    }

    /**
     * {@code views}: the image alone (the small copy is made by resizing, as for reals), or
     * {@code (image, small)}, G's two outputs, each scored by its branch.
     */
    @Override
    public DiscriminatorOutput discriminateViews(ParameterStore ps, NDList views, boolean training, boolean real) {
        if (views.size() > 2) {
            throw new IllegalArgumentException("FastGAN's discriminator takes 1 or 2 image batches, got " + views.size());
        }
        return discriminate(ps, views.get(0), views.size() > 1 ? views.get(1) : null, training, real);
    }

    private DiscriminatorOutput discriminate(ParameterStore ps, NDArray images, NDArray small, boolean training,
            boolean real) {
        FastganDiscriminator.Features f = discriminator.features(ps, images, small, training);
        NDArray logits = discriminator.logits(ps, f, training);
        NDArray features = f.map8().reshape(images.getShape().get(0), -1);
        if (!(training && real)) {
            return DiscriminatorOutput.of(logits, features);
        }
        int quadrant = drawQuadrant(images.getManager());
        // The decoders' outputs, their targets and the distances' temporaries are closed once the loss
        // is made (autograd keeps what its backward reads): only the loss and its terms stay open.
        Map<String, NDArray> metrics = new LinkedHashMap<>();
        NDArray aux = StepScope.keep(() -> {
            Reconstructions r = discriminator.reconstruct(ps, images, f, quadrant, training);
            NDArray full = reconLoss.distance(r.full(), r.fullTarget());
            NDArray part = reconLoss.distance(r.part(), r.partTarget());
            NDArray sum = full.add(part);
            metrics.put(RECON_FULL, full.stopGradient());
            metrics.put(RECON_PART, part.stopGradient());
            if (r.small() != null) {
                NDArray smallD = reconLoss.distance(r.small(), r.smallTarget());
                sum = sum.add(smallD);
                metrics.put(RECON_SMALL, smallD.stopGradient());
            }
            return sum.mul(cfg.reconWeight);
        }, loss -> {
            List<NDArray> kept = new ArrayList<>(metrics.values());
            kept.add(loss);
            return kept;
        });
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
        FastganDiscriminator.Features f = discriminator.features(ps, reals, null, training);
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
