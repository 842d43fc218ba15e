package dev.ganlab.models.dcgan;

/**
 * Settings of the DCGAN family. Defaults follow the DCGAN paper (Radford et al., ICLR 2016) and the
 * PyTorch-GAN reference architecture; {@code variant = "sndcgan"} swaps in the spectrally normalised
 * CNN discriminator of Miyato et al. (ICLR 2018), as compared in "Are GANs Created Equal?" /
 * compare_gan.
 */
public final class DcganConfig {

    /** DCGAN paper: latent dimension 100. */
    public static final int LATENT_DIM = 100;
    /** PyTorch-GAN DCGAN: generator width 128 (then 64). */
    public static final int G_WIDTH = 128;
    /** PyTorch-GAN DCGAN: discriminator widths 16, 32, 64, 128 (base 16). */
    public static final int D_WIDTH = 16;
    /** PyTorch-GAN DCGAN: Dropout2d(0.25) after each discriminator block. */
    public static final float D_DROPOUT = 0.25f;
    /** DCGAN paper: LeakyReLU slope 0.2 in the discriminator. */
    public static final float LEAKY_SLOPE = 0.2f;
    /** Miyato et al. 2018 (SN-CNN): LeakyReLU slope 0.1. */
    public static final float SN_LEAKY_SLOPE = 0.1f;

    /** "dcgan" (PyTorch-GAN D) or "sndcgan" (Miyato's spectrally normalised CNN D). */
    public String variant = "dcgan";
    public int latentDim = LATENT_DIM;
    public int gWidth = G_WIDTH;
    public int dWidth = D_WIDTH;
    /**
     * Normalisation in the DCGAN discriminator: "auto" (batch, or layer under a gradient penalty), "batch"
     * (PyTorch-GAN), "layer" (WGAN-GP's advice for
     * penalised critics), "spectral" (spectral norm on every layer, no batch norm) or "none".
     * Ignored by sndcgan, which is always spectral.
     */
    public String dNorm = "auto";
    public float dDropout = D_DROPOUT;
    /** Minibatch discrimination kernels before the last layer (0 = off); Salimans et al. used 100. */
    public int minibatchKernels = 0;
    public int minibatchKernelDim = 5;

    /** Checks the values; the message names the setting at fault. */
    public void validate() {
        if (!variant.equals("dcgan") && !variant.equals("sndcgan")) {
            throw new IllegalArgumentException("dcgan.variant '" + variant + "': use dcgan or sndcgan");
        }
        if (!java.util.List.of("auto", "batch", "layer", "spectral", "none").contains(dNorm)) {
            throw new IllegalArgumentException("dcgan.dNorm '" + dNorm + "': use auto, batch, layer, spectral or none");
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
