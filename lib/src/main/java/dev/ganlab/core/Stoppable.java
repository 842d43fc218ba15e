package dev.ganlab.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs a long library call (training, a sweep, an evaluation) so that an interrupt of the calling
 * thread - a notebook's stop button, which interrupts the cell's thread - becomes a <em>stop request</em>
 * that the work answers at its next safe point, and the call then returns normally.
 *
 * <p>Why not let the interrupt reach the work itself: an interrupted thread's next file write through
 * an NIO channel ({@code Files.newOutputStream}, {@code Files.write}) fails with
 * ClosedByInterruptException, a {@code Future.get} throws, and a checkpoint written after the
 * interrupt would fail half way. So the work runs on its own thread, which nothing interrupts; the
 * caller waits, turns an interrupt into {@link #stopRequested()} (and the callback given to
 * {@link #run}), keeps waiting until the work has checkpointed and returned, and leaves its own
 * interrupt flag set on return, so an enclosing loop in the same cell stops too.
 *
 * <p>A call made from inside such work (an evaluation during training) runs on the same thread and
 * shares its stop request.
 */
public final class Stoppable {

    /** Thrown by {@link #throwIfStopRequested()}: work with nothing to save was asked to stop. */
    public static final class StoppedException extends RuntimeException {
        public StoppedException(String what) {
            super(what + " stopped on request (interrupt)");
        }
    }

    private static final class Request {
        volatile boolean stop;
        final List<Runnable> onStop = new CopyOnWriteArrayList<>();

        void fire() {
            if (!stop) {
                stop = true;
                onStop.forEach(Runnable::run);
            }
        }
    }

    private static final ThreadLocal<Request> CURRENT = new ThreadLocal<>();
    private static final AtomicInteger THREADS = new AtomicInteger();

    private Stoppable() {}

    /**
     * Runs {@code work} and returns its result; an interrupt of the calling thread calls
     * {@code onStop} (may be null) and sets {@link #stopRequested()} for the work. Exceptions of the
     * work are thrown here as they are (checked ones wrapped).
     *
     * @param what names the work's thread ({@code ganlab-<what>-<n>})
     */
    public static <T> T run(String what, Runnable onStop, Supplier<T> work) {
        Request outer = CURRENT.get();
        if (outer != null) {
            if (onStop != null) {
                outer.onStop.add(onStop);
            }
            try {
                if (outer.stop && onStop != null) {
                    onStop.run();
                }
                return work.get();
            } finally {
                outer.onStop.remove(onStop);
            }
        }
        Request request = new Request();
        if (onStop != null) {
            request.onStop.add(onStop);
        }
        boolean interrupted = Thread.interrupted();
        if (interrupted) {
            request.fire(); // interrupted before it began (an earlier call in the same cell was stopped)
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            CURRENT.set(request);
            try {
                result.complete(work.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            } finally {
                CURRENT.remove();
            }
        }, "ganlab-" + what + "-" + THREADS.incrementAndGet());
        // The notebook display is found through the caller's class loader (the kernel's).
        thread.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        thread.start();
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                    request.fire();
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException r) {
                        throw r;
                    }
                    if (c instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(what + " failed: " + c, c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the work running on this thread was asked to stop (false outside {@link #run}). */
    public static boolean stopRequested() {
        Request r = CURRENT.get();
        return r != null && r.stop;
    }

    /** For loops with nothing to save (feature extraction): ends the work when it was asked to stop. */
    public static void throwIfStopRequested(String what) {
        if (stopRequested()) {
            throw new StoppedException(what);
        }
    }
}
