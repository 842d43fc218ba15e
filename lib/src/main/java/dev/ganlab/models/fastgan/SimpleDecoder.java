package dev.ganlab.models.fastgan;

import dev.ganlab.nn.AdaptiveAvgPool2d;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.ScopedSequentialBlock;
import dev.ganlab.nn.WeightScaling;

/**
 * The discriminator's small decoder for self-supervised reconstruction (FastGAN's self-supervised
 * discriminator; the official SimpleDecoder): pool the features to 8x8, then [upsample 2x, conv 3x3, BN, GLU] blocks up
 * to {@code outputSize} (four blocks for the official 128 px), then conv 3x3 to the image channels
 * and tanh. Making D's features decodable forces them to describe the whole image and its parts, so
 * D cannot judge on a few shortcuts and overfit a small dataset.
 *
 * <p>Input {@code (N, C, h, h)} with h a multiple of 8; output {@code (N, imageChannels, outputSize,
 * outputSize)}.
 */
public final class SimpleDecoder extends ScopedSequentialBlock {

    /** Official SimpleDecoder: features are pooled to 8x8 before decoding. */
    public static final int INPUT_SIZE = 8;

    private final int outputSize;

    SimpleDecoder(FastganConfig cfg, int imageChannels, int outputSize) {
        if (outputSize <= INPUT_SIZE || Integer.bitCount(outputSize) != 1) {
            throw new IllegalArgumentException("decoder output size " + outputSize
                    + " must be a power of two above " + INPUT_SIZE);
        }
        this.outputSize = outputSize;
        add(new AdaptiveAvgPool2d(INPUT_SIZE));
        for (int r = 2 * INPUT_SIZE; r <= outputSize; r *= 2) {
            add(new UpBlock(cfg.decoderChannels(r), 1, false, WeightScaling.SPECTRAL));
        }
        add(FastganBlocks.conv(imageChannels, 3, 1, 1, WeightScaling.SPECTRAL));
        add(Lambda.tanh());
    }

    /** Side of the reconstructed images. */
    public int outputSize() {
        return outputSize;
    }

    @Override
    public String toString() {
        return "SimpleDecoder(" + outputSize + ")";
    }
}
