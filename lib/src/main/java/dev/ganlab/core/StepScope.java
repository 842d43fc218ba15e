package dev.ganlab.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An {@link NDScope} for code that records gradients: it closes every array created inside it, like
 * NDScope, and also keeps alive the Java buffers that CPU arrays made from Java values point into,
 * until the scope closes.
 *
 * <p>Why: on the CPU the engine wraps a direct buffer without copying, and operations with a Java
 * number ({@code x.mul(3f)}, {@code x.div(eps)}) make a scalar array that way and close it at once,
 * which drops the buffer. Autograd may still hold that scalar for the backward pass (a product
 * saves its other operand); once the garbage collector frees the buffer, backward reads freed
 * memory. Measured: {@code x.mul(3f).sum()} with a GC before backward gave a wrong gradient in 17 of
 * 20 tries (NaN when the memory was reused), and a FastGAN run diverged at a random step. Inside a
 * StepScope the same test gives the right gradient every time (StepScopeTest).
 */
public final class StepScope extends NDScope {

    private static final Field RESOURCES;
    private static final Field DATA_REF;

    static {
        try {
            RESOURCES = NDScope.class.getDeclaredField("resources");
            RESOURCES.setAccessible(true);
            DATA_REF = PtNDArray.class.getDeclaredField("dataRef");
            DATA_REF.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("StepScope relies on fields of DJL 0.29's NDScope and PtNDArray"
                    + " (resources, dataRef), which this DJL does not have: " + e);
        }
    }

    /** The StepScopes open on this thread, innermost last. */
    private static final ThreadLocal<Deque<StepScope>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private final List<ByteBuffer> pinned = new ArrayList<>();
    private final PinningMap arrays = new PinningMap();

    public StepScope() {
        super();
        OPEN.get().addLast(this);
        try {
            RESOURCES.set(this, arrays);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot install StepScope's array map", e);
        }
    }

    /**
     * Runs {@code work} in a nested StepScope and keeps only the arrays of its result ({@code arrays}
     * lists them; nulls are skipped): those it made move to the enclosing scope, every other array it
     * made is closed when it returns. An array it returns but did not make (its input passed through)
     * is left where it was.
     *
     * <p>Why: a DJL array keeps its native tensor until the array is closed, where PyTorch frees a
     * tensor as soon as nothing refers to it. Around one layer this frees the layer's temporaries
     * (and, without a graph, everything but its output) before the next layer allocates. Autograd
     * holds its own reference to each tensor its backward reads, so closing the handle never frees
     * one a pending backward needs.
     */
    public static <T> T keep(Supplier<T> work, Function<T, List<NDArray>> arrays) {
        return keep(work, arrays, scope -> { });
    }

    /** {@link #keep(Supplier, Function)}, handing the nested scope to {@code beforeClose} just before it closes. */
    public static <T> T keep(Supplier<T> work, Function<T, List<NDArray>> arrays,
            java.util.function.Consumer<StepScope> beforeClose) {
        T out;
        List<NDArray> made = new ArrayList<>();
        try (StepScope scope = new StepScope()) {
            out = work.get();
            for (NDArray a : arrays.apply(out)) {
                if (a != null && scope.holds(a)) {
                    made.add(a);
                    NDScope.unregister(a);
                }
            }
            beforeClose.accept(scope);
        }
        made.forEach(NDScope::register);
        return out;
    }

    /** {@link #keep(Supplier, Function)} for work that returns one array. */
    public static NDArray keepOne(Supplier<NDArray> work) {
        return keep(work, List::of);
    }

    /**
     * Closes {@code array} now (and takes it out of the innermost scope, which would close it again):
     * for an array whose only consumer has run. Autograd keeps what its backward reads.
     */
    public static void release(NDArray array) {
        NDScope.unregister(array);
        array.close();
    }

    /** Buffers currently kept alive (for tests). */
    public int pinnedBuffers() {
        return pinned.size();
    }

    /** Whether {@code array} was made inside this scope and is still left for it to close. */
    public boolean holds(NDArray array) {
        return arrays.containsKey(array);
    }

    /**
     * Bytes of the arrays this scope would close now (open ones, each counted at its own shape: a view
     * counts again what its base holds, so this is an upper bound of the memory they keep).
     */
    public long heldBytes() {
        long sum = 0;
        for (NDArray a : arrays.keySet()) {
            if (!a.isReleased()) {
                sum += a.getShape().size() * a.getDataType().getNumOfBytes();
            }
        }
        return sum;
    }

    /**
     * Closes the arrays made inside. A scope nested in another StepScope hands its pinned buffers to
     * that one: a backward run after this scope closes (a scope around one forward inside a phase) can
     * still read a scalar this scope's arrays pointed into.
     */
    @Override
    public void close() {
        super.close();
        Deque<StepScope> open = OPEN.get();
        open.removeLastOccurrence(this);
        StepScope parent = open.peekLast();
        if (parent != null) {
            parent.pinned.addAll(pinned);
        }
        pinned.clear();
    }

    /** The scope's resource map, which also remembers each new CPU array's Java buffer. */
    private final class PinningMap extends IdentityHashMap<NDArray, NDArray> {
        private static final long serialVersionUID = 1L;

        @Override
        public NDArray put(NDArray key, NDArray value) {
            if (key instanceof PtNDArray) {
                try {
                    Object buffer = DATA_REF.get(key);
                    if (buffer instanceof ByteBuffer b) {
                        pinned.add(b);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
            return super.put(key, value);
        }
    }
}
