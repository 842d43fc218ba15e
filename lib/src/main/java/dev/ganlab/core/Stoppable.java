package dev.ganlab.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Runs a long library call (training, a sweep, an evaluation) so that an interrupt of the calling
 * thread - a notebook's stop button, which interrupts the cell's thread - becomes a <em>stop request</em>
 * that the work answers at its next safe point (a step boundary, a batch), and the call then returns
 * normally (or, for work with nothing to save, throws {@link StoppedException}).
 *
 * <p>In GAN Lab's kernel the stop button does not interrupt the thread while such a call runs: the
 * kernel patch calls the call's stop hook instead ({@link #HOOK_PREFIX}). Elsewhere (another kernel,
 * a plain interrupt) the work polls {@link #stopRequested()}, which takes the thread's interrupt flag
 * into the request and clears it: the clean-up that follows (a checkpoint) then writes files with the flag clear, since
 * an interrupted thread's writes through NIO channels fail with ClosedByInterruptException. On return
 * the flag is set again, so an enclosing loop in the same cell stops too.
 *
 * <p>The work runs on the calling thread. (A first version ran it on a thread of its own, so that no
 * interrupt could reach it at all; but training on a thread other than the one that loaded the engine
 * gave NaN losses from step 2 in 6 of 9 Fashion-MNIST runs on the busy test machine, against 0 of 5 on
 * the loading thread - an engine matter this change does not touch. What remains, for interrupts
 * without the hook: one that lands during a file write between two polls fails that write, and the call ends with its error;
 * files are written atomically, so the run resumes from its last checkpoint.)
 *
 * <p>A call made from inside such work (an evaluation during training) shares its stop request.
 */
public final class Stoppable {

    /** Thrown by {@link #throwIfStopRequested}: work with nothing to save was asked to stop. */
    public static final class StoppedException extends RuntimeException {
        public StoppedException(String what) {
            super(what + " stopped on request (interrupt)");
        }
    }

    /**
     * Where GAN Lab's kernel patch looks for a thread's stop hook before interrupting it: the system
     * property {@code ganlab.stop.<thread id>} holding a {@link Runnable} (a JDK-level place both the
     * kernel's and the library's class loaders see). While a hook is registered the kernel calls it
     * instead of interrupting the cell's thread, so no interrupt reaches file writes at all.
     */
    public static final String HOOK_PREFIX = "ganlab.stop.";

    private static final class Request implements Runnable {
        volatile boolean stop;
        final List<Runnable> onStop = new CopyOnWriteArrayList<>();

        synchronized void fire() {
            if (!stop) {
                stop = true;
                onStop.forEach(Runnable::run);
            }
        }

        @Override
        public void run() {
            fire();
        }
    }

    private static final ThreadLocal<Request> CURRENT = new ThreadLocal<>();

    private Stoppable() {}

    /**
     * Runs {@code work} on this thread and returns its result; an interrupt of this thread (seen at the
     * work's next {@link #stopRequested()}) calls {@code onStop} (may be null) and sets the request.
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
        CURRENT.set(request);
        String hook = HOOK_PREFIX + Thread.currentThread().getId();
        System.getProperties().put(hook, request);
        try {
            return work.get();
        } finally {
            System.getProperties().remove(hook);
            CURRENT.remove();
            if (request.stop || Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the work running on this thread was asked to stop (false outside {@link #run}). */
    public static boolean stopRequested() {
        Request r = CURRENT.get();
        if (r == null) {
            return false;
        }
        if (Thread.interrupted()) {
            r.fire();
        }
        return r.stop;
    }

    /** For loops with nothing to save (feature extraction): ends the work when it was asked to stop. */
    public static void throwIfStopRequested(String what) {
        if (stopRequested()) {
            throw new StoppedException(what);
        }
    }
}
