package dev.ganlab.models.progan;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import java.util.Map;
import java.util.TreeMap;

/**
 * Settings of ProGAN (Karras et al., "Progressive Growing of GANs for Improved Quality, Stability,
 * and Variation", ICLR 2018). A plain Gson-serialisable object: public fields with defaults; the
 * paper's values are the named constants below, each citing where it comes from ("paper" is the
 * ICLR 2018 paper, appendix A.1 unless said otherwise; "official code" is
 * tkarras/progressive_growing_of_gans).
 *
 * <p>The loss and optimiser constants ({@link #LEARNING_RATE}, {@link #WGAN_GP_LAMBDA},
 * {@link #DRIFT_WEIGHT}, {@link #G_EMA_DECAY}, ...) are the defaults of {@link ProganPreset}; the model itself
 * does not use them.
 */
public final class ProganConfig {

    // ---- Architecture (paper, table 2 and sec. 4; official code networks.py) ----

    /** Paper: 512-dimensional latent vectors (official code: latent_size = nf(0) = 512). */
    public static final int LATENT_SIZE = 512;
    /** Official code: fmap_base = 8192, feature maps nf(stage) = min(fmap_base / 2^(stage * decay), fmap_max). */
    public static final int FMAP_BASE = 8192;
    /** Official code: fmap_decay = 1.0 (feature maps halve with each doubling of resolution). */
    public static final double FMAP_DECAY = 1.0;
    /** Official code: fmap_max = 512 (paper table 2: 512 channels up to 32x32, then 256, 128, ..., 16). */
    public static final int FMAP_MAX = 512;
    /** Paper: leaky ReLU with leakiness 0.2 in all layers except the last (linear). */
    public static final float LEAKY_SLOPE = 0.2f;
    /** Official code: mbstd_group_size = 4 (the paper's v1 runs used 16, one group per minibatch). */
    public static final int MBSTD_GROUP_SIZE = 4;
    /** Paper: training starts at 4x4. */
    public static final int START_RESOLUTION = 4;
    /** Smallest target resolution this implementation accepts (one growth step from 4x4). */
    public static final int MIN_TARGET_RESOLUTION = 8;
    /** Largest target resolution (the paper's CelebA-HQ 1024x1024). */
    public static final int MAX_TARGET_RESOLUTION = 1024;

    // ---- Schedule (paper appendix A.1) ----

    /**
     * Paper: "fade in the first 3-layer block during the next 800k images" (the official code's
     * default is 600k, its v1 preset 800k).
     */
    public static final long FADE_IN_IMAGES = 800_000;
    /**
     * Paper: train at 4x4 until the discriminator has seen 800k real images, then "stabilize the
     * networks for 800k images" after each fade-in.
     */
    public static final long STABILISE_IMAGES = 800_000;

    /**
     * Official code, config.py preset-v2-1gpu: minibatch 128 up to 16x16, then halving with each
     * doubling (64, 32, 16, 8, 4); 1024x1024 falls back to that preset's minibatch_base of 4. The
     * default of {@link #minibatch}: the preset the released code trains with (and the one the project's
     * spec for ProGAN named), paired with its {@link #MBSTD_GROUP_SIZE} of 4; the paper's own table is
     * {@link #PAPER_MINIBATCH}, one setting away ({@code progan.minibatch}, with {@code progan.mbstdGroupSize=16}
     * for the paper's one group per minibatch). The phases keep the paper's 800k images (the v2
     * preset's 600k is {@code progan.fadeInImages}/{@code progan.stabiliseImages}).
     */
    public static final Map<Integer, Integer> OFFICIAL_1GPU_MINIBATCH = Map.of(4, 128, 8, 128, 16, 128, 32, 64,
            64, 32, 128, 16, 256, 8, 512, 4, 1024, 4);
    /**
     * Paper: "minibatch size 16 for resolutions 4^2-128^2 and then gradually decrease the size according
     * to 256^2 -> 14, 512^2 -> 6, and 1024^2 -> 3" (official preset-v1-1gpu, which pairs it with mbstd
     * group size 16: 14 and 6 are not multiples of 4).
     */
    public static final Map<Integer, Integer> PAPER_MINIBATCH = Map.of(4, 16, 8, 16, 16, 16, 32, 16, 64, 16,
            128, 16, 256, 14, 512, 6, 1024, 3);

    // ---- Training (the defaults of ProganPreset) ----

