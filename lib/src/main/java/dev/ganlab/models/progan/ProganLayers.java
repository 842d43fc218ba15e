package dev.ganlab.models.progan;

import dev.ganlab.nn.Conv2d;
import dev.ganlab.nn.Linear;
import dev.ganlab.nn.WeightScaling;

/** The equalized-learning-rate layers ProGAN is made of (Karras et al., ICLR 2018, sec. 4.1). */
final class ProganLayers {

    /** He gain for layers followed by a (leaky) ReLU: sqrt(2) (official code's default). */
    static final double RELU_GAIN = Math.sqrt(2);

    private ProganLayers() {}

    /** Equalized k x k convolution, stride 1, "same" padding, zero bias. */
    static Conv2d conv(int channels, int kernel, double gain) {
        return conv(channels, kernel, gain, false);
    }

    /** The same, after nearest 2x upsampling of its input (done inside the layer, see Conv2d). */
    static Conv2d conv(int channels, int kernel, double gain, boolean upsample) {
        return Conv2d.builder().setChannels(channels).setKernel(kernel).optPadding(kernel / 2)
                .optScaling(WeightScaling.EQUALIZED).optGain(gain).optUpsample2x(upsample).build();
    }

    /** Equalized dense layer, with or without its own zero bias. */
    static Linear dense(int units, double gain, boolean bias) {
        return Linear.builder().setUnits(units).optScaling(WeightScaling.EQUALIZED).optGain(gain).optBias(bias).build();
    }
}
