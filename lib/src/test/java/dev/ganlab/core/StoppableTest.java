package dev.ganlab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** An interrupt of the caller becomes a stop request; the work ends in its own time, its clean-up not interrupted. */
class StoppableTest {

    @Test
    void anInterruptOfTheCallerIsAStopRequestTheWorkAnswers() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger stopCalls = new AtomicInteger();
        AtomicReference<Object> result = new AtomicReference<>();
        AtomicReference<Boolean> callerFlagAfter = new AtomicReference<>();
        AtomicReference<Boolean> workInterrupted = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            result.set(Stoppable.run("test", stopCalls::incrementAndGet, () -> {
                started.countDown();
                while (!Stoppable.stopRequested()) {
                    Thread.onSpinWait();
                }
                // After the request is taken: the flag is clear, so the clean-up's file writes can run.
                workInterrupted.set(Thread.currentThread().isInterrupted());
                return "stopped";
            }));
            callerFlagAfter.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        assertTrue(started.await(30, TimeUnit.SECONDS));
        caller.interrupt();
        caller.join(30_000);
        assertFalse(caller.isAlive(), "the call returned after the stop request");
        assertEquals("stopped", result.get(), "the call returns the work's result");
        assertEquals(1, stopCalls.get(), "the stop callback runs once");
        assertFalse(workInterrupted.get(), "the flag is clear once the request is taken");
        assertTrue(callerFlagAfter.get(), "the caller's interrupt flag is set again on return");
    }

    @Test
    void exceptionsOfTheWorkReachTheCallerAndTheWorkRunsOnTheCallingThread() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Stoppable.run("test", null, () -> { throw new IllegalStateException("boom"); }));
        assertEquals("boom", e.getMessage());
        Thread caller = Thread.currentThread();
        Thread[] seen = new Thread[2];
        Stoppable.run("outer", null, () -> {
            seen[0] = Thread.currentThread();
            return Stoppable.run("inner", null, () -> seen[1] = Thread.currentThread());
        });
        assertSame(caller, seen[0], "the work runs on the calling thread (the engine's NaN on other threads)");
        assertSame(seen[0], seen[1], "a call from inside the work runs inline");
        assertFalse(Stoppable.stopRequested(), "outside run() nothing is requested");
    }

    @Test
    void aCallerInterruptedBeforehandStopsTheWorkAtOnce() {
        Thread.currentThread().interrupt();
        try {
            boolean seen = Stoppable.run("test", null, Stoppable::stopRequested);
            assertTrue(seen, "the work sees the request from its start");
            assertTrue(Thread.currentThread().isInterrupted(), "and the flag is back on return");
        } finally {
            Thread.interrupted();
        }
    }
}
