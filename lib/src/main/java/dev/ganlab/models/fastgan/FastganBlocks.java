package dev.ganlab.models.fastgan;

import dev.ganlab.nn.BatchNorm;
import dev.ganlab.nn.Conv2d;
import dev.ganlab.nn.Init;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.Linear;
import dev.ganlab.nn.WeightScaling;

/**
 * Factory helpers that give every FastGAN layer the official code's settings in one place: no
 * biases, weights N(0, 0.02) and batch-norm scales N(1, 0.02) (its {@code weights_init}), and the
 * caller's weight transform (spectral norm everywhere in the official code).
 */
final class FastganBlocks {

    private FastganBlocks() {}

    /** Convolution without bias, {@code k x k}, stride {@code s}, padding {@code p}. */
    static Conv2d conv(int channels, int k, int s, int p, WeightScaling scaling) {
        return conv(channels, k, s, p, scaling, false);
    }

    /** The same, after nearest 2x upsampling of its input (done inside the layer, see Conv2d). */
    static Conv2d conv(int channels, int k, int s, int p, WeightScaling scaling, boolean upsample) {
        return Conv2d.builder().setChannels(channels).setKernel(k).optStride(s).optPadding(p).optBias(false)
                .optScaling(scaling).optWeightInit(Init.normal(0, Init.DCGAN_STD)).optUpsample2x(upsample).build();
    }

    /** Fully connected layer without bias. */
    static Linear linear(int units, WeightScaling scaling) {
        return Linear.builder().setUnits(units).optBias(false).optScaling(scaling)
                .optWeightInit(Init.normal(0, Init.DCGAN_STD)).build();
    }

    /** Batch norm with PyTorch's defaults and scales from N(1, 0.02). */
    static BatchNorm bn() {
        return new BatchNorm(BatchNorm.DEFAULT_MOMENTUM, BatchNorm.DEFAULT_EPS, Init.normal(1, Init.DCGAN_STD));
    }

    /** The discriminator's LeakyReLU. */
    static Lambda leaky() {
        return Lambda.leakyRelu(FastganConfig.D_LEAKY_SLOPE);
    }
}
