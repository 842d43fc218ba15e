package dev.ganlab.models.gan;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.initializer.Initializer;
import dev.ganlab.models.AbstractGanModel;
import dev.ganlab.models.FeatureHeadDiscriminator;
import dev.ganlab.models.Mix;
import dev.ganlab.nn.BatchNorm;
import dev.ganlab.nn.Dropout;
import dev.ganlab.nn.Init;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.Linear;
import dev.ganlab.nn.MinibatchDiscrimination;
import dev.ganlab.nn.WeightScaling;

/**
 * The original GAN (Goodfellow et al., NeurIPS 2014) with fully connected networks, laid out as
 * PyTorch-GAN's {@code implementations/gan/gan.py}; {@link GanConfig} holds the defaults, says which
 * ones come from where and where they deviate from the paper.
 *
 * <p>Shapes for images {@code (C, H, W)} and hidden widths {@code g_1..g_k} / {@code d_1..d_m}:
 * <ul>
 *   <li>G: {@code (N, latent)} -> Linear g_1, act -> [Linear g_i, BatchNorm, act] (i = 2..k)
 *       -> Linear {@code C*H*W} -> tanh -> reshape {@code (N, C, H, W)}; act is LeakyReLU (or ReLU), and
 *       without batch norm ({@code gNorm = none}) every hidden layer is Linear, act.
 *   <li>D: {@code (N, C, H, W)} -> flatten {@code (N, C*H*W)} -> [dropout] -> [[dropout,] Linear d_j,
 *       LeakyReLU] (j = 1..m) -> features {@code (N, d_m)} -> [dropout] -> [minibatch stddev] -> [minibatch
 *       discrimination] ->
 *       Linear 1 -> logits {@code (N)}. With maxout, a hidden layer is Linear {@code d_j * pieces} then
 *       the maximum over each unit's {@code pieces} consecutive values: {@code (N, d_j * pieces) -> (N, d_j)}.
 * </ul>
 * D works on the images' own 4-d shape and flattens inside, so the gradient penalties see input
 * gradients of image shape; it has no batch statistics, so reals and fakes can be scored apart and
 * every penalty applies. With {@code dNorm = spectral} every linear layer of D is spectrally normalised.
 */
public final class MlpGanModel extends AbstractGanModel {

    private final GanConfig cfg;
    private final Mix mix;

    /** The model without minibatch discrimination. */
    public MlpGanModel(GanConfig cfg, int channels, int resolution) {
        this(cfg, channels, resolution, 0, MinibatchDiscrimination.DEFAULT_KERNEL_DIM);
    }

    /**
     * @param minibatchKernels minibatch-discrimination kernels before D's last layer (0 = none; the
     *     {@code tricks.minibatchDiscrimination} setting)
     * @param minibatchKernelDim their dimension
     */
    public MlpGanModel(GanConfig cfg, int channels, int resolution, int minibatchKernels, int minibatchKernelDim) {
        this(cfg, channels, resolution, new Mix(false, 0, minibatchKernels, minibatchKernelDim, false));
    }

    /**
     * The model with components of other families in D ({@link Mix}: spectral norm, minibatch stddev and
     * minibatch discrimination on the last features); {@code mix.gSle()} is not for this generator.
     */
    public MlpGanModel(GanConfig cfg, int channels, int resolution, Mix mix) {
        super(channels, resolution);
        cfg.validate();
        if (mix.gSle()) {
            throw new IllegalArgumentException("gan's fully connected generator has no feature maps for SLE (mix.gSle)");
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("gan channels must be 1 or 3, got " + channels);
        }
        if (resolution < 4 || resolution > GanConfig.MAX_RESOLUTION) {
            throw new IllegalArgumentException("gan resolution " + resolution + " must be in 4.."
                    + GanConfig.MAX_RESOLUTION
                    + " (the MLP's output layer grows with the pixel count)");
        }
        this.cfg = cfg;
        this.mix = mix;
        setNetworks(newGenerator(), newDiscriminator());
    }

    public GanConfig config() {
        return cfg;
    }

    @Override
    public String name() {
        return "gan";
    }

    private long pixels() {
        return (long) channels * resolution * resolution;
    }

