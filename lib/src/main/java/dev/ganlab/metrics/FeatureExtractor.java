package dev.ganlab.metrics;

import dev.ganlab.data.ImageDataset;

/**
 * A network that maps images to feature vectors (for FID, KID, precision/recall) and, when it is a
 * classifier, to class logits (for the Inception Score).
 *
 * <p>Implementations take 8-bit images as {@link ImageDataset} holds them and do their own
 * preparation (channels, size, value range), described by {@link #preparation()} so that every
 * score can name it. Extractors hold native resources: close them when done.
 */
public interface FeatureExtractor extends AutoCloseable {

    /** A short name, e.g. {@code fmnist}, {@code inception-2015-12-05}, {@code torchscript:model.pt}. */
    String id();

    /**
     * What the names of this network's scores end with ({@code fid_<suffix>}, {@code is_<suffix>}, ...;
     * {@link Metric#scoreKey}): empty only for StyleGAN2-ADA's Inception-v3, the network published FID,
     * KID and IS figures are measured with; {@code fmnist} for the Fashion-MNIST network; the file's
     * stem for other TorchScript models. Default: the id with characters other than letters, digits
     * and underscores replaced by underscores.
     */
    default String scoreSuffix() {
        return Extractors.suffixOf(id());
    }

    /** SHA-256 (hex) of the weights file, so that a score names the exact network. */
    String weightsSha256();

    /** Length of a feature vector. */
    int featureDim();

    /**
     * Number of classes of the logits, 0 when the network gives none (no Inception Score), or -1 while
     * that is not known (a TorchScript model of unknown input size before its first extraction).
     */
    int logitsDim();

    /** How images are prepared: channels, size, resize filters, value range, layer used. */
    ImagePreparation preparation();

    /**
     * Features (and logits when {@code withLogits} and the network has them) of every image, in order.
     *
     * @param images 8-bit images of any size the preparation accepts
     * @param batchSize images per forward pass
     */
    Features extract(ImageDataset images, int batchSize, boolean withLogits);

    /** Features and, when available, logits. */
    default Features extract(ImageDataset images, int batchSize) {
        return extract(images, batchSize, logitsDim() != 0);
    }

    @Override
    void close();

    /**
     * What an extractor returns.
     *
     * @param features one row per image
     * @param logits one row per image (log-probabilities count: IS only uses their softmax), or null
     */
    record Features(FeatureMatrix features, FeatureMatrix logits) {
        public boolean hasLogits() {
            return logits != null;
        }
    }
}
