package dev.ganlab.data;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A set of equally sized images as 8-bit pixels, with optional class labels.
 *
 * <p>Pixels are stored planar per image, {@code (C, H, W)} in row-major order, one byte per value,
 * so that 60,000 Fashion-MNIST images take 47 MB and a 64x64 RGB image 12 KB. Conversion to
 * floats in [-1, 1] happens per batch ({@link BatchSampler}). A folder whose decoded images do not fit
 * the heap is read from a prepared file on disk instead ({@link DiskPixelCache}, {@link DataStorage});
 * {@link #inMemory()} says which, and every method works the same either way.
 */
public final class ImageDataset {

    private final String name;
    private final int channels;
    private final int height;
    private final int width;
    private final PixelStore pixels;
    private final int[] labels;
    private final List<String> classNames;

    /**
     * Creates a data set.
     *
     * @param name what the images are, e.g. {@code fashion-mnist:train}; shown in logs and results
     * @param channels 1 (grey) or 3 (RGB)
     * @param height image height in pixels
     * @param width image width in pixels
     * @param pixels one array of {@code channels*height*width} bytes per image, planar {@code (C, H, W)}
     * @param labels class index per image, or null when the set has no labels
     * @param classNames names of the classes, indexed by label; empty when unlabelled
     */
    public ImageDataset(String name, int channels, int height, int width, List<byte[]> pixels,
            int[] labels, List<String> classNames) {
        this(name, channels, height, width, new PixelStore.Memory(Collections.unmodifiableList(new ArrayList<>(pixels))),
                labels, classNames);
        int n = channels * height * width;
        for (int i = 0; i < pixels.size(); i++) {
            if (pixels.get(i).length != n) {
                throw new IllegalArgumentException(name + ": image " + i + " has " + pixels.get(i).length
                        + " bytes, expected " + n);
            }
        }
    }

    /** A data set over a store (the store's images have the given size; not checked image by image). */
    ImageDataset(String name, int channels, int height, int width, PixelStore pixels, int[] labels,
            List<String> classNames) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException(name + ": channels must be 1 or 3, got " + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException(name + ": bad image size " + height + "x" + width);
        }
        if (labels != null && labels.length != pixels.size()) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels for " + pixels.size()
                    + " images");
        }
        this.name = Objects.requireNonNull(name);
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.pixels = pixels;
        this.labels = labels == null ? null : labels.clone();
        this.classNames = classNames == null ? List.of() : List.copyOf(classNames);
    }

    public String name() {
        return name;
    }

    public int size() {
        return pixels.size();
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Values per image: {@code channels * height * width}. */
    public int imageLength() {
        return channels * height * width;
    }

    /** True when the images are held in the heap; false when they are read from a file on disk. */
    public boolean inMemory() {
        return pixels.inMemory();
    }

    /** Where the images are: "in memory" or the disk cache file they are read from. */
    public String storage() {
        return pixels.where();
    }

    /** The raw planar bytes of image {@code i}; do not modify (on disk: read afresh on each call). */
    public byte[] pixels(int i) {
        return pixels.get(i);
    }

    public boolean hasLabels() {
        return labels != null;
    }

    /** Label of image {@code i}, or -1 when the set has none. */
    public int label(int i) {
        return labels == null ? -1 : labels[i];
    }

    public List<String> classNames() {
        return classNames;
    }

    /** Image {@code i} as a picture (grey or RGB). */
    public BufferedImage image(int i) {
        return Images.toBufferedImage(pixels.get(i), channels, height, width);
    }

    /** Writes image {@code i} scaled to [-1, 1] into {@code dst} at {@code offset}. */
    public void copyScaled(int i, float[] dst, int offset, boolean flipHorizontally) {
        byte[] src = pixels.get(i);
        if (!flipHorizontally) {
            for (int k = 0; k < src.length; k++) {
                dst[offset + k] = (src[k] & 0xFF) * (2f / 255f) - 1f;
            }
            return;
        }
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                int row = (c * height + y) * width;
                for (int x = 0; x < width; x++) {
                    dst[offset + row + x] = (src[row + width - 1 - x] & 0xFF) * (2f / 255f) - 1f;
                }
            }
        }
    }

    /**
     * Images {@code from} (inclusive) to {@code to} (exclusive) as one batch {@code (N, C, H, W)} in
     * [-1, 1] (the scaling of {@link #copyScaled}), in {@code manager}: what a notebook hands to a
     * model or an augmentation.
     */
    public ai.djl.ndarray.NDArray toTensor(ai.djl.ndarray.NDManager manager, int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IndexOutOfBoundsException(name + ": images " + from + ".." + to + " must lie in 0.." + size()
                    + " with from < to");
        }
        int len = imageLength();
        float[] buf = new float[(to - from) * len];
        for (int i = from; i < to; i++) {
            copyScaled(i, buf, (i - from) * len, false);
        }
        return manager.create(buf, new ai.djl.ndarray.types.Shape(to - from, channels, height, width));
    }

    /**
     * All images as one batch {@code (N, C, H, W)} scaled to [-1, 1] in {@code manager}, as the training
     * loop feeds them; {@link #fromTensor} is the way back.
     */
    public ai.djl.ndarray.NDArray toTensor(ai.djl.ndarray.NDManager manager) {
        return toTensor(manager, 0, size());
    }

    /** The first {@code n} images (or all, if fewer), keeping labels. */
    public ImageDataset head(int n) {
        int m = Math.min(n, size());
        return new ImageDataset(name + "[:" + m + "]", channels, height, width,
                pixels.select(java.util.stream.IntStream.range(0, m).toArray()),
                labels == null ? null : Arrays.copyOf(labels, m), classNames);
    }

    /** The images at the given indices, in that order. */
    public ImageDataset subset(int[] indices, String subsetName) {
        int[] lb = labels == null ? null : new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= size()) {
                throw new IndexOutOfBoundsException(name + ": index " + i + " outside 0.." + (size() - 1));
            }
            if (lb != null) {
                lb[k] = labels[i];
            }
        }
        return new ImageDataset(subsetName, channels, height, width, pixels.select(indices), lb, classNames);
    }

    /** A random subset of {@code n} images drawn without replacement with a fixed seed. */
    public ImageDataset sample(int n, long seed) {
        if (n >= size()) {
            return this;
        }
        int[] perm = Permutations.of(size(), seed);
        return subset(Arrays.copyOf(perm, n), name + "[" + n + " sampled, seed " + seed + "]");
    }

    /** The images whose label is {@code label}. */
    public ImageDataset withLabel(int label) {
        if (labels == null) {
            throw new IllegalStateException(name + " has no labels");
        }
        int[] idx = java.util.stream.IntStream.range(0, size()).filter(i -> labels[i] == label).toArray();
        String cls = label < classNames.size() ? classNames.get(label) : Integer.toString(label);
        return subset(idx, name + "[" + cls + "]");
    }

    /**
     * Converts a batch of images in [-1, 1], shape {@code (N, C, H, W)}, to 8-bit pixels the way image
     * files store them: {@code round((x + 1) * 127.5)} clamped to 0..255. Metrics see generated images
     * only after this round trip, as the reference implementations do.
     */
    public static ImageDataset fromTensor(ai.djl.ndarray.NDArray batch, String name) {
        ai.djl.ndarray.types.Shape s = batch.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException(name + ": expected (N, C, H, W) images, got shape " + s);
        }
        int n = (int) s.get(0);
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] v = batch.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        return fromFloats(v, n, c, h, w, name);
    }

    /** As {@link #fromTensor}, from a flat float array of {@code n} planar images. */
    public static ImageDataset fromFloats(float[] v, int n, int c, int h, int w, String name) {
        int len = c * h * w;
        if (v.length != (long) n * len) {
            throw new IllegalArgumentException(name + ": " + v.length + " values for " + n + " images of " + c + "x"
                    + h + "x" + w);
        }
        List<byte[]> px = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[len];
            for (int k = 0; k < len; k++) {
                float x = v[i * len + k];
                int q = Float.isNaN(x) ? 0 : Math.round((x + 1f) * 127.5f);
                b[k] = (byte) Math.max(0, Math.min(255, q));
            }
            px.add(b);
        }
        return new ImageDataset(name, c, h, w, px, null, List.of());
    }

    /** Concatenates data sets of the same image size (labels kept only when all have them). */
    public static ImageDataset concat(String name, List<ImageDataset> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException(name + ": nothing to concatenate");
        }
        ImageDataset first = parts.get(0);
        List<PixelStore> px = new ArrayList<>();
        boolean labelled = true;
        for (ImageDataset p : parts) {
            if (p.channels != first.channels || p.height != first.height || p.width != first.width) {
                throw new IllegalArgumentException(name + ": " + p.name + " is " + p.channels + "x" + p.height + "x"
                        + p.width + ", " + first.name + " is " + first.channels + "x" + first.height + "x" + first.width);
            }
            px.add(p.pixels);
            labelled &= p.hasLabels();
        }
        PixelStore all = PixelStore.Concat.of(px);
        if (all.inMemory()) {
            List<byte[]> list = new ArrayList<>(all.size());
            for (int i = 0; i < all.size(); i++) {
                list.add(all.get(i));
            }
            all = new PixelStore.Memory(Collections.unmodifiableList(list));
        }
        int[] lb = null;
        if (labelled) {
            lb = new int[all.size()];
            int k = 0;
            for (ImageDataset p : parts) {
                for (int i = 0; i < p.size(); i++) {
                    lb[k++] = p.label(i);
                }
            }
        }
        return new ImageDataset(name, first.channels, first.height, first.width, all, lb, first.classNames);
    }

    @Override
    public String toString() {
        return name + " (" + size() + " images, " + channels + "x" + height + "x" + width
                + (labels != null ? ", " + classNames.size() + " classes" : "")
                + (inMemory() ? "" : ", read from " + storage()) + ")";
    }
}
