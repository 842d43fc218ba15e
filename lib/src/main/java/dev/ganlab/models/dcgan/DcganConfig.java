package dev.ganlab.models.dcgan;

import java.util.List;

/**
 * Settings of the DCGAN family: {@code dcgan} (Radford et al., ICLR 2016) and {@code sndcgan}, the
 * "SNDCGAN" of compare_gan (Kurach et al., "A Large-Scale Study of Regularization and Normalization
 * in GANs", ICML 2019), i.e. the "standard CNN" of Miyato et al. (SNGAN, ICLR 2018, table 3) as
 * compare_gan builds it. Fields left null take the chosen model's default ({@link #fillDefaults}).
 *
 * <p>dcgan's generator defaults to the paper's ({@code generator = "paper"}, as Radford et al.'s
 * official code Newmu/dcgan_code); {@code "pytorchgan"} is eriklindernoren/PyTorch-GAN's layout
 * (upsample + conv), GAN Lab's DCGAN generator before the transposed convolution existed.
 * Likewise dcgan's discriminator defaults to the paper's ({@code discriminator = "paper"}: 5x5
 * stride-2 convolutions, batch norm, LeakyReLU 0.2, no dropout, ndf = 128); {@code "pytorchgan"} is
 * PyTorch-GAN's (3x3 convolutions of 16..128 channels with Dropout2d 0.25), GAN Lab's dcgan
 * discriminator before this one. {@code dWidth} and {@code dDropout} default to the chosen layout's.
 */
public final class DcganConfig {

    /** DCGAN paper and official code: latent dimension 100. */
    public static final int LATENT_DIM = 100;
    /** compare_gan's SNDCGAN (example_configs/sndcgan_celebahq128.gin, z_dim) and Miyato et al.: 128. */
    public static final int SN_LATENT_DIM = 128;
    /**
     * DCGAN official code: ngf = 128 filters in the generator's last hidden layer, doubling toward
     * the input (1024 at 4x4 for 64 px). PyTorch-GAN layout: 128 in its first layer, then 64.
     */
    public static final int G_WIDTH = 128;
    /** PyTorch-GAN DCGAN: discriminator widths 16, 32, 64, 128 (base 16). */
    public static final int D_WIDTH = 16;
    /**
     * DCGAN official code (faces/train_uncond_dcgan.py): ndf = 128 filters in the discriminator's first
     * layer, doubling per layer (128, 256, 512, 1024 at 64 px).
     */
    public static final int PAPER_D_WIDTH = 128;
    /** compare_gan SNDCGAN: generator widths 512, 256, 128, 64 (64 in the last hidden layer). */
    public static final int SN_G_WIDTH = 64;
    /** compare_gan SNDCGAN: discriminator widths 64, 128, 128, 256, 256, 512, 512 (base 64). */
    public static final int SN_D_WIDTH = 64;
    /** PyTorch-GAN DCGAN: Dropout2d(0.25) after each discriminator block (the paper's code has no dropout). */
    public static final float D_DROPOUT = 0.25f;
    /** DCGAN paper: LeakyReLU slope 0.2 in the discriminator. */
    public static final float LEAKY_SLOPE = 0.2f;
    /** Miyato et al. 2018 (standard CNN) and compare_gan SNDCGAN: LeakyReLU slope 0.1. */
    public static final float SN_LEAKY_SLOPE = 0.1f;
    /** Salimans et al.'s code: reference batch = batch size, 64. */
    public static final int VBN_REFERENCE = 64;
    /** The generator normalisers. */
    public static final List<String> G_NORMS = List.of("batch", "vbn");
    /** The discriminator normalisers ("auto" resolves to one of the others). */
    public static final List<String> D_NORMS = List.of("auto", "batch", "layer", "spectral", "none", "vbn");
    /** The dcgan generator layouts: the paper's (default) and PyTorch-GAN's. */
    public static final List<String> GENERATORS = List.of("paper", "pytorchgan");
    /** The dcgan discriminator layouts: the paper's (default) and PyTorch-GAN's. */
    public static final List<String> DISCRIMINATORS = List.of("paper", "pytorchgan");

