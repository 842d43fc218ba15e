package dev.ganlab.models.fastgan;

import dev.ganlab.nn.SkipLayerExcitation;
import dev.ganlab.nn.DiffAugment;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings of FastGAN (Liu et al., ICLR 2021, "Towards Faster and Stabilized GAN Training for
 * High-fidelity Few-shot Image Synthesis"; official code odegeasslbc/FastGAN-pytorch). Public fields
 * with defaults (Gson-serialisable); the training defaults of the paper and its code are constants
 * here for the training loop to use.
 *
 * <p>Widths: {@code gWidth} and {@code dWidth} are the official {@code ngf} and {@code ndf} (64); the
 * channel count of a map at resolution r is {@code multiplier(r) * width} from the tables below, so
 * a smaller width scales the whole network down for CPU runs (e.g. 8 or 16).
 */
public final class FastganConfig {

    // ---- training defaults (the defaults of FastganPreset) ----

    /** Official train.py: Adam learning rate 2e-4 for G and D. */
    public static final float LEARNING_RATE = 2e-4f;
    /** Official train.py: Adam beta1 0.5. */
    public static final float BETA1 = 0.5f;
    /** Official train.py: Adam beta2 0.999. */
    public static final float BETA2 = 0.999f;
    /** Official train.py: batch size 8. */
    public static final int BATCH_SIZE = 8;
    /** Official train.py: EMA of the generator's weights, {@code avg = 0.999 avg + 0.001 w}. */
    public static final float EMA_DECAY = 0.999f;
    /**
     * Official train.py: hinge loss with a random margin per score, {@code relu(m - D(x))} and
     * {@code relu(m + D(G(z)))} with {@code m ~ U(0.8, 1)} ({@code rand * 0.2 + 0.8}).
     */
    public static final float HINGE_MARGIN_LOW = 0.8f;
    /** Upper end of the hinge margin, see {@link #HINGE_MARGIN_LOW}. */
    public static final float HINGE_MARGIN_HIGH = 1.0f;
    /**
     * DiffAugment policy of FastGAN's official train.py ({@code policy = 'color,translation'}), the
     * default. Each network input is augmented on its own: the real batch once (D takes its 128 px
     * copy after augmenting), and G's two outputs each with their own draws, as train.py does.
     */
    public static final String DIFFAUGMENT_POLICY = "color,translation";
    /** Same as {@link #DIFFAUGMENT_POLICY}; kept for callers that name the official code's policy. */
    public static final String OFFICIAL_CODE_POLICY = DIFFAUGMENT_POLICY;
    /**
     * All three DiffAugment ops, DiffAugment's own recommendation for few-shot data (Zhao et al.,
     * NeurIPS 2020) and this project's FastGAN default before it followed train.py: an option
     * ({@code augment=color,translation,cutout}).
     */
    public static final String DIFFAUGMENT_WITH_CUTOUT = "color,translation,cutout";

    // ---- architecture defaults ----

    /** Official train.py: latent size nz = 256. */
    public static final int LATENT_DIM = 256;
    /** Official train.py: ngf = 64. */
    public static final int G_WIDTH = 64;
    /** Official train.py: ndf = 64. */
    public static final int D_WIDTH = 64;
    /** Official SimpleDecoder: its channel table is built on 32. */
    public static final int DECODER_WIDTH = 32;
    /** Official SimpleDecoder: 8x8 features are decoded to 128x128 images. */
    public static final int DECODER_SIZE = 128;
    /** Official code: LeakyReLU(0.2) throughout the discriminator. */
    public static final float D_LEAKY_SLOPE = 0.2f;
    /** Official train.py: the reconstruction terms are added to the hinge loss with weight 1. */
    public static final float RECON_WEIGHT = 1f;
    /**
     * Official Discriminator: the second branch scores a 128 px copy of the image (G's 128 px output
     * for fakes). Below 256 px, where the official code does not go, it takes half the image side.
     */
    public static final int SMALL_SIZE = 128;
    /** Output sizes the model builds. */
    public static final List<Integer> RESOLUTIONS = List.of(64, 128, 256, 512, 1024);

    /** Official Generator {@code nfc_multi}: channels of the generator's map at each resolution, per unit of gWidth. */
    public static final Map<Integer, Double> G_CHANNELS = table(4, 16.0, 8, 8.0, 16, 4.0, 32, 2.0, 64, 2.0,
            128, 1.0, 256, 0.5, 512, 0.25, 1024, 0.125);
    /**
     * Official Discriminator: channels of the discriminator's map at each resolution, per unit of
     * dWidth (its {@code nfc[2r]}: the 256 px map has nfc[512] = ndf / 4 channels, the 8x8 map nfc[16]
     * = 8 ndf).
     */
    public static final Map<Integer, Double> D_CHANNELS = table(512, 0.125, 256, 0.25, 128, 0.5, 64, 1.0,
            32, 2.0, 16, 4.0, 8, 8.0);
    /** Official Discriminator: the logit head's hidden 1x1 convolution has nfc[8] = 16 ndf channels. */
    public static final double D_HEAD_CHANNELS = 16.0;
    /** Official SimpleDecoder: channels after each 2x upsampling block, by output resolution, per unit of decoderWidth. */
    public static final Map<Integer, Double> DECODER_CHANNELS = table(16, 4.0, 32, 2.0, 64, 2.0, 128, 1.0, 256, 0.5);
    /**
     * Official Generator: SLE pairs, high resolution to the low resolution that gates it (se_64,
     * se_128, se_256, se_512; the 1024 map has none). Smaller outputs use the pairs that fit.
     */
    public static final Map<Integer, Integer> G_SLE_SOURCES = Map.of(64, 4, 128, 8, 256, 16, 512, 32);
    /** Official Discriminator: SLE pairs se_2_16, se_4_32, se_8_64 (resolutions 256->32, 128->16, 64->8). */
    public static final Map<Integer, Integer> D_SLE_SOURCES = Map.of(32, 256, 16, 128, 8, 64);

    // ---- settings ----

    /** Latent size; the generator takes {@code (N, latentDim)} (or {@code (N, latentDim, 1, 1)}). */
    public int latentDim = LATENT_DIM;
    /** Generator width (official ngf). */
    public int gWidth = G_WIDTH;
    /** Discriminator width (official ndf). */
    public int dWidth = D_WIDTH;
    /** Width of the discriminator's reconstruction decoders. */
    public int decoderWidth = DECODER_WIDTH;
    /** Largest side of a decoder's output (full image); outputs are min(this, image side) and min(this, side / 2). */
    public int decoderSize = DECODER_SIZE;
    /**
     * Generator upsampling blocks: "official" (default; the official models.py: UpBlockComp, two convs
     * each followed by noise, BN and GLU, at 8, 32, 128, 512 px; UpBlock, one conv without noise, at
     * 16, 64, 256, 1024 px) or "single" (one conv + noise + BN + GLU at every resolution, as the
     * paper's figure reads; this project's earlier default).
     */
    public String upBlocks = "official";
    /**
     * Skip-layer excitation (SLE) on: the low-resolution maps gate the channels of the high-resolution
     * ones, in the generator ({@link #G_SLE_SOURCES}, the paper's module) and in the discriminator
     * ({@link #D_SLE_SOURCES}, as the official code). {@code false} builds both networks without any
     * SLE: every high-resolution map goes on ungated, the layers and output shapes are otherwise the
     * same. For ablations (with vs without SLE at the same budget).
     */
    public boolean sle = true;
    /** Spectral norm on the generator's layers (the official code applies it to every G conv). */
    public boolean gSpectralNorm = true;
    /**
     * SLE nonlinearity: "swish" (official code, which trained the paper's models: the default) or
     * "leaky_relu" (the paper's text, slope 0.1); unused when {@code sle} is off.
     */
    public String sleActivation = SkipLayerExcitation.Activation.SWISH.key();
    /**
     * What the discriminator returns as logits: "patches" (the official {@code view(-1)} of the 5x5
     * map of scores, N*25 values, image-major) or "mean" (one score per image, the map's mean).
     */
    public String logits = "patches";
    /**
     * The discriminator's second branch, as the official code: G also returns a 128 px image
     * (a 1x1 conv of its 128 px map, {@code to_128}), D scores it (and a 128 px copy of each real
     * image) with its own small backbone and head ({@code down_from_small}, {@code rf_small}), and a
     * third decoder reconstructs the real image from that branch. The logits are the two branches'
     * scores concatenated ({@code torch.cat([rf_0, rf_1])}), so the hinge loss is their mean over both.
     * {@code false}: one branch, two decoders, G returns one image (this project's earlier default).
     */
    public boolean smallBranch = true;
    /**
     * Where G applies tanh: "official" (as the official Generator.forward: tanh on both outputs at
     * 1024 px only; at 256 and 512 px, and at the 64 and 128 px this project adds, both outputs are the
     * unbounded conv outputs) or "always" (tanh on every output, this project's earlier behaviour).
     */
    public String outputTanh = "official";
    /**
     * How images are brought to a smaller size for the small branch's input and the reconstruction
     * targets: "nearest" (the official code's {@code F.interpolate} default, which keeps every k-th
     * pixel) or "area" (block means, this project's earlier behaviour).
     */
    public String resize = "nearest";
    /**
     * Reconstruction distance: "mse" (default; a deviation: the official code uses LPIPS, whose
     * weights are not available offline; 4 x the per-image MSE, calibrated against an LPIPS-shaped
     * distance on random VGG16 features with one assumed anchor, see {@link ReconstructionLoss#MSE_TO_LPIPS}),
     * "l1", "l1+mse", or "lpips=PATH" (a TorchScript LPIPS: with the default sum and weight 1, the
     * official loss).
     */
    public String reconLoss = "mse";
    /**
     * How the per-image distances of a batch are combined: "sum" (the official {@code percept(...).sum()})
     * or "mean" (this project's earlier behaviour, independent of the batch size).
     */
    public String reconReduction = "sum";
    /** Weight of the summed reconstruction terms in the discriminator's auxiliary loss. */
    public float reconWeight = RECON_WEIGHT;

    /**
     * Side of the small branch's images for output side {@code resolution}: {@link #SMALL_SIZE} from
     * 256 px up (the official code), half the side below (64 and 128 px, which the official code does
     * not build).
     */
    public static int smallSize(int resolution) {
        return resolution >= 2 * SMALL_SIZE ? SMALL_SIZE : resolution / 2;
    }

    /** Whether G's outputs pass through tanh at output side {@code resolution} (see {@link #outputTanh}). */
    public boolean tanhAt(int resolution) {
        return outputTanh.equals("always") || resolution == 1024;
    }

    /** Channels of a generator map at {@code resolution}. */
    public int gChannels(int resolution) {
        return channels(G_CHANNELS, resolution, gWidth, "generator");
    }

    /** Channels of a discriminator map at {@code resolution}. */
    public int dChannels(int resolution) {
        return channels(D_CHANNELS, resolution, dWidth, "discriminator");
    }

    /** Channels of the discriminator's logit head. */
    public int dHeadChannels() {
        return Math.max(1, (int) (D_HEAD_CHANNELS * dWidth));
    }

    /** Channels of a decoder block's output at {@code resolution}. */
    public int decoderChannels(int resolution) {
        return channels(DECODER_CHANNELS, resolution, decoderWidth, "decoder");
    }

    private static int channels(Map<Integer, Double> table, int resolution, int width, String what) {
        Double m = table.get(resolution);
        if (m == null) {
            throw new IllegalArgumentException("no " + what + " channel count for resolution " + resolution
                    + " (table has " + table.keySet() + ")");
        }
        return Math.max(1, (int) (m * width));
    }

    /** Checks the values; the message names the setting at fault. */
    public void validate() {
        if (latentDim < 1) {
            throw new IllegalArgumentException("fastgan.latentDim must be >= 1, got " + latentDim);
        }
        if (gWidth < 1 || dWidth < 1 || decoderWidth < 1) {
            throw new IllegalArgumentException("fastgan widths must be >= 1: gWidth=" + gWidth + ", dWidth=" + dWidth
                    + ", decoderWidth=" + decoderWidth);
        }
        if (!DECODER_CHANNELS.containsKey(decoderSize)) {
            throw new IllegalArgumentException("fastgan.decoderSize " + decoderSize + " must be one of "
                    + DECODER_CHANNELS.keySet());
        }
        if (!upBlocks.equals("single") && !upBlocks.equals("official")) {
            throw new IllegalArgumentException("fastgan.upBlocks '" + upBlocks + "': use single or official");
        }
        if (!outputTanh.equals("official") && !outputTanh.equals("always")) {
            throw new IllegalArgumentException("fastgan.outputTanh '" + outputTanh + "': use official or always");
        }
        if (!resize.equals("nearest") && !resize.equals("area")) {
            throw new IllegalArgumentException("fastgan.resize '" + resize + "': use nearest or area");
        }
        if (!reconReduction.equals("sum") && !reconReduction.equals("mean")) {
            throw new IllegalArgumentException("fastgan.reconReduction '" + reconReduction + "': use sum or mean");
        }
        SkipLayerExcitation.Activation.parse(sleActivation);
        if (!logits.equals("patches") && !logits.equals("mean")) {
            throw new IllegalArgumentException("fastgan.logits '" + logits + "': use patches or mean");
        }
        ReconstructionLoss.checkSpec(reconLoss);
        if (!(reconWeight >= 0) || Float.isInfinite(reconWeight)) {
            throw new IllegalArgumentException("fastgan.reconWeight must be finite and >= 0, got " + reconWeight);
        }
    }

    /** The DiffAugment policy FastGAN trains with by default. */
    public static DiffAugment defaultAugment() {
        return DiffAugment.parse(DIFFAUGMENT_POLICY);
    }

    private static Map<Integer, Double> table(Object... kv) {
        Map<Integer, Double> m = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((Integer) kv[i], (Double) kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
