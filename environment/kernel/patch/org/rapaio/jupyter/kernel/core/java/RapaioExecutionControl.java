package org.rapaio.jupyter.kernel.core.java;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.SPIResolutionException;

/**
 * GAN Lab's replacement for rapaio-jupyter-kernel 3.0.1's JShell execution control (runs each
 * snippet of a cell on a pooled "Engine-thread"), placed before the kernel's jar by
 * environment/kernel/install-kernel.sh. Same constructor, constants and public methods as the
 * original, which {@code JavaEngine} uses.
 *
 * <p>What an interrupt does here, and why it differs from the original (issue 15):
 * <ul>
 *   <li>The original's interrupt cancelled the snippet's future and then <em>shut its executor
 *       down</em> ({@code stop()}, which the kernel's interrupt calls too). Every later snippet was
 *       rejected by the dead executor; JShell reports such an internal error only in its debug log,
 *       so every later cell "succeeded" without running: no output at all. Here {@link #stop()}
 *       leaves the executor alone (JShell means "stop the running snippet" by it, which
 *       {@link #interrupt()} does), and only {@link #close()} shuts it down.</li>
 *   <li>A thread running a GAN Lab long call is asked to stop through the call's stop hook rather
 *       than interrupted (see {@code Snippet.interruptThread}).</li>
 *   <li>The original answered at once, while the cell's code could still be running (a training
 *       loop writing its checkpoint, worker processes still up); the next cell then raced with it.
 *       Here the first interrupt interrupts the snippet's thread and <em>waits</em> for the code to
 *       return, so the cell ends when its code has cleaned up. A second interrupt stops waiting
 *       (for code that ignores interrupts): the cell ends and the code is left to run on.</li>
 *   <li>A snippet that was interrupted ends the cell with JShell's interrupted marker even when its
 *       code returned normally (GAN Lab's {@code train()} returns after saving a checkpoint), so the
 *       rest of the cell does not run, as after an interrupt in any other kernel.</li>
 *   <li>{@code RJK_TIMEOUT_MILLIS}: a snippet running longer is interrupted and reported at once.</li>
 * </ul>
 */
public class RapaioExecutionControl extends DirectExecutionControl {

    public static final String TIMEOUT_MARKER = "## Timeout Marker ##";
    public static final String INTERRUPTED_MARKER = "## Interrupted Marker ##";

    private static final AtomicInteger THREADS = new AtomicInteger();
    /** How often the waiting shell thread looks whether a second interrupt gave the snippet up. */
    private static final long POLL_MILLIS = 50;

    private final long timeoutMillis;
    private final ExecutorService executor = Executors.newCachedThreadPool(
            r -> new Thread(r, "Engine-thread-" + THREADS.getAndIncrement()));
    private final Set<Snippet> running = ConcurrentHashMap.newKeySet();
    private final Map<String, Object> results = new ConcurrentHashMap<>();

    /** One snippet being run: its thread (while inside the snippet) and the interrupts it received. */
    private static final class Snippet {
        private Thread thread;
        private final AtomicInteger interrupts = new AtomicInteger();

        synchronized void enter() {
            thread = Thread.currentThread();
        }

        /** Leaves the snippet; an interrupt that arrives late must not hit the pooled thread's next task. */
        synchronized void leave() {
            thread = null;
            Thread.interrupted();
        }

        /**
         * Asks the snippet's code to stop: through the stop hook GAN Lab registers while a long call
         * (training, a sweep, an evaluation) runs on the thread (system property
         * {@code ganlab.stop.<thread id>}, see dev.ganlab.core.Stoppable), else by interrupting the
         * thread. The hook lets the call stop at its next step without an interrupt flag that would
         * make its checkpoint's file writes fail (ClosedByInterruptException).
         */
        synchronized void interruptThread() {
            if (thread != null) {
                Object hook = System.getProperties().get("ganlab.stop." + thread.getId());
                if (hook instanceof Runnable stop) {
                    stop.run();
                } else {
                    thread.interrupt();
                }
            }
        }
    }

    public RapaioExecutionControl(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    public long getTimeout() {
        return timeoutMillis;
    }

    /**
     * The value of the snippet whose invoke returned {@code key}; null for a snippet without one
     * (JShell reports statements with the key "" and takes their result too; the original threw
     * there, which only worked because a null value had already failed its invoke).
     */
    public Object takeResult(String key) {
        return results.remove(key);
    }

    @Override
    protected String invoke(Method methodCall) throws Exception {
        String id = UUID.randomUUID().toString();
        Object value = execute(methodCall);
        if (value != null) {
            results.put(id, value);
        }
        return id;
    }

    private Object execute(Method methodCall) throws Exception {
        Snippet snippet = new Snippet();
        running.add(snippet);
        try {
            Future<Object> task = executor.submit(() -> {
                snippet.enter();
                try {
                    return methodCall.invoke(null);
                } finally {
                    snippet.leave();
                }
            });
            long deadline = timeoutMillis > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : Long.MAX_VALUE;
            while (true) {
                try {
                    Object value = task.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
                    if (snippet.interrupts.get() > 0) {
                        throw interrupted();
                    }
                    return value;
                } catch (TimeoutException e) {
                    if (snippet.interrupts.get() > 1) {
                        throw interrupted(); // given up: the code runs on without the cell
                    }
                    if (System.nanoTime() - deadline > 0) {
                        snippet.interruptThread();
                        throw new UserException("Execution timed out", TIMEOUT_MARKER, e.getStackTrace());
                    }
                } catch (ExecutionException e) {
                    if (snippet.interrupts.get() > 0) {
                        throw interrupted();
                    }
                    throw converted(e);
                }
            }
        } finally {
            running.remove(snippet);
        }
    }

    private static UserException interrupted() {
        return new UserException("Execution interrupted.", INTERRUPTED_MARKER, new StackTraceElement[0]);
    }

    private static Exception converted(ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof InvocationTargetException) {
            cause = cause.getCause();
        }
        if (cause == null) {
            return new UserException("null", "Unknown Invocation Exception", e.getStackTrace());
        }
        if (cause instanceof SPIResolutionException r) {
            return new ResolutionException(r.id(), cause.getStackTrace());
        }
        return new UserException(cause.getMessage(), cause.getClass().getName(), cause.getStackTrace());
    }

    /** The kernel's interrupt: the first interrupts the running snippet's thread, a second gives it up. */
    public void interrupt() {
        for (Snippet s : running) {
            if (s.interrupts.incrementAndGet() == 1) {
                s.interruptThread();
            }
        }
    }

    /**
     * JShell's "stop the running snippet"; the kernel calls it right after {@link #interrupt()}, which
     * has done that already. Interrupting again would hit the code while it cleans up (an interrupted
     * thread's file writes fail with ClosedByInterruptException), so this does nothing.
     */
    @Override
    public void stop() {
    }

    @Override
    public void close() {
        executor.shutdownNow();
        super.close();
    }
}
