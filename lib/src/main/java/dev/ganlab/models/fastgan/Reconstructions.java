package dev.ganlab.models.fastgan;

import ai.djl.ndarray.NDArray;

/**
 * What the discriminator's decoders make of a batch of real images, next to what they should make.
 *
 * @param full the whole image decoded from the 8x8 features {@code (N, C, s, s)}
 * @param fullTarget the image area-downsampled to {@code s}
 * @param part one quadrant decoded from the matching quarter of the 16x16 features {@code (N, C, t, t)}
 * @param partTarget that quadrant of the image area-downsampled to {@code t}
 * @param quadrant 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right (the official numbering)
 */
public record Reconstructions(NDArray full, NDArray fullTarget, NDArray part, NDArray partTarget, int quadrant) {
}
