package dev.ganlab.models.dcgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.models.GanModel;
import dev.ganlab.nn.BatchNorm;
import dev.ganlab.nn.Conv2d;
import dev.ganlab.nn.Dropout2d;
import dev.ganlab.nn.Init;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.LayerNorm;
import dev.ganlab.nn.Linear;
import dev.ganlab.nn.MinibatchDiscrimination;
import dev.ganlab.nn.WeightScaling;

/**
 * DCGAN (Radford et al., ICLR 2016) for 28, 32 or 64 px images with 1 or 3 channels, laid out as
 * PyTorch-GAN's reference implementation, and SNDCGAN (its generator with Miyato et al.'s spectrally
 * normalised CNN discriminator).
 *
 * <p>Generator: {@code z (N, 100)} -> Linear -> {@code (128, s/4, s/4)} -> BN -> [up 2x, conv 3x3, BN,
 * LeakyReLU 0.2] x 2 (128, then 64 channels) -> conv 3x3 -> tanh -> {@code (C, s, s)}. The paper's
 * transposed convolutions become nearest upsampling + convolution (the engine has no transposed
 * convolution; this also avoids checkerboard artefacts). Weights N(0, 0.02), batch-norm scales
 * N(1, 0.02), the paper's initialisation.
 *
 * <p>Discriminator (dcgan): four [conv 3x3 stride 2, LeakyReLU 0.2, Dropout2d 0.25, norm] blocks of
 * 16, 32, 64, 128 channels (no norm on the first), then Linear -> 1 logit. Discriminator (sndcgan):
 * conv 3x3/64, 4x4 s2/64, 3x3/128, 4x4 s2/128, 3x3/256, 4x4 s2/256, 3x3/512, each spectrally
 * normalised with LeakyReLU 0.1, then a spectrally normalised Linear -> 1.
 */
public final class DcganModel implements GanModel {

    private final DcganConfig cfg;
    private final int channels;
    private final int resolution;
    private final Block generator;
    private final Discriminator discriminator;

