package dev.ganlab.models.resnet19;

import dev.ganlab.nn.Normalization;

import java.util.List;

/**
 * Settings of ResNet19, the residual architecture of Kurach et al.'s large-scale study ("A
 * Large-Scale Study of Regularization and Normalization in GANs", ICML 2019, table 7; compare_gan's
 * {@code resnet5_arch}: architectures/resnet5.py and resnet_ops.py in v3, src/gans/resnet_architecture.py
 * in the study's v2 code, whose {@code BestModelResnet19} runs use {@code consts.RESNET5_ARCH}).
 *
 * <h2>The study's defaults, in one table</h2>
 * The training preset is compare_gan's own configuration for this architecture,
 * {@code example_configs/resnet_lsun-bedroom128.gin}; it applies when the run leaves the loss unset
 * ({@link Resnet19Preset}):
 * <table>
 *   <caption>ResNet19 preset</caption>
 *   <tr><th>setting</th><th>value</th><th>source</th></tr>
 *   <tr><td>loss, penalty</td><td>wgan-gp, lambda {@value #PENALTY_WEIGHT}</td><td>loss.fn = @wasserstein, penalty.fn = @wgangp_penalty, options.lamba = 10</td></tr>
 *   <tr><td>nCritic</td><td>{@value #N_CRITIC}</td><td>options.disc_iters = 5</td></tr>
 *   <tr><td>optimiser (G and D)</td><td>Adam lr {@value #LEARNING_RATE}, betas ({@value #BETA1}, {@value #BETA2}), eps 1e-8</td><td>ModularGAN.g_lr, tf.train.AdamOptimizer.beta1/beta2 (d_lr = g_lr)</td></tr>
 *   <tr><td>batch</td><td>{@value #BATCH_SIZE}</td><td>options.batch_size; the study's BestModelResnet19 runs: 64</td></tr>
 *   <tr><td>latent</td><td>{@value #LATENT_DIM}, U(-1, 1)</td><td>options.z_dim = 128; compare_gan's z_generator (uniform -1..1)</td></tr>
 *   <tr><td>D normaliser</td><td>none</td><td>D.spectral_norm = False, no D batch or layer norm</td></tr>
 *   <tr><td>G normaliser</td><td>batch norm, decay 0.9, eps 1e-5</td><td>G.batch_norm_fn = @batch_norm; standardize_batch.decay/epsilon</td></tr>
 * </table>
 * The study's best ResNet19 models (its table 7; compare_gan v2 generate_tasks_lib.BestModelResnet19,
 * 12 lines, batch 64, z_dim 128) differ: 10 of 12 train the non-saturating loss, 11 of 12 one
 * discriminator step, 6 of 12 Adam with betas (0.5, 0.999) and lr 1e-4 or 2e-4, the others tuned
 * values; {@code --loss ns --set optG.beta2=0.999 --set optD.beta2=0.999} gives that common setting
 * at lr 1e-4 (nCritic then defaults to 1). When the loss is set, the optimiser stays this table's Adam
 * (except for {@code wgan}, which keeps the WGAN paper's RMSprop) and the other values follow the
 * loss as for every model.
 *
 * <p>The study varied the discriminator's normaliser only ({@code dNorm}: none, batch, layer,
 * spectral); its generator always has batch norm, so there is no {@code gNorm} here.
 */
public final class Resnet19Config {

    /** compare_gan resnet5 generator: the last block has ch = 64 channels. */
    public static final int WIDTH = 64;
    /** Generator channel multipliers of ch: the 4x4 seed, then the output of each of the 5 blocks. */
    public static final List<Integer> G_MULTIPLIERS = List.of(8, 8, 4, 4, 2, 1);
    /** Discriminator multipliers of ch: block B0 makes ch channels, B1..B5 these in and out. */
    public static final List<Integer> D_MULTIPLIERS = List.of(1, 2, 4, 4, 8, 8);
    /** The generator's first feature map is 4x4. */
    public static final int SEED_SIZE = 4;
    /** Largest resolution: 5 up-sampling blocks from the 4x4 seed. */
    public static final int MAX_RESOLUTION = 128;
    /** compare_gan's z_dim for this architecture. */
    public static final int LATENT_DIM = 128;
    public static final String LOSS = "wgan-gp";
    public static final float PENALTY_WEIGHT = 10f;
    public static final int N_CRITIC = 5;
    public static final float LEARNING_RATE = 1e-4f;
    public static final float BETA1 = 0.5f;
    public static final float BETA2 = 0.9f;
    public static final int BATCH_SIZE = 64;
    /** tf.contrib.layers.layer_norm's variance epsilon (compare_gan's layer norm). */
    public static final float LAYER_NORM_EPS = 1e-12f;
    /** Generator up-sampling: compare_gan's zero-insertion unpooling, or nearest neighbour. */
    public static final List<String> UPSAMPLES = List.of("unpool", "nearest");

    /** Latent size. */
    public int latentDim = LATENT_DIM;
    /** ch of the generator (channels of its last block; x8 at the seed). */
    public int gWidth = WIDTH;
    /** ch of the discriminator (channels of its first block; x8 at the last). */
    public int dWidth = WIDTH;
    /** The discriminator's normaliser: none (default), batch, layer or spectral ({@link Normalization}). */
    public String dNorm = "none";
    /** "uniform" on [-1, 1]^d (compare_gan) or "normal" N(0, I). */
    public String latent = "uniform";
    /**
     * How the generator's blocks double the size before their 3x3 convolutions: "unpool" (compare_gan:
     * each value in the top-left corner of a 2x2 block of zeros, i.e. a 3x3 stride-2 transposed
     * convolution) or "nearest" (nearest-neighbour copies, as Miyato et al.'s chainer ResNets).
     */
    public String upsample = "unpool";

    /** The parsed discriminator normaliser. */
    public Normalization dNormalization() {
        return Normalization.parse("resnet19.dNorm", dNorm);
    }

    /** Checks the values; the message names the setting at fault. */
    public void validate() {
        dNormalization();
        if (!"uniform".equals(latent) && !"normal".equals(latent)) {
            throw new IllegalArgumentException("resnet19.latent '" + latent + "': use uniform or normal");
        }
        if (!UPSAMPLES.contains(upsample)) {
            throw new IllegalArgumentException("resnet19.upsample '" + upsample + "': use " + String.join(" or ", UPSAMPLES));
        }
        if (latentDim < 1 || gWidth < 1 || dWidth < 1) {
            throw new IllegalArgumentException("resnet19 sizes must be positive: latentDim=" + latentDim + ", gWidth="
                    + gWidth + ", dWidth=" + dWidth);
        }
    }

}
