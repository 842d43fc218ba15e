package dev.ganlab.nn;

/**
 * Counts the multiply-add work of convolution and dense layers while enabled on the current thread,
 * for benchmarks that report achieved GFLOP/s. A layer run with grad mode on is counted three times
 * (forward, and a backward that costs about twice the forward: input and weight gradients), which
 * is the usual estimate; other operations (norms, activations, pooling) are left out, since they are
 * small next to convolutions in these models.
 */
public final class FlopCounter {

    private static final ThreadLocal<long[]> COUNT = new ThreadLocal<>();

    private FlopCounter() {}

    /** Starts counting on this thread (resetting the count). */
    public static void start() {
        COUNT.set(new long[1]);
    }

    /** Stops counting and returns the floating-point operations counted. */
    public static long stop() {
        long[] c = COUNT.get();
        COUNT.remove();
        return c == null ? 0 : c[0];
    }

    /** Records a layer's forward cost (2 x multiply-adds); tripled when a backward will follow. */
    static void add(long multiplyAdds, boolean withBackward) {
        long[] c = COUNT.get();
        if (c != null) {
            c[0] += 2 * multiplyAdds * (withBackward ? 3 : 1);
        }
    }

    static boolean active() {
        return COUNT.get() != null;
    }
}
