package dev.ganlab.models.fastgan;

import ai.djl.ndarray.NDArray;

/**
 * What the discriminator's decoders make of a batch of real images, next to what they should make.
 *
 * @param full the whole image decoded from the big branch's 8x8 features {@code (N, C, s, s)}
 * @param fullTarget the image resized to {@code s}
 * @param part one quadrant decoded from the matching quarter of the 16x16 features {@code (N, C, t, t)}
 * @param partTarget that quadrant of the image resized to {@code t}
 * @param quadrant 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right (the official numbering)
 * @param small the whole image decoded from the small branch's 8x8 features {@code (N, C, u, u)}, or
 *     null without the small branch
 * @param smallTarget the image resized to {@code u}, or null
 */
public record Reconstructions(NDArray full, NDArray fullTarget, NDArray part, NDArray partTarget, int quadrant,
        NDArray small, NDArray smallTarget) {
}