    /** "dcgan" or "sndcgan" (set from the training config's {@code model}). */
    public String variant = "dcgan";
    /**
     * dcgan's generator: "paper" (Radford et al.: projected z, 5x5 stride-2 transposed convolutions
     * with batch norm and ReLU, tanh) or "pytorchgan" (PyTorch-GAN: upsample + 3x3 conv, LeakyReLU).
     * sndcgan always uses compare_gan's generator and rejects "pytorchgan".
     */
    public String generator = "paper";
    /**
     * dcgan's discriminator: "paper" (Radford et al.'s official code: 5x5 stride-2 convolutions without
     * bias, batch norm on all but the first, LeakyReLU 0.2, dense to 1 logit) or "pytorchgan"
     * (PyTorch-GAN: 3x3 stride-2 convolutions, Dropout2d, four blocks of 16..128 channels). sndcgan
     * always uses compare_gan's discriminator and rejects "pytorchgan".
     */
    public String discriminator = "paper";
    /**
     * Latent distribution: "uniform" on [-1, 1]^d (DCGAN paper, figure 1, and its code; compare_gan's
     * default {@code z_generator}) or "normal" N(0, I) (PyTorch-GAN, most later GANs).
     */
    public String latent = "uniform";
    /** Latent size; null = 100 (dcgan) or 128 (sndcgan). */
    public Integer latentDim;
    /** Generator width (see {@link #G_WIDTH}, {@link #SN_G_WIDTH}); null = the model's. */
    public Integer gWidth;
    /**
     * Discriminator base width; null = the layout's: {@link #PAPER_D_WIDTH} (dcgan paper),
     * {@link #D_WIDTH} (dcgan pytorchgan), {@link #SN_D_WIDTH} (sndcgan).
     */
    public Integer dWidth;
    /**
     * Normalisation in the discriminator ({@link dev.ganlab.nn.Normalization}): "batch", "layer",
     * "spectral" (spectral norm on every layer), "none" or "vbn"; "auto" = dcgan: batch (both layouts), or
     * layer under a gradient penalty (WGAN-GP's advice for penalised critics); sndcgan: spectral
     * (compare_gan). compare_gan's SNDCGAN accepts spectral and none only (the large-scale study's
     * SNDCGAN runs); batch and layer there are GAN Lab's extension, placed as compare_gan's DCGAN
     * discriminator places batch norm: after every convolution but the first, before the LeakyReLU.
     * "vbn" (GAN Lab's extension for both models): virtual batch normalisation
     * ({@link dev.ganlab.nn.VirtualBatchNorm}) where batch norm would be, with a reference batch of
     * {@link #vbnReference} real training images drawn once when training starts and kept in the
     * checkpoints; Salimans et al. used VBN in the generator only (their discriminator normalises
     * with batch statistics), see {@link DcganModel}. Not offered with class-conditional models.
     */
    public String dNorm = "auto";
    /**
     * Normalisation in the generator: "batch" (both papers) or "vbn", virtual batch normalisation
     * (Salimans et al. 2016, who used it in their generator; {@link dev.ganlab.nn.VirtualBatchNorm})
     * in place of every batch-norm layer, with a reference batch of {@link #vbnReference} latents
     * drawn when the generator is initialised.
     */
    public String gNorm = "batch";
    /**
     * Rows of VBN's reference batches: latents for {@code gNorm=vbn}, real images for
     * {@code dNorm=vbn}. Salimans et al.'s code uses the training batch size (64 in its ImageNet
     * run); GAN Lab fixes it per network, 64 by default.
     */
    public int vbnReference = VBN_REFERENCE;
    /**
     * Dropout2d rate after each discriminator block of dcgan; null = the layout's: 0 for "paper" (the
     * code has none; a positive rate is GAN Lab's option, after each LeakyReLU), {@link #D_DROPOUT}
     * for "pytorchgan". sndcgan's discriminator has no dropout and does not read this setting (runs made
     * before this field became nullable store 0.25 for it).
     */
    public Float dDropout;
    /** Minibatch discrimination kernels before the last layer (0 = off); Salimans et al. used 100. */
    public int minibatchKernels = 0;
    public int minibatchKernelDim = 5;

