package dev.ganlab.data;

import java.util.SplittableRandom;

/**
 * Which images form each batch, as a pure function of (seed, position). Each epoch is a fresh
 * seeded permutation of the data set; with horizontal flips on, whether the image at a position is
 * mirrored is a seeded hash of that position. A run that resumes at position p therefore sees exactly
 * the batches the uninterrupted run would have seen.
 */
public class BatchSampler {

    private final ImageDataset data;
    private final long seed;
    private final boolean hflip;
    private int cachedEpoch = -1;
    private int[] cachedPerm;

    public BatchSampler(ImageDataset data, long seed, boolean hflip) {
        if (data.size() == 0) {
            throw new IllegalArgumentException(data.name() + " is empty");
        }
        this.data = data;
        this.seed = seed;
        this.hflip = hflip;
    }

    public ImageDataset data() {
        return data;
    }

    /** Values per image. */
    public int imageLength() {
        return data.imageLength();
    }

    /**
     * The data set index of the image at an absolute position (epochs concatenated); subclasses
     * ({@link ClassBalancedSampler}) may order images differently but must stay a pure function of
     * (seed, position).
     */
    public synchronized int indexAt(long position) {
        int n = data.size();
        int epoch = (int) (position / n);
        if (epoch != cachedEpoch) {
            cachedPerm = Permutations.of(n, Permutations.mix(seed, epoch));
            cachedEpoch = epoch;
        }
        return cachedPerm[(int) (position % n)];
    }

    /** Whether the image at a position is mirrored. */
    public boolean flippedAt(long position) {
        return hflip && (Permutations.mix(seed ^ 0x5DEECE66DL, position) & 1L) == 1L;
    }

    /**
     * Writes the {@code batch} images starting at {@code position}, scaled to [-1, 1], into {@code dst}
     * as {@code (batch, C, H, W)}.
     */
    public void fill(long position, int batch, float[] dst) {
        int len = data.imageLength();
        if (dst.length < batch * len) {
            throw new IllegalArgumentException("buffer of " + dst.length + " floats is too small for " + batch
                    + " images of " + len);
        }
        int[] index = new int[batch];
        for (int i = 0; i < batch; i++) {
            index[i] = indexAt(position + i);
        }
        java.util.function.IntConsumer one = i -> data.copyScaled(index[i], dst, i * len, flippedAt(position + i));
        // Large batches (and images read from disk) are filled by all cores; each image has its own
        // slice of dst, so the result does not depend on the order the threads run in.
        if ((long) batch * len >= PARALLEL_VALUES || !data.inMemory()) {
            java.util.stream.IntStream.range(0, batch).parallel().forEach(one);
        } else {
            for (int i = 0; i < batch; i++) {
                one.accept(i);
            }
        }
    }

    /** Batches of at least this many values are filled in parallel (about 1 ms of work on one core). */
    static final long PARALLEL_VALUES = 1 << 20;

    /** Class labels of the {@code batch} images starting at {@code position} (-1 for unlabelled data). */
    public int[] labels(long position, int batch) {
        int[] out = new int[batch];
        for (int i = 0; i < batch; i++) {
            out[i] = data.label(indexAt(position + i));
        }
        return out;
    }

    /** A random generator for host-side decisions of a step, derived from the seed and a salt. */
    public static SplittableRandom rng(long seed, long salt) {
        return new SplittableRandom(Permutations.mix(seed, salt));
    }
}
