package dev.ganlab.models.fastgan;

import dev.ganlab.nn.Glu;
import dev.ganlab.nn.NoiseInjection;
import dev.ganlab.nn.ScopedSequentialBlock;
import dev.ganlab.nn.WeightScaling;

/**
 * FastGAN's upsampling block: nearest 2x upsampling, then {@code convs} times [conv 3x3 to twice the
 * output channels, optional {@link NoiseInjection}, batch norm, {@link Glu}]. The official code's
 * UpBlock is one conv without noise, its UpBlockComp two convs with noise; the decoders use UpBlock.
 *
 * <p>Input {@code (N, C_in, H, W)}; output {@code (N, channels, 2H, 2W)}.
 */
public final class UpBlock extends ScopedSequentialBlock {

    private final int channels;
    private final int convs;
    private final boolean noise;

    /**
     * @param channels output channels
     * @param convs convolutions after the upsampling (1 or 2)
     * @param noise whether each conv is followed by noise injection
     * @param scaling weight transform of the convs
     */
    public UpBlock(int channels, int convs, boolean noise, WeightScaling scaling) {
        if (channels < 1 || convs < 1) {
            throw new IllegalArgumentException("UpBlock channels " + channels + " and convs " + convs + " must be >= 1");
        }
        this.channels = channels;
        this.convs = convs;
        this.noise = noise;
        for (int i = 0; i < convs; i++) {
            // the first conv upsamples its input 2x (nearest); GLU halves the channels
            add(FastganBlocks.conv(2 * channels, 3, 1, 1, scaling, i == 0));
            if (noise) {
                add(new NoiseInjection());
            }
            add(FastganBlocks.bn());
            add(new Glu());
        }
    }

    @Override
    public String toString() {
        return "UpBlock(" + channels + ", convs=" + convs + (noise ? ", noise" : "") + ")";
    }
}
