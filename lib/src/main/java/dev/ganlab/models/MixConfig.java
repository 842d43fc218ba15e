package dev.ganlab.models;

/**
 * Components of one GAN family put into another model by configuration (the {@code mix.*} settings;
 * minibatch discrimination is {@code tricks.minibatchDiscrimination}, DiffAugment {@code augment}).
 * Each is off by default, so a model is its paper's unless asked otherwise. Where each component goes
 * in each model is written in {@link Mix}; {@link MixSupport} rejects a setting a model cannot take,
 * naming the key and the model.
 */
public final class MixConfig {

    /**
     * Spectral normalisation (Miyato et al., ICLR 2018) on every weight layer of the discriminator
     * (convolutions and dense layers; ProGAN's equalized layers become spectral ones). Models whose
     * discriminator is spectral already (sndcgan, fastgan, dcgan/gan with {@code dNorm=spectral}) keep it.
     */
    public boolean dSpectralNorm = false;

    /**
     * Minibatch standard deviation (ProGAN, Karras et al., ICLR 2018, sec. 3) in the discriminator with
     * this group size (below 2 = off; ProGAN's official code uses 4). ProGAN has its own setting,
     * {@code progan.mbstdGroupSize}.
     */
    public int dMbstd = 0;

    /**
     * Skip-layer excitation (FastGAN, Liu et al., ICLR 2021) in the DCGAN and ProGAN generators: a small
     * feature map gates the channels of a large one (pairs: {@link SlePlacement}). FastGAN has its own
     * setting, {@code fastgan.sle}.
     */
    public boolean gSle = false;

    /** True when no component is asked for. */
    public boolean isEmpty() {
        return !dSpectralNorm && dMbstd < 2 && !gSle;
    }
}