    public DcganModel(DcganConfig cfg, int channels, int resolution) {
        cfg.validate();
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("DCGAN channels must be 1 or 3, got " + channels);
        }
        if (resolution % 4 != 0 || resolution < 8 || resolution > 128) {
            throw new IllegalArgumentException("DCGAN resolution " + resolution
                    + " must be a multiple of 4 between 8 and 128 (28, 32 and 64 are the tested sizes)");
        }
        this.cfg = cfg;
        this.channels = channels;
        this.resolution = resolution;
        this.generator = newGenerator();
        this.discriminator = cfg.variant.equals("sndcgan") ? snDiscriminator() : dcganDiscriminator();
    }

    public DcganConfig config() {
        return cfg;
    }

    @Override
    public String name() {
        return cfg.variant;
    }

    @Override
    public Block generator() {
        return generator;
    }

    @Override
    public Block discriminator() {
        return discriminator;
    }

    @Override
    public Block newGenerator() {
        int s = resolution / 4;
        int w = cfg.gWidth;
        SequentialBlock g = new SequentialBlock();
        g.add(Linear.builder().setUnits((long) w * s * s).build());
        g.add(Lambda.reshape(w, s, s));
        g.add(bn());
        // Nearest 2x upsampling then a 3x3 conv, in one layer (computed without the upsampled tensor).
        g.add(Conv2d.builder().setChannels(w).setKernel(3).optPadding(1).optUpsample2x(true).build());
        g.add(bn());
        g.add(Lambda.leakyRelu(DcganConfig.LEAKY_SLOPE));
        g.add(Conv2d.builder().setChannels(w / 2).setKernel(3).optPadding(1).optUpsample2x(true).build());
        g.add(bn());
        g.add(Lambda.leakyRelu(DcganConfig.LEAKY_SLOPE));
        g.add(Conv2d.builder().setChannels(channels).setKernel(3).optPadding(1).build());
        g.add(Lambda.tanh());
        return g;
    }

    private static BatchNorm bn() {
        return new BatchNorm(BatchNorm.DEFAULT_MOMENTUM, BatchNorm.DEFAULT_EPS, Init.normal(1, Init.DCGAN_STD));
    }

    private Discriminator dcganDiscriminator() {
        String norm = cfg.dNorm.equals("auto") ? "batch" : cfg.dNorm;
        boolean spectral = norm.equals("spectral");
        WeightScaling ws = spectral ? WeightScaling.SPECTRAL : WeightScaling.NONE;
        SequentialBlock f = new SequentialBlock();
        int c = cfg.dWidth;
        for (int i = 0; i < 4; i++) {
            f.add(Conv2d.builder().setChannels(c).setKernel(3).optStride(2).optPadding(1).optScaling(ws).build());
            f.add(Lambda.leakyRelu(DcganConfig.LEAKY_SLOPE));
            if (cfg.dDropout > 0) {
                f.add(new Dropout2d(cfg.dDropout));
            }
            if (i > 0 && norm.equals("batch")) {
                f.add(new BatchNorm(BatchNorm.DEFAULT_MOMENTUM, BatchNorm.DEFAULT_EPS, Init.normal(1, Init.DCGAN_STD)));
            } else if (i > 0 && norm.equals("layer")) {
                f.add(new LayerNorm());
            }
            c *= 2;
        }
        f.add(Lambda.flatten());
        return new Discriminator(f, head(ws));
    }

    private Discriminator snDiscriminator() {
        SequentialBlock f = new SequentialBlock();
        int[][] layers = {{64, 3, 1}, {64, 4, 2}, {128, 3, 1}, {128, 4, 2}, {256, 3, 1}, {256, 4, 2}, {512, 3, 1}};
        for (int[] l : layers) {
            f.add(Conv2d.builder().setChannels(l[0]).setKernel(l[1]).optStride(l[2]).optPadding(1)
                    .optScaling(WeightScaling.SPECTRAL).build());
            f.add(Lambda.leakyRelu(DcganConfig.SN_LEAKY_SLOPE));
        }
        f.add(Lambda.flatten());
        return new Discriminator(f, head(WeightScaling.SPECTRAL));
    }

    private SequentialBlock head(WeightScaling ws) {
        SequentialBlock h = new SequentialBlock();
        if (cfg.minibatchKernels > 0) {
            h.add(new MinibatchDiscrimination(cfg.minibatchKernels, cfg.minibatchKernelDim));
        }
        h.add(Linear.builder().setUnits(1).optScaling(ws).build());
        return h;
    }

    @Override
    public boolean discriminatorUsesBatchStatistics() {
        return !cfg.variant.equals("sndcgan") && (cfg.dNorm.equals("batch") || cfg.dNorm.equals("auto"));
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

    @Override
    public DiscriminatorOutput discriminate(ParameterStore ps, NDArray images, boolean training, boolean real) {
        NDList out = discriminator.forward(ps, new NDList(images), training);
        return DiscriminatorOutput.of(out.get(0), out.get(1));
    }

    /**
     * Feature extractor and head as one block; forward returns {@code (logits (N), features (N, F))} so
     * losses such as feature matching can use the last hidden layer.
     */
    static final class Discriminator extends AbstractBlock {
        private final Block features;
        private final Block head;

        Discriminator(Block features, Block head) {
            super((byte) 1);
            this.features = addChildBlock("features", features);
            this.head = addChildBlock("head", head);
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray f = features.forward(ps, inputs, training).singletonOrThrow();
            NDArray logits = head.forward(ps, new NDList(f), training).singletonOrThrow();
            return new NDList(logits.reshape(-1), f);
        }

        @Override
        public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            features.initialize(manager, dataType, inputShapes);
            head.initialize(manager, dataType, features.getOutputShapes(inputShapes));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape[] f = features.getOutputShapes(inputShapes);
            return new Shape[] {new Shape(inputShapes[0].get(0)), f[0]};
        }
    }
}
