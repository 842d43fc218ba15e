package dev.ganlab.nn;

import ai.djl.nn.Block;
import ai.djl.training.initializer.Initializer;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The discriminator normalisers compared by the large-scale study of Kurach et al. ("A Large-Scale
 * Study of Regularization and Normalization in GANs", ICML 2019; compare_gan's
 * {@code consts.NORMALIZERS} without weight norm): none, batch norm (Ioffe and Szegedy 2015), layer
 * norm (Ba et al. 2016) and spectral norm (Miyato et al. 2018). One value per network; the model
 * decides where the layers go (after which convolutions), this class what each choice makes.
 *
 * <ul>
 *   <li>{@link #BATCH}: a {@link BatchNorm} layer (momentum 0.1, eps 1e-5: compare_gan's
 *       {@code decay=0.9, epsilon=1e-5}). The network's output then depends on the rest of its
 *       batch (see {@code GanModel#discriminatorUsesBatchStatistics}).
 *   <li>{@link #LAYER}: a {@link LayerNorm} over (C, H, W) per sample with a per-channel scale and
 *       shift - what compare_gan's {@code tf.contrib.layers.layer_norm} normalises over an NHWC
 *       tensor (all axes but the batch; parameters on the last, the channel axis).
 *   <li>{@link #SPECTRAL}: no layer; every convolution and linear layer divides its weight by its
 *       spectral norm ({@link WeightScaling#SPECTRAL}).
 *   <li>{@link #NONE}: nothing.
 * </ul>
 */
public enum Normalization {
    NONE,
    BATCH,
    LAYER,
    SPECTRAL;

    /** The setting values, lower case: none, batch, layer, spectral. */
    public static final List<String> NAMES = Arrays.stream(values()).map(Normalization::key).toList();

    /** The setting value of this normaliser. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The normaliser named {@code value}; the error names {@code setting} and the choices.
     *
     * @throws IllegalArgumentException for an unknown value
     */
    public static Normalization parse(String setting, String value) {
        if (value != null) {
            for (Normalization n : values()) {
                if (n.key().equals(value)) {
                    return n;
                }
            }
        }
        throw new IllegalArgumentException(setting + " '" + value + "': use " + String.join(", ", NAMES));
    }

    /** The weight transform of the network's convolutions and linear layers. */
    public WeightScaling scaling() {
        return this == SPECTRAL ? WeightScaling.SPECTRAL : WeightScaling.NONE;
    }

    /** Whether a layer of this normaliser follows convolutions ({@link #BATCH} and {@link #LAYER}). */
    public boolean hasLayer() {
        return this == BATCH || this == LAYER;
    }

    /**
     * A new normalisation layer, or null for {@link #NONE} and {@link #SPECTRAL}.
     *
     * @param gammaInit initialiser of the batch-norm scale (compare_gan: ones; DCGAN: N(1, 0.02))
     * @param layerNormEps the layer norm's eps (PyTorch 1e-5; TensorFlow's layer_norm 1e-12)
     */
    public Block newLayer(Initializer gammaInit, float layerNormEps) {
        return switch (this) {
            case BATCH -> new BatchNorm(BatchNorm.DEFAULT_MOMENTUM, BatchNorm.DEFAULT_EPS, gammaInit);
            case LAYER -> new LayerNorm(layerNormEps);
            default -> null;
        };
    }

    /** Whether a discriminator with this normaliser scores each image depending on its batch. */
    public boolean usesBatchStatistics() {
        return this == BATCH;
    }
}