    /** Paper: Adam alpha = 0.001 for both networks (official preset-v2-1gpu raises it to 0.0015 at 1024). */
    public static final double LEARNING_RATE = 0.001;
    /** Paper: Adam beta1 = 0. */
    public static final double ADAM_BETA1 = 0.0;
    /** Paper: Adam beta2 = 0.99. */
    public static final double ADAM_BETA2 = 0.99;
    /** Paper: Adam epsilon = 1e-8. */
    public static final double ADAM_EPS = 1e-8;
    /** Paper: WGAN-GP loss (Gulrajani et al. 2017) with gradient-penalty weight lambda = 10. */
    public static final double WGAN_GP_LAMBDA = 10.0;
    /** Official code, loss.py: wgan_target = 1.0, the gradient norm the penalty pulls towards. */
    public static final double WGAN_GP_TARGET = 1.0;
    /**
     * Paper: the drift term {@code eps_drift * E_x~Pr[D(x)^2]} added to the discriminator loss, with
     * eps_drift = 0.001, keeps the critic's output from drifting far from zero.
     */
    public static final double DRIFT_WEIGHT = 0.001;
    /** Paper: generator weights shown with an exponential running average of decay 0.999. */
    public static final double G_EMA_DECAY = 0.999;
    /** Paper: "we alternate between optimizing the generator and discriminator on a per-minibatch basis" (n_critic = 1). */
    public static final int N_CRITIC = 1;

    /** Target (final) resolution, a power of two in 8..1024 (64 for the emoji set). */
    public int targetResolution = 64;
    /** Image channels: 1 or 3. */
    public int channels = 3;
    /** Resolution at which training starts, a power of two in 4..targetResolution. */
    public int startResolution = START_RESOLUTION;
    public int latentSize = LATENT_SIZE;
    public int fmapBase = FMAP_BASE;
    public double fmapDecay = FMAP_DECAY;
    public int fmapMax = FMAP_MAX;
    /**
     * Multiplies every feature-map count of the paper's rule (after fmapMax), e.g. 0.125 for CPU runs;
     * counts are rounded and at least 1.
     */
    public double fmapScale = 1.0;
    /** Images shown while a new resolution's layers fade in (alpha 0 -> 1). */
    public long fadeInImages = FADE_IN_IMAGES;
    /** Images shown at alpha = 1 at the start resolution and after each fade-in. */
    public long stabiliseImages = STABILISE_IMAGES;
    /**
     * Minibatch size per resolution (keys: resolutions). A resolution missing from the map uses the
     * training loop's configured batch size; an empty map uses it everywhere.
     */
    public Map<Integer, Integer> minibatch = new TreeMap<>(OFFICIAL_1GPU_MINIBATCH);
    /** Minibatch-stddev group size; values below 2 remove the layer, as in the official code. */
    public int mbstdGroupSize = MBSTD_GROUP_SIZE;
    public float leakySlope = LEAKY_SLOPE;
    /**
     * When true, {@code onImagesShown} also asks for an optimiser reset when a fade-in ends and the
     * stabilisation starts. The official code (train.py, reset_opt_for_new_lod) resets Adam whenever
     * the level of detail crosses an integer, which is both at the start of a fade-in and at its end;
     * the default (false) resets only when a new resolution starts, as the project's spec for ProGAN
     * asked (the paper does not mention resets). True gives the official code's two resets.
     */
    public boolean resetOptimiserAtStabilise = false;

    /** A deep copy (through Gson, so a new field can never be forgotten). */
    public ProganConfig copy() {
        Gson gson = new GsonBuilder().serializeNulls().serializeSpecialFloatingPointValues().create();
        return gson.fromJson(gson.toJson(this), ProganConfig.class);
    }

    /**
     * The training steps needed to show at least {@code images} real images, counted as the trainer
     * counts them: each step shows {@code nCritic} minibatches of the size for the resolution it
     * starts at ({@link #minibatch}, else {@code configuredBatch}). Plans a run's length from the
     * schedule, e.g. {@code stepsToShow(ProganSchedule.of(cfg).growthEnd() + cfg.stabiliseImages, b, 1)}
     * for the whole growth plus one stabilisation period at the target.
     *
     * @throws IllegalArgumentException when the count does not fit a step count (an int)
     */
    public int stepsToShow(long images, int configuredBatch, int nCritic) {
        if (images < 0 || configuredBatch < 1 || nCritic < 1) {
            throw new IllegalArgumentException("stepsToShow(images " + images + ", batch " + configuredBatch
                    + ", nCritic " + nCritic + "): images must be >= 0, batch and nCritic >= 1");
        }
        ProganSchedule schedule = ProganSchedule.of(this);
        long shown = 0;
        long steps = 0;
        while (shown < images) {
            // The batch is fixed while the resolution is: jump to where the next one begins.
            int r = schedule.at(shown).resolution();
            long perStep = (long) nCritic * minibatch.getOrDefault(r, configuredBatch);
            long until = r < targetResolution ? Math.min(images, schedule.fadeInStart(2 * r)) : images;
            long n = (until - shown + perStep - 1) / perStep;
            steps += n;
            shown += n * perStep;
        }
        if (steps > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("showing " + images + " images takes " + steps
                    + " steps, more than a run can have");
        }
        return (int) steps;
    }

