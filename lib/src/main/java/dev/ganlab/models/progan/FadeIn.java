package dev.ganlab.models.progan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.ganlab.nn.Ops;

/**
 * The fade-in of ProGAN (Karras et al., ICLR 2018, sec. 3 and fig. 2): while a resolution's new
 * layers grow in, outputs are {@code (1 - alpha) * old + alpha * new}, and real images get the same
 * blend between their lower-resolution version and themselves, so the discriminator sees reals and
 * fakes go through the same transition (appendix A.1; official code train.py, process_reals).
 */
public final class FadeIn {

    private FadeIn() {}

    /**
     * {@code (1 - alpha) * old + alpha * next}, written so that alpha = 0 gives {@code old} and alpha = 1
     * gives {@code next} exactly. The result belongs to {@code old}'s manager.
     */
    public static NDArray lerp(NDArray old, NDArray next, double alpha) {
        return old.mul((float) (1 - alpha)).add(next.mul((float) alpha));
    }

    /**
     * Real images {@code (N, C, S, S)} brought to a stage: 2x2 average pooling repeated down to the
     * stage's resolution R (S must be R times a power of two), and during a fade-in blended with their
     * R/2 version upsampled back to R (nearest), weight alpha on the full-detail image.
     */
    public static NDArray realsAt(NDArray reals, ProganSchedule.Stage stage) {
        NDArray x = downsampleTo(reals, stage.resolution());     // (N, C, R, R)
        if (stage.fadingIn()) {
            NDArray coarse = Ops.upsample2x(Ops.avgPool2x(x));   // (N, C, R, R), detail of R/2 only
            x = lerp(coarse, x, stage.alpha());
        }
        return x;
    }

    /** Repeated 2x2 average pooling of {@code (N, C, S, S)} down to {@code (N, C, R, R)}. */
    public static NDArray downsampleTo(NDArray images, int resolution) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(2) != s.get(3)) {
            throw new IllegalArgumentException("expected square (N, C, S, S) images, got " + s);
        }
        long size = s.get(2);
        if (size < resolution || size % resolution != 0 || !ProganConfig.isPowerOfTwo((int) (size / resolution))) {
            throw new IllegalArgumentException("images of size " + size + " cannot be average-pooled down to "
                    + resolution + " (the size must be " + resolution + " times a power of two)");
        }
        NDArray x = images;
        for (long r = size; r > resolution; r /= 2) {
            x = Ops.avgPool2x(x);
        }
        return x;
    }
}
