package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Average pooling to a fixed {@code size x size} output (PyTorch's AdaptiveAvgPool2d) for inputs
 * whose sides are multiples of {@code size}: then the adaptive pool is a plain average pool with
 * kernel = stride = side / size. Other sides are rejected (GAN feature maps are powers of two).
 *
 * <p>Input {@code (N, C, H, W)}; output {@code (N, C, size, size)}.
 */
public final class AdaptiveAvgPool2d extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int size;

    public AdaptiveAvgPool2d(int size) {
        super(VERSION);
        if (size < 1) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d size must be >= 1, got " + size);
        }
        this.size = size;
    }

    /** Averages {@code x} down to {@code size x size}; the identity when it already is that size. */
    public static NDArray pool(NDArray x, int size) {
        Shape s = x.getShape();
        check(s, size);
        long h = s.get(2);
        long w = s.get(3);
        if (h == size && w == size) {
            return x;
        }
        Shape k = new Shape(h / size, w / size);
        return Pool.avgPool2d(x, k, k, new Shape(0, 0), false, true);
    }

    private static void check(Shape s, int size) {
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d expects (N, C, H, W), got " + s);
        }
        if (s.get(2) < size || s.get(3) < size || s.get(2) % size != 0 || s.get(3) % size != 0) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d to " + size + "x" + size
                    + " needs sides that are multiples of " + size + ", got " + s);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(pool(inputs.singletonOrThrow(), size));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        check(s, size);
        return new Shape[] {new Shape(s.get(0), s.get(1), size, size)};
    }

    @Override
    public String toString() {
        return "AdaptiveAvgPool2d(" + size + ")";
    }
}
