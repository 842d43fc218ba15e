package dev.ganlab.nn;

/**
 * How a layer transforms its stored weight before use. Conv2d and Linear share one implementation
 * and differ only in this setting.
 */
public enum WeightScaling {
    /** The stored weight is used as it is. */
    NONE,
    /**
     * Spectral normalisation (Miyato et al., ICLR 2018): the weight is divided by its largest
     * singular value, estimated by one power-iteration step per training forward pass with the
     * vectors u, v kept as non-trained parameters (saved with the model).
     */
    SPECTRAL,
    /**
     * Equalized learning rate (Karras et al., ProGAN, ICLR 2018): weights are initialised N(0, 1)
     * and multiplied at run time by the He constant {@code gain / sqrt(fan_in)}, so every layer
     * learns at the same speed under Adam's scale-invariant updates.
     */
    EQUALIZED
}
