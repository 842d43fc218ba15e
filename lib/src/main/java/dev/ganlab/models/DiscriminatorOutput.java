package dev.ganlab.models;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * What a discriminator returns.
 *
 * @param logits one score per image, shape {@code (N)}
 * @param features the last hidden features {@code (N, F)} (feature matching, collapse alarm), or null
 * @param auxLoss an extra loss the discriminator adds for itself (FastGAN's reconstruction), or null
 * @param auxMetrics scalars to log with the auxiliary loss (may be empty)
 */
public record DiscriminatorOutput(NDArray logits, NDArray features, NDArray auxLoss, Map<String, NDArray> auxMetrics) {

    /** Logits and features only. */
    public static DiscriminatorOutput of(NDArray logits, NDArray features) {
        return new DiscriminatorOutput(logits, features, null, Map.of());
    }
}