    /**
     * Feature maps of a network stage by the paper's rule, {@code min(fmapBase / 2^(stage * fmapDecay),
     * fmapMax)} (truncated as the official code's int()), times {@link #fmapScale}, rounded, at least 1.
     * Stage {@code s} is used by the layers at resolution {@code 2^(s + 1)}.
     */
    public int featureMaps(int stage) {
        double raw = Math.min(Math.floor(fmapBase / Math.pow(2.0, stage * fmapDecay)), fmapMax);
        return (int) Math.max(1, Math.round(raw * fmapScale));
    }

    /** Feature maps of the blocks working at {@code resolution}: {@code featureMaps(log2(resolution) - 1)}. */
    public int featureMapsAt(int resolution) {
        return featureMaps(log2(resolution) - 1);
    }

    /** Checks the values; the message names the setting at fault. */
    public void validate() {
        if (!isPowerOfTwo(targetResolution) || targetResolution < MIN_TARGET_RESOLUTION
                || targetResolution > MAX_TARGET_RESOLUTION) {
            throw new IllegalArgumentException("progan.targetResolution " + targetResolution
                    + " must be a power of two between " + MIN_TARGET_RESOLUTION + " and " + MAX_TARGET_RESOLUTION);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("progan.channels " + channels + " must be 1 or 3");
        }
        if (!isPowerOfTwo(startResolution) || startResolution < 4 || startResolution > targetResolution) {
            throw new IllegalArgumentException("progan.startResolution " + startResolution
                    + " must be a power of two between 4 and targetResolution " + targetResolution);
        }
        if (latentSize < 1) {
            throw new IllegalArgumentException("progan.latentSize " + latentSize + " must be >= 1");
        }
        if (fmapBase < 1) {
            throw new IllegalArgumentException("progan.fmapBase " + fmapBase + " must be >= 1");
        }
        if (!(fmapDecay >= 0) || Double.isInfinite(fmapDecay)) {
            throw new IllegalArgumentException("progan.fmapDecay " + fmapDecay + " must be finite and >= 0");
        }
        if (fmapMax < 1) {
            throw new IllegalArgumentException("progan.fmapMax " + fmapMax + " must be >= 1");
        }
        if (!(fmapScale > 0) || Double.isInfinite(fmapScale)) {
            throw new IllegalArgumentException("progan.fmapScale " + fmapScale + " must be finite and > 0");
        }
        if (fadeInImages < 0) {
            throw new IllegalArgumentException("progan.fadeInImages " + fadeInImages + " must be >= 0");
        }
        if (stabiliseImages < 0) {
            throw new IllegalArgumentException("progan.stabiliseImages " + stabiliseImages + " must be >= 0");
        }
        if (startResolution < targetResolution && fadeInImages + stabiliseImages < 1) {
            throw new IllegalArgumentException("progan.fadeInImages + progan.stabiliseImages must be >= 1 to grow from "
                    + startResolution + " to " + targetResolution);
        }
        if (mbstdGroupSize < 0) {
            throw new IllegalArgumentException("progan.mbstdGroupSize " + mbstdGroupSize
                    + " must be >= 0 (below 2 turns the layer off)");
        }
        if (!(leakySlope >= 0 && leakySlope < 1)) {
            throw new IllegalArgumentException("progan.leakySlope " + leakySlope + " must be in [0, 1)");
        }
        if (minibatch == null) {
            throw new IllegalArgumentException("progan.minibatch must be a map (empty to use the configured batch size)");
        }
        for (Map.Entry<Integer, Integer> e : minibatch.entrySet()) {
            Integer res = e.getKey();
            Integer batch = e.getValue();
            if (res == null || !isPowerOfTwo(res) || res < 4 || res > MAX_TARGET_RESOLUTION) {
                throw new IllegalArgumentException("progan.minibatch key " + res
                        + " must be a resolution: a power of two between 4 and " + MAX_TARGET_RESOLUTION);
            }
            if (batch == null || batch < 1) {
                throw new IllegalArgumentException("progan.minibatch[" + res + "] = " + batch + " must be >= 1");
            }
            checkBatchFitsMbstd(batch, "progan.minibatch[" + res + "]");
        }
    }

    /** Whether the discriminator has a minibatch-stddev layer. */
    public boolean mbstdEnabled() {
        return mbstdGroupSize >= 2;
    }

    /** Throws when a batch of {@code batch} cannot be split into mbstd groups. */
    void checkBatchFitsMbstd(int batch, String what) {
        if (mbstdEnabled() && batch > mbstdGroupSize && batch % mbstdGroupSize != 0) {
            throw new IllegalArgumentException(what + " = " + batch + " is neither a multiple of nor smaller than"
                    + " progan.mbstdGroupSize " + mbstdGroupSize);
        }
    }

    static boolean isPowerOfTwo(int x) {
        return x > 0 && (x & (x - 1)) == 0;
    }

    static int log2(int powerOfTwo) {
        return Integer.numberOfTrailingZeros(powerOfTwo);
    }
}
