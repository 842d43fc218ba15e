package dev.ganlab.models.dcgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import dev.ganlab.data.BatchSampler;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.models.AbstractGanModel;
import dev.ganlab.models.Mix;
import dev.ganlab.models.SleSequence;
import dev.ganlab.nn.BatchNorm;
import dev.ganlab.nn.Conv2d;
import dev.ganlab.nn.ConvTranspose2d;
import dev.ganlab.nn.Init;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.Linear;
import dev.ganlab.nn.Normalization;
import dev.ganlab.nn.ReferenceBatch;
import dev.ganlab.nn.VirtualBatchNorm;
import dev.ganlab.nn.WeightScaling;

/**
 * The DCGAN family for 1 or 3 channel images: DCGAN (Radford et al., ICLR 2016) and SNDCGAN
 * (compare_gan's, Kurach et al. 2019; Miyato et al. 2018's "standard CNN"). All weights start
 * N(0, 0.02) and biases 0, and latents are drawn from U(-1, 1), as both official codes
 * ({@code dcgan.latent=normal} for N(0, I)).
 *
 * <p>dcgan generator "paper" (default; Radford et al.'s official code, faces/train_uncond_dcgan.py):
 * {@code z (N, 100)} -> Linear without bias -> {@code C0 s0^2} features -> batch norm over those
 * features -> ReLU -> reshape {@code (C0, s0, s0)} -> [5x5 stride-2 transposed conv without bias
 * (padding 2, output padding 1: exactly twice the size), BN, ReLU] -> ... -> 5x5 stride-2
 * transposed conv to the image channels -> tanh; no batch norm on the output layer. {@code s0} is the
 * resolution halved while the result stays even and at least 4 (4x4 for 32 and 64 px, 7x7 for
 * 28 px as the official MNIST model), and the widths halve per layer down to {@code gWidth} = 128 in
 * the last hidden layer (1024, 512, 256, 128 at 64 px, as the paper's figure 1). Batch-norm scales
 * start N(1, 0.02) (the code's {@code gain_ifn}). The code's cuDNN deconvolution uses true
 * convolution (a spatially flipped kernel); with symmetric random initialisation that is the same
 * family of functions.
 *
 * <p>dcgan generator "pytorchgan" (PyTorch-GAN's layout): {@code z} -> Linear -> {@code (w, s/4, s/4)}
 * -> BN -> [up 2x, conv 3x3, BN, LeakyReLU 0.2] x 2 (w, then w/2 channels) -> conv 3x3 -> tanh.
 * Batch-norm scales N(1, 0.02); PyTorch-GAN's eps of 0.8 is not copied (see {@link BatchNorm}).
 *
 * <p>dcgan discriminator "paper" (default; the official code's {@code discrim} in
 * faces/train_uncond_dcgan.py, the mirror of the paper generator): [5x5 stride-2 conv without bias
 * (padding 2: exactly half the size), batch norm (not on the first layer), LeakyReLU 0.2] down to the
 * generator's start size {@code s0}, widths doubling from {@code dWidth} = 128 (the code's ndf: 128,
 * 256, 512, 1024 at 64 px; 128, 256, 512 at 32 px), then a dense layer without bias from the flattened
 * {@code s0 x s0} map to 1 logit (the code's sigmoid is in the loss). No dropout; batch-norm scales
 * start N(1, 0.02), shifts 0. At 28 px the layout takes from the official MNIST model
 * (mnist/train_cond_dcgan.py) only its two 5x5 stride-2 convolutions to a 7x7 map: 128 and 256
 * channels here. That model's conditioning (labels concatenated to every layer), its ndf of 64, its
 * 1024-unit dense hidden layer with batch norm and its sigmoid output are not taken: GAN Lab's dcgan
 * is unconditional, and the 28 px network keeps the faces model's pattern as the generator does.
 * Deviations: batch-norm eps 1e-5 (the code's {@code batchnorm} uses 1e-8; 1e-5 is the engine's batch
 * norm, shared by every model here, and the two differ only for channels of near-zero variance) and
 * running statistics for evaluation (the code normalises with batch statistics only; the samples and
 * scores here come from a generator in inference mode, as PyTorch ports of DCGAN sample); {@code dDropout > 0} adds
 * Dropout2d after each LeakyReLU (not in the code). With {@code dNorm} none or spectral the
 * convolutions stay without bias, as the code's first layer is.
 *
 * <p>dcgan discriminator "pytorchgan" (PyTorch-GAN's layout, GAN Lab's dcgan D before the paper's):
 * four [conv 3x3 stride 2 with bias, LeakyReLU 0.2, Dropout2d 0.25, norm] blocks of 16, 32, 64, 128
 * channels (no norm on the first), then Linear (with bias) -> 1 logit, at every resolution.
 *
 * <p>sndcgan (compare_gan/architectures/sndcgan.py): G = {@code z (N, 128)} -> Linear (with bias) ->
 * {@code 512 (s/8)^2} features -> batch norm over those features (before the reshape, as compare_gan)
 * -> ReLU -> reshape -> three [4x4 stride-2 transposed conv (padding 1), BN, ReLU] with 256, 128, 64
 * channels -> 3x3 conv (padding 1) to the image channels -> tanh; batch-norm scales start at 1
 * (compare_gan). compare_gan's last layer is a 3x3 stride-1 "deconvolution", the same family as this
 * convolution. D = conv 3x3/64, 4x4 s2/128, 3x3/128, 4x4 s2/256, 3x3/256, 4x4 s2/512, 3x3/512
 * (padding 1, i.e. TensorFlow's 'SAME' on even sizes), each with bias, spectral norm and LeakyReLU
 * 0.1, then a spectrally normalised Linear -> 1 (spectral norm: {@code dNorm=spectral}, the default).
 * Miyato et al.'s table 3 lists 64, 64, 128, 128,
 * 256, 256, 512 channels for the same seven layers; GAN Lab follows compare_gan, whose widths the
 * large-scale study measured. compare_gan maps tanh to [0, 1] and back to [-1, 1] at D's input: the
 * same as feeding D the tanh output. Widths scale with {@code gWidth} (64) and {@code dWidth} (64).
 *
 * <p>Normalisers ({@link dev.ganlab.nn.Normalization}): {@code dcgan.dNorm} chooses none, batch, layer
 * or spectral for every discriminator layout - the normaliser axis of Kurach et al.'s study ("auto" is
 * batch norm, or layer norm under a gradient penalty; the paper layout puts the layer between each
 * convolution but the first and its LeakyReLU, as the code). compare_gan's
 * SNDCGAN takes spectral (default) or none; with batch or layer, GAN Lab puts the layer after each
 * convolution but the first, before the LeakyReLU (compare_gan's DCGAN discriminator's placement),
 * layer norm with TensorFlow's eps 1e-12. {@code dcgan.gNorm=vbn} replaces every batch-norm layer of
 * the generator with virtual batch normalisation (Salimans et al. 2016; {@link VirtualBatchNorm},
 * {@link ReferenceBatch}): the generator then also runs a fixed reference batch of
 * {@code dcgan.vbnReference} latents at every forward pass, about twice the work at batch 64.
 *
 * <p>{@code dcgan.dNorm=vbn} puts virtual batch norm where batch norm would be in any of the three
 * discriminators (scales N(1, 0.02) in dcgan's layouts, 1 in sndcgan's, as their batch norms), with a
 * reference batch of {@code dcgan.vbnReference} (64) real training images. This is GAN Lab's
 * extension: Salimans et al. describe VBN for any network (sec. 3.4) but use it "only in the generator
 * network" because of its cost, and their code (openai/improved-gan, imagenet/discriminator.py)
 * normalises the discriminator with batch statistics of the real and the fake half of its joint
 * batch ({@code batch_norm_cross} in imagenet/ops.py), with no fixed batch. Real images are the
 * natural reference for D (the data distribution D is trained to recognise, and the only fixed
 * batch of images a run has at its start); GAN Lab draws them once when training starts, without
 * flips, from the training set in a seeded order ({@link #useTrainingImages}), keeps them as a
 * non-trainable parameter of D saved in every checkpoint (so a resumed run uses the same batch bit
 * for bit), and appends them to every pass of D: reals, fakes, gradient-penalty points. They are not
 * augmented or perturbed (DiffAugment, instance noise act on the minibatch only), and with
 * {@code dDropout > 0} the dropout masks fall on them too, as batch-norm statistics are taken after
 * dropout. An image's score then depends on the image, the weights and the fixed reference only, so
 * reals and fakes are scored in separate passes, a gradient penalty's input gradient is each image's
 * own (the reference rows are not inputs), and data-parallel replicas, each appending the whole
 * reference, score every image as one device does. Cost: each pass of D runs R more rows.
 *
 * <p>Components of other families ({@link Mix}): spectral norm on every layer of D
 * ({@code mix.dSpectralNorm}, with whatever {@code dNorm} says besides), minibatch stddev on D's last map
 * before the flatten ({@code mix.dMbstd}), skip-layer excitation in any of the three generators
 * ({@code mix.gSle}, {@link SleSequence}).
 */