    @Override
    public Block newGenerator() {
        int[] hidden = cfg.generatorHidden();
        SequentialBlock g = new SequentialBlock();
        long in = cfg.latentDim;
        for (int i = 0; i < hidden.length; i++) {
            g.add(linear(in, hidden[i], WeightScaling.NONE, false));
            if (i > 0 && cfg.gNorm.equals("batch")) {
                g.add(new BatchNorm(BatchNorm.DEFAULT_MOMENTUM, cfg.bnEps, Init.ones()));
            }
            g.add(cfg.gActivation.equals("relu") ? Lambda.relu() : Lambda.leakyRelu(cfg.leakySlope));
            in = hidden[i];
        }
        g.add(linear(in, pixels(), WeightScaling.NONE, false));               // (N, C*H*W)
        g.add(Lambda.tanh());
        g.add(Lambda.reshape(channels, resolution, resolution));         // (N, C, H, W)
        return g;
    }

    /** Hidden layers (features {@code (N, d_m)}) and head, as one block. */
    private FeatureHeadDiscriminator newDiscriminator() {
        WeightScaling ws = mix.dScaling(cfg.dNorm.equals("spectral") ? WeightScaling.SPECTRAL : WeightScaling.NONE);
        SequentialBlock f = new SequentialBlock();
        f.add(Lambda.flatten());                                         // (N, C*H*W)
        if (cfg.dInputDropout > 0) {
            f.add(new Dropout(cfg.dInputDropout));
        }
        long in = pixels();
        boolean maxout = cfg.dActivation.equals("maxout");
        int[] hidden = cfg.discriminatorHidden();
        for (int j = 0; j < hidden.length; j++) {
            int w = hidden[j];
            if (j > 0 && cfg.dDropout > 0) {
                f.add(new Dropout(cfg.dDropout));
            }
            if (maxout) {
                f.add(linear(in, (long) w * cfg.maxoutPieces, ws, true));     // (N, w * pieces)
                f.add(maxout(w, cfg.maxoutPieces));                       // (N, w)
            } else {
                f.add(linear(in, w, ws, true));
                f.add(Lambda.leakyRelu(cfg.leakySlope));
            }
            in = w;
        }
        SequentialBlock head = new SequentialBlock();
        if (cfg.dDropout > 0) {
            head.add(new Dropout(cfg.dDropout));
        }
        if (mix.mbstd()) {
            head.add(mix.mbstdOnFeatures());                              // (N, d_m + 1)
            in += 1;
        }
        if (mix.minibatchDiscrimination()) {
            head.add(mix.minibatchLayer());                              // (N, in + B)
            in += mix.dMinibatchKernels();
        }
        head.add(linear(in, 1, ws, true));
        return new FeatureHeadDiscriminator(f, head);
    }

    /**
     * Maxout (Goodfellow et al., ICML 2013): {@code (N, units * pieces) -> (N, units)}, each unit the
     * maximum of its {@code pieces} consecutive inputs (pylearn2's Maxout groups them the same way).
     */
    static Lambda maxout(long units, int pieces) {
        return new Lambda("Maxout(" + units + "x" + pieces + ")",
                x -> x.reshape(x.getShape().get(0), units, pieces).max(new int[] {2}),
                s -> new Shape(s.get(0), units));
    }

    /** A linear layer of G or D ({@code discriminator}) from {@code in} features, initialised per {@link GanConfig#init}. */
    private Linear linear(long in, long out, WeightScaling ws, boolean discriminator) {
        Linear.Builder b = Linear.builder().setUnits(out).optScaling(ws);
        switch (cfg.init) {
            case "pytorch" -> {
                Initializer u = Init.uniform(1 / Math.sqrt(in));
                b.optWeightInit(u).optBiasInit(u);
            }
            case "pylearn2" -> b.optWeightInit(Init.uniform(discriminator ? GanConfig.PAPER_D_INIT_RANGE
                    : GanConfig.PAPER_G_INIT_RANGE)).optBiasInit(Init.zeros());
            default -> b.optWeightInit(Init.normal(0, Init.DCGAN_STD)).optBiasInit(Init.zeros());
        }
        return b.build();
    }

    @Override
    protected long latentDim() {
        return cfg.latentDim;
    }
}
