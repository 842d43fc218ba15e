package dev.ganlab.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Feeds training batches from a {@link BatchSampler} while the previous step computes: a worker
 * thread converts the next batch to floats in a direct buffer, so the engine is not idle waiting for
 * decoding and scaling. The loader's state is one number, the position of the next image; batches
 * are a pure function of it, so a resumed run continues with the same batches.
 *
 * <p>Buffers are pooled and reused: on the CPU the engine wraps a direct buffer without copying, so a
 * buffer goes back to the pool only when {@link #recycle()} is called after the step that used it
 * has closed its arrays.
 */
public final class PrefetchingLoader implements AutoCloseable {

    /** -Dganlab.prefetch=false serves batches synchronously (for diagnosing). */
    static final boolean PREFETCH = !"false".equals(System.getProperty("ganlab.prefetch"));

    private final BatchSampler sampler;
    /** The prefetching thread; null until the first batch and after {@link #close()}. */
    private ExecutorService worker;
    private final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> inUse = new ArrayDeque<>();
    private long position;
    private CompletableFuture<ByteBuffer> pending;
    private long pendingPosition = -1;
    private int pendingBatch = -1;
    /** Batches served and the time the caller waited for them (since the last {@link #close()}). */
    private long served;
    private long waitedNanos;

    /** A loader starting at {@code position} (0 for a new run, the checkpoint's for a resumed one). */
    public PrefetchingLoader(BatchSampler sampler, long position) {
        this.sampler = sampler;
        this.position = position;
    }

    private ExecutorService worker() {
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "ganlab-batch-prefetch");
                t.setDaemon(true);
                return t;
            });
        }
        return worker;
    }

    /** Position of the next image to be served. */
    public long position() {
        return position;
    }

    /**
     * The next {@code batch} images as {@code (batch, C, H, W)} in [-1, 1] on {@code manager}'s device,
     * and starts preparing the following batch of the same size.
     */
    public synchronized NDArray next(NDManager manager, int batch) {
        long t0 = System.nanoTime();
        ByteBuffer buf;
        if (pending != null && pendingPosition == position && pendingBatch == batch) {
            buf = await(pending);
        } else {
            if (pending != null) {
                ByteBuffer stale = await(pending);
                synchronized (pool) {
                    pool.push(stale);
                }
            }
            buf = produce(position, batch);
        }
        pending = null;
        waitedNanos += System.nanoTime() - t0;
        served++;
        position += batch;
        inUse.push(buf);
        long nextPos = position;
        pendingPosition = nextPos;
        pendingBatch = batch;
        pending = PREFETCH ? CompletableFuture.supplyAsync(() -> produce(nextPos, batch), worker())
                : CompletableFuture.completedFuture(produce(nextPos, batch));
        Shape shape = new Shape(batch, sampler.data().channels(), sampler.data().height(), sampler.data().width());
        return manager.create(buf, shape, DataType.FLOAT32);
    }

    /** Batches served since the loader was made or last closed. */
    public synchronized long batchesServed() {
        return served;
    }

    /**
     * Seconds the caller spent in {@link #next} waiting for batches since the loader was made or last
     * closed: near zero when prefetching keeps ahead of the step, the step's data stall otherwise.
     */
    public synchronized double secondsWaited() {
        return waitedNanos / 1e9;
    }

    /** Returns the buffers of served batches to the pool; call once their arrays are closed. */
    public synchronized void recycle() {
        synchronized (pool) {
            while (!inUse.isEmpty()) {
                pool.push(inUse.pop());
            }
        }
    }

    private ByteBuffer produce(long pos, int batch) {
        int floats = batch * sampler.imageLength();
        ByteBuffer buf = null;
        synchronized (pool) {
            for (ByteBuffer b : pool) {
                if (b.capacity() >= floats * 4) {
                    buf = b;
                    break;
                }
            }
            if (buf != null) {
                pool.remove(buf);
            }
        }
        if (buf == null) {
            buf = ByteBuffer.allocateDirect(floats * 4).order(ByteOrder.nativeOrder());
        }
        float[] tmp = new float[floats];
        sampler.fill(pos, batch, tmp);
        buf.clear();
        buf.asFloatBuffer().put(tmp);
        buf.limit(floats * 4);
        return buf;
    }

    /**
     * The prepared batch. An interrupt does not abandon it (the batch takes milliseconds, and a step
     * left without its batch cannot be finished consistently): the wait goes on and the interrupt flag
     * is restored for the caller's next check.
     */
    private static ByteBuffer await(CompletableFuture<ByteBuffer> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("loading a batch failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * How long the steps waited for batches since the last call, as one line (the one figure that tells whether
     * data loading held training back), or null when no batch was served; the counts start again. The trainer
     * prints it when it stops its loader; a benchmark that opens many loaders does not.
     */
    public synchronized String takeWaitSummary() {
        if (served == 0) {
            return null;
        }
        String line = String.format(java.util.Locale.ROOT, "data loader: %d batches, the step waited %.3f s for them"
                + " (%.1f ms per batch; prefetch %s; %s)", served, waitedNanos / 1e9, waitedNanos / 1e6 / served,
                PREFETCH ? "on" : "off", sampler.data().storage());
        served = 0;
        waitedNanos = 0;
        return line;
    }

    /**
     * Stops the prefetching thread. The loader stays usable: its position is kept, the batch being
     * prepared is dropped (it is prepared again, identically, when asked for), and the next
     * {@link #next} starts a new thread - a stopped training run continues with the same batches.
     */
    @Override
    public synchronized void close() {
        if (worker != null) {
            worker.shutdownNow();
            worker = null;
        }
        pending = null;
        pendingPosition = -1;
        pendingBatch = -1;
    }
}
