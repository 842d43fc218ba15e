package dev.ganlab.models.resnet19;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import dev.ganlab.models.AbstractGanModel;
import dev.ganlab.models.FeatureHeadDiscriminator;
import dev.ganlab.nn.BatchNorm;
import dev.ganlab.nn.Conv2d;
import dev.ganlab.nn.ConvTranspose2d;
import dev.ganlab.nn.Init;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.Linear;
import dev.ganlab.nn.Normalization;
import dev.ganlab.nn.Ops;
import dev.ganlab.nn.WeightScaling;

/**
 * ResNet19 (Kurach et al., ICML 2019; compare_gan's {@code resnet5_arch}, see {@link Resnet19Config}):
 * a generator of 5 residual up-blocks and a discriminator of 6 residual down-blocks for 128 px, with
 * ch = 64 (the names below in multiples of ch; {@code gWidth}, {@code dWidth} set ch).
 *
 * <p>Generator: {@code z (N, 128)} -> Linear (with bias) -> {@code (8ch, 4, 4)} -> blocks 8ch->8ch,
 * 8ch->4ch, 4ch->4ch, 4ch->2ch, 2ch->ch, each doubling the size -> batch norm -> ReLU -> 3x3 conv to
 * the image channels -> output. A generator block: shortcut = up(x) -> 3x3 conv; residual = BN -> ReLU
 * -> up -> 3x3 conv -> BN -> ReLU -> 3x3 conv; out = residual + shortcut. Batch norm as compare_gan
 * (momentum 0.1, eps 1e-5, scale 1, shift 0).
 *
 * <p>Discriminator: blocks B0 C->ch, then ch->2ch, 2ch->4ch, 4ch->4ch, 4ch->8ch, 8ch->8ch, each
 * halving the size (128 -> 2) -> ReLU -> mean over positions -> Linear -> 1 logit (the pooled
 * {@code (N, 8ch)} values are the features for feature matching). A discriminator block: shortcut =
 * 3x3 conv -> 2x2 average pool; residual = norm -> ReLU -> 3x3 conv -> norm -> ReLU -> 3x3 conv ->
 * 2x2 average pool; out = residual + shortcut. {@code resnet19.dNorm}: none (default), batch (compare_gan:
 * momentum 0.1, eps 1e-5), layer (over C, H, W with per-channel scale and shift; TF's eps 1e-12), or
 * spectral (every convolution, shortcuts included, and the final Linear). All convolutions are 3x3 with
 * 'SAME' padding and bias; weights start N(0, 0.02) (compare_gan v3's default; v2 drew convolution
 * weights from a truncated normal of the same std), biases 0.
 *
 * <p>Deviations, all exact reparametrisations: compare_gan's images are in [0, 1] (a sigmoid output;
 * D sees real images in [0, 1]); GAN Lab's are in [-1, 1]. The generator outputs
 * {@code tanh(a / 2) = 2 sigmoid(a) - 1} and the discriminator first maps its input back with
 * {@code (x + 1) / 2}, so both networks compute compare_gan's functions (the first block's ReLU acts on
 * [0, 1] images as there). compare_gan's up-sampling puts each value in the top-left corner of a 2x2
 * block of zeros ({@code unpool}) before a 3x3 'SAME' convolution; that is a 3x3 stride-2 transposed
 * convolution (padding 1, output padding 1) with the kernel flipped, which is how it is computed here
 * ({@code resnet19.upsample=nearest} copies values instead, as Miyato et al.'s chainer ResNets).
 *
 * <p>Other resolutions follow compare_gan's rule: a power of two from 4 to 128; the generator's
 * blocks after the first log2(s/4) keep the size, and a discriminator block whose input is already
 * 1x1 skips the pooling (TensorFlow's 'SAME' average pool of a 1x1 map returns it). 128 px is the
 * study's size; at 32 px the generator has 3 up-sampling blocks of 5.
 */
public final class Resnet19Model extends AbstractGanModel {

    private final Resnet19Config cfg;

