package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ganlab.nn.Ops;

/**
 * Mode-collapse alarm. A fixed batch of generated images is compared with a fixed batch of real ones
 * in a feature space independent of the models being trained (images average-pooled to at most
 * 16x16, then a seeded Gaussian random projection to 64 dimensions, which preserves distances up to
 * a small factor by Johnson-Lindenstrauss). Two signals:
 *
 * <ul>
 *   <li>diversity: mean pairwise distance of the fakes over that of the reals; near 1 is healthy,
 *       far below 1 means many latents map to nearly the same image;
 *   <li>coverage: the improved recall of Kynkaanniemi et al. (2019) with k = 3 on these batches,
 *       the fraction of real images with a fake inside their k-NN ball. It catches the collapse the
 *       spread misses: a generator stuck on one of eight modes but adding a few odd images has a
 *       normal spread (seen: ratio 1.14) and a coverage near 1/8. With precision (the fraction of fakes
 *       inside the real manifold) also computed, the alarm needs fakes that look real and cover little,
 *       so an untrained generator's noise does not raise it.
 * </ul>
 */
public final class CollapseDetector {

    /**
     * History column of the fraction of fixed fakes inside the fixed reals' k-NN balls. Not the improved
     * precision metric of Kynkaanniemi et al. as the evaluation reports it (features of a trained
     * network, thousands of samples): a cheap alarm signal on one batch in a random projection, so it
     * has a name of its own. Run folders written before it had one call it {@code precision}
     * ({@link TrainingHistory#readCsv} renames it).
     */
    public static final String PRECISION_KEY = "collapse_precision";

    /** Dimension of the random projection. */
    public static final int DIM = 64;
    /** Images are pooled down to at most this size before projecting. */
    public static final int POOL_TO = 16;

    private final long seed;
    private Shape imageShape;
    private NDArray projection;
    private NDArray realBatch;
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
        if (realBatch != null) {
            realBatch.close();
        }
        realBatch = reals.duplicate();
        realBatch.attach(keep);
        NDScope.unregister(realBatch);
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

    /** Precision and coverage (recall) of fakes against the real batch in the projected space. */
    public dev.ganlab.metrics.PrecisionRecall.Result coverage(NDArray fakes) {
        return dev.ganlab.metrics.PrecisionRecall.compute(features(realBatch), features(fakes));
    }

    private dev.ganlab.metrics.FeatureMatrix features(NDArray images) {
        NDArray f = project(images);
        return dev.ganlab.metrics.FeatureMatrix.ofFloats((int) f.getShape().get(0), DIM, f.toFloatArray());
    }

    private NDArray project(NDArray images) {
        NDArray x = images;
        while (x.getShape().get(2) > POOL_TO) {
            x = Ops.avgPool2x(x);
        }
        return x.reshape(x.getShape().get(0), -1).matMul(projection);
    }

    /** Mean pairwise Euclidean distance of the projected images. */
    double spread(NDArray images) {
        NDArray f = project(images);                                              // (N, DIM)
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
