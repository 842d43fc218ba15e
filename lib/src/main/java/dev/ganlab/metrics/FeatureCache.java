package dev.ganlab.metrics;

import dev.ganlab.data.DataPaths;
import dev.ganlab.data.ImageDataset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Real-set features and FID statistics cached on disk, so that a training run or a sweep extracts the
 * reference set once.
 *
 * <p>The key is a SHA-256 over the images' pixels and shape (so a changed data set never hits a stale
 * entry, whatever its name), the extractor's weights SHA-256, its preparation, and whether logits were
 * kept. Files, under {@code <home>/build/cache/stats/} by default: {@code NAME-EXTRACTOR-KEY-features.npy}
 * (float32 N x D, as the network gave them), {@code ...-logits.npy} and {@code ...-stats.npy} (float64,
 * (D + 1) x D: the mean, then the unbiased covariance). Each is written to a temporary file and renamed
 * into place, so a crash or a concurrent run never leaves a half-written entry.
 */
public final class FeatureCache {

    private final Path dir;

    public FeatureCache(Path dir) {
        this.dir = dir;
    }

    /** {@code <home>/build/cache/stats}. */
    public static Path defaultDir() {
        return DataPaths.home().resolve("build").resolve("cache").resolve("stats");
    }

    public Path dir() {
        return dir;
    }

    /** The cache key of a set under an extractor. */
    public static String key(ImageDataset images, FeatureExtractor extractor, boolean withLogits) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        md.update(ByteBuffer.allocate(16).putInt(images.size()).putInt(images.channels()).putInt(images.height())
                .putInt(images.width()).array());
        for (int i = 0; i < images.size(); i++) {
            md.update(images.pixels(i));
        }
        String rest = "|" + extractor.weightsSha256() + "|" + extractor.preparation().describe(images) + "|logits="
                + withLogits;
        md.update(rest.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest()).substring(0, 24);
    }

    private Path base(ImageDataset images, FeatureExtractor extractor, String key) {
        String name = (images.name() + "-" + extractor.id()).replaceAll("[^A-Za-z0-9._-]+", "_");
        if (name.length() > 80) {
            name = name.substring(0, 80);
        }
        return dir.resolve(name.toLowerCase(Locale.ROOT) + "-" + key);
    }

    /** A cached entry, or null. */
    public Entry load(ImageDataset images, FeatureExtractor extractor, boolean withLogits) {
        String key = key(images, extractor, withLogits);
        Path b = base(images, extractor, key);
        Path f = Path.of(b + "-features.npy");
        Path s = Path.of(b + "-stats.npy");
        Path l = Path.of(b + "-logits.npy");
        if (!Files.isRegularFile(f) || !Files.isRegularFile(s) || (withLogits && !Files.isRegularFile(l))) {
            return null;
        }
        FeatureMatrix features = Npy.read(f).toMatrix();
        FeatureMatrix stats = Npy.read(s).toMatrix();
        int d = stats.cols();
        double[] mean = java.util.Arrays.copyOf(stats.data(), d);
        double[] cov = java.util.Arrays.copyOfRange(stats.data(), d, stats.data().length);
        FeatureMatrix logits = withLogits ? Npy.read(l).toMatrix() : null;
        return new Entry(new FeatureExtractor.Features(features, logits), new GaussianStats(mean, cov, features.rows()),
                b.getFileName().toString(), true);
    }

    /** Writes an entry atomically and returns it. */
    public Entry store(ImageDataset images, FeatureExtractor extractor, FeatureExtractor.Features features,
            GaussianStats stats) throws IOException {
        String key = key(images, extractor, features.hasLogits());
        Path b = base(images, extractor, key);
        Npy.writeFloat32(Path.of(b + "-features.npy"), features.features());
        if (features.hasLogits()) {
            Npy.writeFloat32(Path.of(b + "-logits.npy"), features.logits());
        }
        int d = stats.dim();
        double[] packed = new double[(d + 1) * d];
        System.arraycopy(stats.mean(), 0, packed, 0, d);
        System.arraycopy(stats.cov(), 0, packed, d, d * d);
        // Written last: load() needs all files, so a reader never sees stats without features.
        Npy.writeFloat64(Path.of(b + "-stats.npy"), new int[] {d + 1, d}, packed);
        return new Entry(features, stats, b.getFileName().toString(), false);
    }

    /**
     * A cache entry.
     *
     * @param features features (and logits) of the set
     * @param stats their mean and unbiased covariance
     * @param name the file name stem
     * @param hit whether it was read from disk
     */
    public record Entry(FeatureExtractor.Features features, GaussianStats stats, String name, boolean hit) {}
}