public final class DcganModel extends AbstractGanModel {

    private final DcganConfig cfg;
    private final Mix mix;
    /** The training images D's VBN reference batch is drawn from (null: none given, see {@link #useTrainingImages}). */
    private ImageDataset referenceSource;
    private long referenceSeed;

    public DcganModel(DcganConfig cfg, int channels, int resolution) {
        this(cfg, channels, resolution, Mix.NONE);
    }

    /** The model with components of other families ({@link Mix}: spectral norm, mbstd in D, SLE in G). */
    public DcganModel(DcganConfig cfg, int channels, int resolution, Mix mix) {
        super(channels, resolution);
        cfg.fillDefaults().validate();
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("DCGAN channels must be 1 or 3, got " + channels);
        }
        if (cfg.variant.equals("sndcgan") && (resolution % 8 != 0 || resolution < 8 || resolution > 128)) {
            throw new IllegalArgumentException("SNDCGAN resolution " + resolution
                    + " must be a multiple of 8 between 8 and 128 (its generator starts at s/8; 32 and 64 are the tested sizes)");
        }
        if (resolution % 4 != 0 || resolution < 8 || resolution > 128) {
            throw new IllegalArgumentException("DCGAN resolution " + resolution
                    + " must be a multiple of 4 between 8 and 128 (28, 32 and 64 are the tested sizes)");
        }
        this.cfg = cfg;
        this.mix = mix;
        setNetworks(newGenerator(), cfg.variant.equals("sndcgan") ? DcganDiscriminator.sndcgan(cfg, dNorm(), mix)
                : cfg.discriminator.equals("paper") ? DcganDiscriminator.paper(cfg, dNorm(), resolution, mix)
                : DcganDiscriminator.pytorchgan(cfg, dNorm(), mix));
    }

    public DcganConfig config() {
        return cfg;
    }

    @Override
    public String name() {
        return cfg.variant;
    }

    @Override
    public Block newGenerator() {
        SequentialBlock base = cfg.variant.equals("sndcgan") ? sndcganGenerator()
                : cfg.generator.equals("paper") ? paperGenerator() : pytorchganGenerator();
        Block g = mix.gSle() ? SleSequence.wrap(base, latentShape(2), WeightScaling.NONE, name() + " generator at "
                + resolution + " px") : base;
        if (!cfg.gNorm.equals("vbn")) {
            return g;
        }
        // VBN: the reference latents are drawn from the model's latent distribution (the authors' code: U(-1, 1)).
        return new ReferenceBatch(g, cfg.vbnReference, (m, shape, type) -> cfg.latent.equals("uniform")
                ? m.randomUniform(-1f, 1f, shape, type) : m.randomNormal(0f, 1f, shape, type));
    }

    /**
     * The paper generator's first spatial size: the resolution halved while the result stays even
     * and at least 4 (64 -> 4, 32 -> 4, 28 -> 7).
     */
    static int paperStartSize(int resolution) {
        int s = resolution;
        while (s % 2 == 0 && s / 2 >= 4) {
            s /= 2;
        }
        return s;
    }

    /** Radford et al.'s generator (see the class comment). */
    private SequentialBlock paperGenerator() {
        int s0 = paperStartSize(resolution);
        int layers = Integer.numberOfTrailingZeros(resolution / s0); // stride-2 layers
        long width = (long) cfg.gWidth << (layers - 1);
        SequentialBlock g = new SequentialBlock();
        g.add(Linear.builder().setUnits(width * s0 * s0).optBias(false).build());
        g.add(bn(Init.normal(1, Init.DCGAN_STD)));               // over the projected features, as the code
        g.add(Lambda.relu());
        g.add(Lambda.reshape(width, s0, s0));
        for (int i = 1; i < layers; i++) {
            width /= 2;
            g.add(paperDeconv(width));
            g.add(bn(Init.normal(1, Init.DCGAN_STD)));
            g.add(Lambda.relu());
        }
        g.add(paperDeconv(channels));
        g.add(Lambda.tanh());
        return g;
    }

    /** 5x5 stride-2 transposed conv doubling the size, without bias (batch norm or tanh follows). */
    private static ConvTranspose2d paperDeconv(long out) {
        return ConvTranspose2d.builder().setChannels(out).setKernel(5).optStride(2).optPadding(2).optOutputPadding(1)
                .optBias(false).build();
    }

    /** PyTorch-GAN's generator (see the class comment). */
    private SequentialBlock pytorchganGenerator() {
        int s = resolution / 4;
        int w = cfg.gWidth;
        SequentialBlock g = new SequentialBlock();
        g.add(Linear.builder().setUnits((long) w * s * s).build());
        g.add(Lambda.reshape(w, s, s));
        g.add(bn(Init.normal(1, Init.DCGAN_STD)));
        // Nearest 2x upsampling then a 3x3 conv, in one layer (computed without the upsampled tensor).
        g.add(Conv2d.builder().setChannels(w).setKernel(3).optPadding(1).optUpsample2x(true).build());
        g.add(bn(Init.normal(1, Init.DCGAN_STD)));
        g.add(Lambda.leakyRelu(DcganConfig.LEAKY_SLOPE));
        g.add(Conv2d.builder().setChannels(w / 2).setKernel(3).optPadding(1).optUpsample2x(true).build());
        g.add(bn(Init.normal(1, Init.DCGAN_STD)));
        g.add(Lambda.leakyRelu(DcganConfig.LEAKY_SLOPE));
        g.add(Conv2d.builder().setChannels(channels).setKernel(3).optPadding(1).build());
        g.add(Lambda.tanh());
        return g;
    }

    /** compare_gan's SNDCGAN generator (see the class comment). */
    private SequentialBlock sndcganGenerator() {
        int s = resolution / 8;
        long w = 8L * cfg.gWidth;
        SequentialBlock g = new SequentialBlock();
        g.add(Linear.builder().setUnits(w * s * s).build());
        g.add(bn(Init.ones()));                                 // over the dense features, before the reshape
        g.add(Lambda.relu());
        g.add(Lambda.reshape(w, s, s));
        for (int i = 0; i < 3; i++) {
            w /= 2;
            g.add(ConvTranspose2d.builder().setChannels(w).setKernel(4).optStride(2).optPadding(1).build());
            g.add(bn(Init.ones()));
            g.add(Lambda.relu());
        }
        g.add(Conv2d.builder().setChannels(channels).setKernel(3).optPadding(1).build());
        g.add(Lambda.tanh());
        return g;
    }

    /** The generator's normalisation layer: batch norm, or virtual batch norm ({@code dcgan.gNorm=vbn}). */
    private Block bn(ai.djl.training.initializer.Initializer gammaInit) {
        return cfg.gNorm.equals("vbn") ? new VirtualBatchNorm(cfg.vbnReference, VirtualBatchNorm.EPS, gammaInit)
                : new BatchNorm(BatchNorm.DEFAULT_MOMENTUM, BatchNorm.DEFAULT_EPS, gammaInit);
    }

    /** The discriminator's normaliser ("auto" = batch for dcgan; sndcgan's auto is spectral by fillDefaults). */
    private DcganDiscriminator.Norm dNorm() {
        if (cfg.dNorm.equals("vbn")) {
            return DcganDiscriminator.Norm.vbn(cfg.vbnReference, this::drawReferenceImages);
        }
        return DcganDiscriminator.Norm.of(cfg.dNorm.equals("auto") ? Normalization.BATCH
                : Normalization.parse("dcgan.dNorm", cfg.dNorm));
    }

    @Override
    public boolean discriminatorUsesBatchStatistics() {
        return dNorm().kind().usesBatchStatistics();
    }

    /**
     * With {@code dcgan.dNorm=vbn}, D's reference batch will be {@code dcgan.vbnReference} images of
     * {@code data} at the first positions of a {@link BatchSampler} seeded with {@code seed} (a seeded
     * permutation; without flips; repeated epochs if the set is smaller), drawn when the discriminator
     * is initialised. {@code GanTrainer} calls this before initialising D. A model built without
     * training images (a summary, a memory estimate) fills the reference with U(-1, 1) noise instead,
     * which is fine for shapes and sizes but not for training.
     */
    @Override
    public void useTrainingImages(ImageDataset data, long seed) {
        this.referenceSource = data;
        this.referenceSeed = seed;
    }

    /** D's reference batch {@code (R, C, H, W)} in [-1, 1] (the initialiser of the ReferenceBatch's parameter). */
    private NDArray drawReferenceImages(NDManager manager, Shape shape, DataType type) {
        if (referenceSource == null) {
            return manager.randomUniform(-1f, 1f, shape, type);
        }
        Shape image = new Shape(referenceSource.channels(), referenceSource.height(), referenceSource.width());
        if (!shape.slice(1).equals(image)) {
            throw new IllegalArgumentException("dcgan.dNorm=vbn: the reference images of " + referenceSource.name()
                    + " are " + image + ", the discriminator takes " + shape.slice(1));
        }
        int rows = (int) shape.get(0);
        float[] buf = new float[rows * referenceSource.imageLength()];
        new BatchSampler(referenceSource, referenceSeed, false).fill(0, rows, buf);
        return manager.create(buf, shape).toType(type, false);
    }

    @Override
    protected long latentDim() {
        return cfg.latentDim;
    }

    /** Latents from U(-1, 1) (the papers' codes) or N(0, I), as {@code dcgan.latent} says. */
    @Override
    public NDArray sampleLatent(NDManager manager, int batch) {
        return sampleLatent(manager, batch, cfg.latent);
    }
}
