package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ganlab.nn.Ops;

/**
 * Mode-collapse alarm: compares the spread of a fixed batch of generated images with the spread of
 * a fixed batch of real ones, in a fixed feature space independent of the models being trained
 * (images average-pooled to at most 16x16, then a seeded Gaussian random projection to 64
 * dimensions, which preserves distances up to a small factor by Johnson-Lindenstrauss). The spread
 * is the mean pairwise distance; the ratio fake/real near 1 is healthy, and a ratio far below 1 (the
 * configured threshold) means the generator maps many latents to nearly the same image.
 */
public final class CollapseDetector {

    /** Dimension of the random projection. */
    public static final int DIM = 64;
    /** Images are pooled down to at most this size before projecting. */
    public static final int POOL_TO = 16;

    private final long seed;
    private Shape imageShape;
    private NDArray projection;
    private double realSpread = Double.NaN;

    public CollapseDetector(long seed) {
        this.seed = seed;
    }

    /** Sets (or, after a change of image size, resets) the real reference batch. */
    public void setReal(NDArray reals, NDManager keep) {
        imageShape = reals.getShape().slice(1);
        if (projection != null) {
            projection.close();
        }
        Shape pooled = pooledShape(imageShape);
        dev.ganlab.core.GanLab.seedEngine(seed);
        projection = keep.randomNormal(0f, (float) (1 / Math.sqrt(DIM)), new Shape(pooled.size(), DIM),
                DataType.FLOAT32, reals.getDevice());
        NDScope.unregister(projection); // lives beyond the step's scope
        realSpread = spread(reals);
    }

    /** Whether {@link #setReal} must be (re)called for images of this shape. */
    public boolean needsReal(Shape image) {
        return imageShape == null || !imageShape.equals(image);
    }

    public double realSpread() {
        return realSpread;
    }

    /** Diversity ratio of a batch of generated images: their spread / the real spread. */
    public double ratio(NDArray fakes) {
        return spread(fakes) / realSpread;
    }

    /** Mean pairwise Euclidean distance of the projected images. */
    double spread(NDArray images) {
        NDArray x = images;
        while (x.getShape().get(2) > POOL_TO) {
            x = Ops.avgPool2x(x);
        }
        NDArray f = x.reshape(x.getShape().get(0), -1).matMul(projection);      // (N, DIM)
        NDArray sq = f.square().sum(new int[] {1}, true);                         // (N, 1)
        NDArray d2 = sq.add(sq.transpose()).sub(f.matMul(f.transpose()).mul(2)).maximum(0f);
        long n = f.getShape().get(0);
        return d2.sqrt().sum().getFloat() / (n * (n - 1));
    }

    private static Shape pooledShape(Shape image) {
        long h = image.get(1);
        long w = image.get(2);
        while (h > POOL_TO) {
            h /= 2;
            w /= 2;
        }
        return new Shape(image.get(0), h, w);
    }
}