    /** Fills null sizes with the defaults of {@link #variant}; returns this. */
    public DcganConfig fillDefaults() {
        boolean sn = "sndcgan".equals(variant);
        if (latentDim == null) {
            latentDim = sn ? SN_LATENT_DIM : LATENT_DIM;
        }
        if (gWidth == null) {
            gWidth = sn ? SN_G_WIDTH : G_WIDTH;
        }
        boolean pytorchganD = !sn && "pytorchgan".equals(discriminator);
        if (dWidth == null) {
            dWidth = sn ? SN_D_WIDTH : pytorchganD ? D_WIDTH : PAPER_D_WIDTH;
        }
        if (dDropout == null) {
            dDropout = pytorchganD ? D_DROPOUT : 0f;
        }
        if (sn && "auto".equals(dNorm)) {
            dNorm = "spectral"; // compare_gan's SNDCGAN; dcgan's auto depends on the penalty (TrainConfig)
        }
        return this;
    }

    /** Checks the values (after {@link #fillDefaults}); the message names the setting at fault. */
    public void validate() {
        if (!"dcgan".equals(variant) && !"sndcgan".equals(variant)) {
            throw new IllegalArgumentException("dcgan.variant '" + variant + "': use dcgan or sndcgan");
        }
        if (!GENERATORS.contains(generator)) {
            throw new IllegalArgumentException("dcgan.generator '" + generator + "': use " + String.join(" or ", GENERATORS));
        }
        if (variant.equals("sndcgan") && !generator.equals("paper")) {
            throw new IllegalArgumentException("dcgan.generator '" + generator
                    + "' is for model dcgan; sndcgan has compare_gan's generator (leave dcgan.generator=paper)");
        }
        if (!DISCRIMINATORS.contains(discriminator)) {
            throw new IllegalArgumentException("dcgan.discriminator '" + discriminator + "': use "
                    + String.join(" or ", DISCRIMINATORS));
        }
        if (variant.equals("sndcgan") && !discriminator.equals("paper")) {
            throw new IllegalArgumentException("dcgan.discriminator '" + discriminator
                    + "' is for model dcgan; sndcgan has compare_gan's discriminator (leave dcgan.discriminator=paper)");
        }
        if (!"uniform".equals(latent) && !"normal".equals(latent)) {
            throw new IllegalArgumentException("dcgan.latent '" + latent + "': use uniform or normal");
        }
        if (!D_NORMS.contains(dNorm)) {
            throw new IllegalArgumentException("dcgan.dNorm '" + dNorm + "': use " + String.join(", ", D_NORMS));
        }
        if (!G_NORMS.contains(gNorm)) {
            throw new IllegalArgumentException("dcgan.gNorm '" + gNorm + "': use " + String.join(" or ", G_NORMS));
        }
        if (vbnReference < 1) {
            throw new IllegalArgumentException("dcgan.vbnReference " + vbnReference + " must be >= 1");
        }
        if (latentDim == null || gWidth == null || dWidth == null || dDropout == null) {
            throw new IllegalArgumentException("dcgan.latentDim, gWidth, dWidth and dDropout must be set (fillDefaults)");
        }
        if (latentDim < 1 || gWidth < 2 || dWidth < 1) {
            throw new IllegalArgumentException("dcgan sizes must be positive: latentDim=" + latentDim + ", gWidth="
                    + gWidth + ", dWidth=" + dWidth);
        }
        if (!(dDropout >= 0 && dDropout < 1)) {
            throw new IllegalArgumentException("dcgan.dDropout " + dDropout + " must be in [0, 1)");
        }

        if (minibatchKernels < 0 || minibatchKernelDim < 1) {
            throw new IllegalArgumentException("dcgan.minibatchKernels/minibatchKernelDim invalid: " + minibatchKernels
                    + "/" + minibatchKernelDim);
        }
    }
}
