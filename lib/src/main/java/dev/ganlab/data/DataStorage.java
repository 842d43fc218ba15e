package dev.ganlab.data;

import java.util.Locale;

/**
 * Where a loaded image folder's decoded pixels are kept (setting {@code dataStorage}).
 *
 * <p>A folder is decoded once either way, with the same preparation, the same order of images and the
 * same handling of unreadable files, so a run sees the same batches from memory as from disk
 * ({@code DataStorageTest}). The disk route writes the prepared images once to a cache file
 * ({@link DiskPixelCache}) and training reads the images of each batch from it. Chosen by measurement
 * ({@code ganlab bench --op loader}, lib/BENCHMARKS.md "Data loader", 2 cores): the alternative of
 * decoding the source files again for every batch delivered 2.4 to 28 times fewer images per second
 * than reading the prepared cache over two runs (64 px: 700-2,700 against 15,000-29,000; 256 px:
 * 110-390 against 1,600-4,100; 1024 px: 25-66 against 158-236), would pay that decoding every epoch
 * again, and could not report an unreadable file before training starts.
 */
public enum DataStorage {
    /** In memory when the decoded images fit {@link #MEMORY_BUDGET_FRACTION} of the heap, else on disk. */
    AUTO,
    /** Always in the heap (fails with OutOfMemoryError when they do not fit). */
    MEMORY,
    /** Always through the prepared disk cache, reading each batch's images (bounded heap). */
    DISK;

    /**
     * Share of the JVM's maximum heap ({@code -Xmx}) that decoded images may take before {@link #AUTO}
     * moves them to disk: the rest is left to the training loop, metrics and the notebook.
     */
    public static final double MEMORY_BUDGET_FRACTION = 0.5;

    /** Parses auto, memory or disk (any case). */
    public static DataStorage parse(String s) {
        for (DataStorage d : values()) {
            if (d.name().equalsIgnoreCase(s.trim())) {
                return d;
            }
        }
        throw new DatasetException("dataStorage '" + s + "': use auto, memory or disk");
    }

    /** The heap a data set may take in memory under {@link #AUTO}, in bytes. */
    public static long memoryBudget() {
        return (long) (Runtime.getRuntime().maxMemory() * MEMORY_BUDGET_FRACTION);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