    public Resnet19Model(Resnet19Config cfg, int channels, int resolution) {
        super(channels, resolution);
        cfg.validate();
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("ResNet19 channels must be 1 or 3, got " + channels);
        }
        if (resolution < Resnet19Config.SEED_SIZE || resolution > Resnet19Config.MAX_RESOLUTION
                || Integer.bitCount(resolution) != 1) {
            throw new IllegalArgumentException("ResNet19 resolution " + resolution
                    + " must be a power of two from 4 to 128 (compare_gan's rule; 128 is the study's size)");
        }
        this.cfg = cfg;
        setNetworks(newGenerator(), newDiscriminator());
    }

    public Resnet19Config config() {
        return cfg;
    }

    @Override
    public String name() {
        return "resnet19";
    }

    @Override
    public Block newGenerator() {
        int ch = cfg.gWidth;
        int s = Resnet19Config.SEED_SIZE;
        int upBlocks = Integer.numberOfTrailingZeros(resolution / s);
        SequentialBlock g = new SequentialBlock();
        long seed = (long) ch * Resnet19Config.G_MULTIPLIERS.get(0);
        g.add(Linear.builder().setUnits(seed * s * s).build());
        g.add(Lambda.reshape(seed, s, s));
        for (int i = 0; i < 5; i++) {
            long in = (long) ch * Resnet19Config.G_MULTIPLIERS.get(i);
            long out = (long) ch * Resnet19Config.G_MULTIPLIERS.get(i + 1);
            g.add(generatorBlock(in, out, i < upBlocks));
        }
        g.add(batchNorm());
        g.add(Lambda.relu());
        g.add(conv3x3(channels, WeightScaling.NONE));
        // compare_gan's sigmoid image in [0, 1], as GAN Lab's [-1, 1]: 2 sigmoid(a) - 1 = tanh(a / 2)
        g.add(new Lambda("2Sigmoid-1", a -> Activation.tanh(a.mul(0.5f)), sh -> sh));
        return g;
    }

    private Block generatorBlock(long in, long out, boolean up) {
        SequentialBlock residual = new SequentialBlock();
        residual.add(batchNorm());
        residual.add(Lambda.relu());
        residual.add(up ? upConv3x3(out) : conv3x3(out, WeightScaling.NONE));
        residual.add(batchNorm());
        residual.add(Lambda.relu());
        residual.add(conv3x3(out, WeightScaling.NONE));
        return new ResBlock(residual, up ? upConv3x3(out) : conv3x3(out, WeightScaling.NONE));
    }

    /** Features {@code (N, 8 ch)} (the pooled values) and the Linear head, as one block. */
    private FeatureHeadDiscriminator newDiscriminator() {
        Normalization norm = cfg.dNormalization();
        int ch = cfg.dWidth;
        SequentialBlock f = new SequentialBlock();
        // compare_gan's discriminator sees images in [0, 1]
        f.add(new Lambda("ToUnitRange", x -> x.add(1f).mul(0.5f), sh -> sh));
        f.add(discriminatorBlock(ch, norm));
        for (int i = 0; i < 5; i++) {
            f.add(discriminatorBlock((long) ch * Resnet19Config.D_MULTIPLIERS.get(i + 1), norm));
        }
        f.add(Lambda.relu());
        f.add(new Lambda("MeanOverPositions", x -> {
            Shape s = x.getShape();
            return x.sum(new int[] {2, 3}).div(s.get(2) * s.get(3));
        }, sh -> new Shape(sh.get(0), sh.get(1))));
        Block head = Linear.builder().setUnits(1).optScaling(norm.scaling()).build();
        return new FeatureHeadDiscriminator(f, head);
    }

    private Block discriminatorBlock(long out, Normalization norm) {
        SequentialBlock residual = new SequentialBlock();
        addNorm(residual, norm);
        residual.add(Lambda.relu());
        residual.add(conv3x3(out, norm.scaling()));
        addNorm(residual, norm);
        residual.add(Lambda.relu());
        residual.add(conv3x3(out, norm.scaling()));
        residual.add(sameAvgPool());
        SequentialBlock shortcut = new SequentialBlock();
        shortcut.add(conv3x3(out, norm.scaling()));
        shortcut.add(sameAvgPool());
        return new ResBlock(residual, shortcut);
    }

    private static void addNorm(SequentialBlock b, Normalization norm) {
        if (norm.hasLayer()) {
            b.add(norm.newLayer(Init.ones(), Resnet19Config.LAYER_NORM_EPS));
        }
    }

    /** 2x2 average pooling, stride 2; a 1x1 map stays as it is (TensorFlow's 'SAME' pooling). */
    private static Lambda sameAvgPool() {
        return new Lambda("AvgPool2x(SAME)", x -> x.getShape().get(2) < 2 ? x : Ops.avgPool2x(x),
                s -> s.get(2) < 2 ? s : new Shape(s.get(0), s.get(1), s.get(2) / 2, s.get(3) / 2));
    }

    private static BatchNorm batchNorm() {
        return new BatchNorm(BatchNorm.DEFAULT_MOMENTUM, BatchNorm.DEFAULT_EPS, Init.ones());
    }

    private static Conv2d conv3x3(long out, WeightScaling ws) {
        return Conv2d.builder().setChannels(out).setKernel(3).optPadding(1).optScaling(ws).build();
    }

    /** Doubles the size, then a 3x3 convolution (see the class comment for the two forms). */
    private Block upConv3x3(long out) {
        if (cfg.upsample.equals("nearest")) {
            return Conv2d.builder().setChannels(out).setKernel(3).optPadding(1).optUpsample2x(true).build();
        }
        return ConvTranspose2d.builder().setChannels(out).setKernel(3).optStride(2).optPadding(1).optOutputPadding(1)
                .build();
    }

    @Override
    public boolean discriminatorUsesBatchStatistics() {
        return cfg.dNormalization().usesBatchStatistics();
    }

    @Override
    protected long latentDim() {
        return cfg.latentDim;
    }

    /** Latents from U(-1, 1) (compare_gan) or N(0, I), as {@code resnet19.latent} says. */
    @Override
    public NDArray sampleLatent(NDManager manager, int batch) {
        return sampleLatent(manager, batch, cfg.latent);
    }
}
