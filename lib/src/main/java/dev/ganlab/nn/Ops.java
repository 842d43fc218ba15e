package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;

/** Array functions shared by layers and losses (the maths without parameters). */
public final class Ops {

    private Ops() {}

    /**
     * Nearest-neighbour 2x upsampling of {@code (N, C, H, W)} to {@code (N, C, 2H, 2W)}. DJL's repeat is
     * PyTorch's repeat_interleave, so repeating each row and column twice is exactly nearest.
     */
    public static NDArray upsample2x(NDArray x) {
        return x.repeat(2, 2).repeat(3, 2);
    }

    /** 2x2 average pooling with stride 2: {@code (N, C, H, W)} to {@code (N, C, H/2, W/2)}. */
    public static NDArray avgPool2x(NDArray x) {
        return Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
    }

    /** Mean over axes 1..3 of {@code (N, C, H, W)}, kept as {@code (N, 1, 1, 1)} (multi-axis mean is missing). */
    public static NDArray meanPerSample(NDArray x) {
        Shape s = x.getShape();
        return x.sum(new int[] {1, 2, 3}, true).div(s.get(1) * s.get(2) * s.get(3));
    }

    /** Mean of each row of a {@code (N, ...)} array as {@code (N)}. */
    public static NDArray rowMean(NDArray x) {
        return x.reshape(x.getShape().get(0), -1).mean(new int[] {1});
    }
}
