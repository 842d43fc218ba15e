package dev.ganlab.models.dcgan;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.initializer.Initializer;
import dev.ganlab.models.FeatureHeadDiscriminator;
import dev.ganlab.models.Mix;
import dev.ganlab.nn.Conv2d;
import dev.ganlab.nn.Dropout2d;
import dev.ganlab.nn.Init;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.LayerNorm;
import dev.ganlab.nn.Linear;
import dev.ganlab.nn.MinibatchDiscrimination;
import dev.ganlab.nn.Normalization;
import dev.ganlab.nn.ReferenceBatch;
import dev.ganlab.nn.VirtualBatchNorm;
import dev.ganlab.nn.WeightScaling;

/**
 * The DCGAN family's discriminators: a feature extractor and a head as one block
 * ({@link FeatureHeadDiscriminator}), whose forward returns {@code (logits (N), features (N, F))} so
 * losses such as feature matching can use the last hidden layer. The three layouts are built by {@link #paper}, {@link #pytorchgan} and
 * {@link #sndcgan}; {@link DcganModel}'s class comment describes them. All weights start N(0, 0.02)
 * (the {@link Conv2d} and {@link Linear} default, both papers' codes), biases 0.
 *
 * <p>With virtual batch norm ({@link Norm#vbn}) the convolution stack (every layer before minibatch
 * stddev and the flatten) is wrapped in a {@link ReferenceBatch}: the reference images are appended
 * to every input and their rows removed before mbstd, the flatten and the head, so minibatch stddev
 * and minibatch discrimination see the minibatch alone, as without VBN.
 */
final class DcganDiscriminator extends FeatureHeadDiscriminator {

    private DcganDiscriminator(Block features, Block head) {
        super(features, head);
    }

    /**
     * The discriminator's normaliser: one of {@link Normalization}'s, or virtual batch norm
     * ({@code dcgan.dNorm=vbn}: {@code kind} NONE, {@code vbnReference} rows of real images drawn by
     * {@code referenceInit}).
     */
    record Norm(Normalization kind, int vbnReference, Initializer referenceInit) {

        static Norm of(Normalization kind) {
            return new Norm(kind, 0, null);
        }

        static Norm vbn(int reference, Initializer referenceInit) {
            return new Norm(Normalization.NONE, reference, referenceInit);
        }

        boolean isVbn() {
            return vbnReference > 0;
        }

        boolean hasLayer() {
            return isVbn() || kind.hasLayer();
        }

        /** The layer after a convolution: VBN (the authors' eps 1e-5), batch or layer norm. */
        Block newLayer(Initializer gammaInit, float layerNormEps) {
            return isVbn() ? new VirtualBatchNorm(vbnReference, VirtualBatchNorm.EPS, gammaInit)
                    : kind.newLayer(gammaInit, layerNormEps);
        }

        WeightScaling scaling() {
            return kind.scaling();
        }

        /** Where the convolutions go: {@code features} itself, or a stack the reference batch will wrap. */
        SequentialBlock stack(SequentialBlock features) {
            return isVbn() ? new SequentialBlock() : features;
        }

        /** Adds {@code stack} to {@code features} inside a {@link ReferenceBatch} under VBN (else it is there). */
        void close(SequentialBlock features, SequentialBlock stack) {
            if (isVbn()) {
                features.add(new ReferenceBatch(stack, vbnReference, referenceInit));
            }
        }
    }

    /**
     * Radford et al.'s discriminator (Newmu/dcgan_code, faces/train_uncond_dcgan.py {@code discrim}):
     * [5x5 stride-2 conv without bias (padding 2: exactly half the size), norm (not on the first),
     * LeakyReLU 0.2] per halving down to {@link DcganModel#paperStartSize}, widths {@code dWidth}
     * doubling (128, 256, 512, 1024 at 64 px), then a dense layer without bias to 1 logit.
     * {@code dDropout > 0} (GAN Lab's option; the code has none) adds Dropout2d after each LeakyReLU.
     */
    static DcganDiscriminator paper(DcganConfig cfg, Norm norm, int resolution, Mix mix) {
        int s0 = DcganModel.paperStartSize(resolution);
        int layers = Integer.numberOfTrailingZeros(resolution / s0); // stride-2 layers, as the generator's
        return strided(cfg, norm, mix, layers, StridedLayout.PAPER);
    }

