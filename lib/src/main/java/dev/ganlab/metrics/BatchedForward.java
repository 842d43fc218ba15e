package dev.ganlab.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.Stoppable;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;

import java.util.ArrayList;
import java.util.List;

/**
 * The batch loop every extractor shares: prepare a batch of images, run the network in a sub-manager
 * that is closed after the batch (so no NDArray outlives its iteration), copy the outputs to Java.
 */
final class BatchedForward {

    /** One forward pass: returns {features (N, D), logits (N, K) or null}, attached to {@code m}. */
    interface Network {
        NDArray[] forward(NDManager m, NDArray batch, boolean withLogits);
    }

    private BatchedForward() {}

    static FeatureExtractor.Features run(NDManager parent, ImagePreparation prep, ImageDataset images, int batchSize,
            boolean withLogits, Network net) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize + " must be positive");
        }
        if (images.size() == 0) {
            throw new UserError(images.name() + " holds no images to extract features from");
        }
        GanLab.noGradOnThisThread();
        List<FeatureMatrix> feats = new ArrayList<>();
        List<FeatureMatrix> logits = new ArrayList<>();
        for (int from = 0; from < images.size(); from += batchSize) {
            // An interrupted evaluation (Evaluator.evaluate) ends between batches: nothing to save.
            Stoppable.throwIfStopRequested("feature extraction of " + images.name());
            int to = Math.min(images.size(), from + batchSize);
            try (NDManager m = parent.newSubManager()) {
                long[] shape = new long[4];
                float[] v = prep.batch(images, from, to, shape);
                NDArray[] out = net.forward(m, m.create(v, new Shape(shape)), withLogits);
                feats.add(toMatrix(out[0], to - from));
                if (withLogits && out[1] != null) {
                    logits.add(toMatrix(out[1], to - from));
                }
            }
        }
        return new FeatureExtractor.Features(FeatureMatrix.concat(feats),
                logits.isEmpty() ? null : FeatureMatrix.concat(logits));
    }

    /** Rows per image; outputs of higher rank are flattened per image. */
    static FeatureMatrix toMatrix(NDArray a, int n) {
        if (a.getShape().dimension() == 0 || a.getShape().get(0) != n) {
            throw new UserError("network output of shape " + a.getShape() + " does not have one row per image (" + n
                    + ")");
        }
        long total = a.getShape().size();
        float[] v = a.toType(DataType.FLOAT32, false).toFloatArray();
        return FeatureMatrix.ofFloats(n, (int) (total / n), v);
    }
}
