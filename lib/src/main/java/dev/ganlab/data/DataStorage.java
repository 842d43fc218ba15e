package dev.ganlab.data;

import java.util.Locale;

/**
 * Where a loaded image folder's decoded pixels are kept (setting {@code dataStorage}).
 *
 * <p>A folder is decoded once either way, with the same preparation, the same order of images and the
 * same handling of unreadable files, so a run sees the same batches from memory as from disk
 * ({@code DataStorageTest}). The disk route writes the prepared images once to a cache file
 * ({@link DiskPixelCache}) and training reads the images of each batch from it; the alternative of
 * decoding the source files again for every batch was measured slower by one to two orders of
 * magnitude ({@code ganlab bench --op loader}, lib/BENCHMARKS.md).
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