    /**
     * PyTorch-GAN's discriminator (implementations/dcgan/dcgan.py): four [conv 3x3 stride 2 with
     * bias, LeakyReLU 0.2, Dropout2d, norm (not on the first)] blocks of {@code dWidth} (16) doubling,
     * then a linear layer with bias to 1 logit.
     */
    static DcganDiscriminator pytorchgan(DcganConfig cfg, Norm norm, Mix mix) {
        return strided(cfg, norm, mix, 4, StridedLayout.PYTORCHGAN);
    }

    /**
     * What sets the paper's and PyTorch-GAN's stride-2 layers apart: the kernel and its padding (half
     * the size exactly, either way), biases on the convolutions and the head, and whether the norm
     * follows the LeakyReLU (and dropout) or sits between the convolution and it.
     */
    private record StridedLayout(int kernel, int padding, boolean bias, boolean normAfterActivation) {
        static final StridedLayout PAPER = new StridedLayout(5, 2, false, false);
        static final StridedLayout PYTORCHGAN = new StridedLayout(3, 1, true, true);
    }

    /** {@code layers} stride-2 blocks of {@code dWidth} doubling as {@code l} lays them out, then the head. */
    private static DcganDiscriminator strided(DcganConfig cfg, Norm norm, Mix mix, int layers, StridedLayout l) {
        WeightScaling ws = mix.dScaling(norm.scaling());
        SequentialBlock f = new SequentialBlock();
        SequentialBlock stack = norm.stack(f);
        long c = cfg.dWidth;
        for (int i = 0; i < layers; i++) {
            stack.add(Conv2d.builder().setChannels(c).setKernel(l.kernel).optStride(2).optPadding(l.padding).optBias(l.bias)
                    .optScaling(ws).build());
            // both codes leave the first layer unnormalised; scales start as the paper code's gain_ifn
            Block n = i > 0 && norm.hasLayer() ? norm.newLayer(Init.normal(1, Init.DCGAN_STD), LayerNorm.EPS) : null;
            if (n != null && !l.normAfterActivation) {
                stack.add(n);
            }
            stack.add(Lambda.leakyRelu(DcganConfig.LEAKY_SLOPE));
            if (cfg.dDropout > 0) {
                stack.add(new Dropout2d(cfg.dDropout));
            }
            if (n != null && l.normAfterActivation) {
                stack.add(n);
            }
            c *= 2;
        }
        norm.close(f, stack);
        mix.addMbstd(f); // (N, C + 1, h, w) with mix.dMbstd
        f.add(Lambda.flatten());
        return new DcganDiscriminator(f, head(cfg, ws, l.bias));
    }

    /** compare_gan's SNDCGAN discriminator (compare_gan/architectures/sndcgan.py). */
    static DcganDiscriminator sndcgan(DcganConfig cfg, Norm norm, Mix mix) {
        WeightScaling ws = mix.dScaling(norm.scaling());
        SequentialBlock f = new SequentialBlock();
        SequentialBlock stack = norm.stack(f);
        int d = cfg.dWidth;
        boolean first = true;
        // {width multiple, kernel, stride} of compare_gan's seven convolutions
        int[][] layers = {{1, 3, 1}, {2, 4, 2}, {2, 3, 1}, {4, 4, 2}, {4, 3, 1}, {8, 4, 2}, {8, 3, 1}};
        for (int[] l : layers) {
            stack.add(Conv2d.builder().setChannels((long) l[0] * d).setKernel(l[1]).optStride(l[2]).optPadding(1)
                    .optScaling(ws).build());
            if (!first && norm.hasLayer()) {
                // GAN Lab's extension (see DcganConfig.dNorm); TF's layer_norm eps as in compare_gan's models
                stack.add(norm.newLayer(Init.ones(), 1e-12f));
            }
            first = false;
            stack.add(Lambda.leakyRelu(DcganConfig.SN_LEAKY_SLOPE));
        }
        norm.close(f, stack);
        mix.addMbstd(f); // (N, C + 1, h, w) with mix.dMbstd
        f.add(Lambda.flatten());
        return new DcganDiscriminator(f, head(cfg, ws, true));
    }

    private static SequentialBlock head(DcganConfig cfg, WeightScaling ws, boolean bias) {
        SequentialBlock h = new SequentialBlock();
        if (cfg.minibatchKernels > 0) {
            h.add(new MinibatchDiscrimination(cfg.minibatchKernels, cfg.minibatchKernelDim));
        }
        h.add(Linear.builder().setUnits(1).optBias(bias).optScaling(ws).build());
        return h;
    }
}
