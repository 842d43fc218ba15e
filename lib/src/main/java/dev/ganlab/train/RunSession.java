package dev.ganlab.train;

import dev.ganlab.viz.Notebook;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The bookkeeping of a run across its sessions: the status written to {@code status.json}
 * ({@link RunStatus}) and the monitors told of it, the training clock (seconds inside
 * {@link GanTrainer#train()}, summed over sessions and resumes), and the stop on JVM shutdown while a
 * {@code train()} call runs.
 */
final class RunSession {

    /** How long a shutdown waits for the loop to checkpoint and return. */
    private static final long SHUTDOWN_WAIT_SECONDS = 120;

    private final GanTrainer trainer;
    private final RunStatus status = new RunStatus();
    private final Path statusFile;
    private final List<TrainingMonitor> monitors = new ArrayList<>();
    /** Training seconds of earlier sessions and finished train() calls. */
    private double secondsDone;
    /** When the current train() call began; -1 outside train(). */
    private long runningSinceNanos = -1;

    RunSession(GanTrainer trainer, Path dir) {
        this.trainer = trainer;
        this.statusFile = dir.resolve(RunFolder.STATUS);
    }

    RunStatus status() {
        return status;
    }

    List<TrainingMonitor> monitors() {
        return monitors;
    }

    /** Seconds spent training so far, over all sessions; the clock runs only inside {@link #running}. */
    double seconds() {
        return secondsDone + (runningSinceNanos < 0 ? 0 : (System.nanoTime() - runningSinceNanos) / 1e9);
    }

    /** Continues the clock of a resumed run from its last history row's seconds (NaN: from 0). */
    void resumeClock(double loggedSeconds) {
        secondsDone = Double.isNaN(loggedSeconds) ? 0 : loggedSeconds;
    }

    /** Sets and writes the status: {@code state}, {@code message} and the trainer's counters. */
    void set(String state, String message) {
        status.status = state;
        status.message = message;
        status.step = trainer.step();
        status.steps = trainer.config().steps;
        status.images = trainer.imagesShown();
        status.pid = ProcessHandle.current().pid();
        status.write(statusFile);
    }

    /**
     * Starts a train() call: the monitors (without any, a live notebook display inside a Jupyter kernel
     * and console progress lines elsewhere) see the status {@code running} and the clock runs. Until the
     * returned handle is closed, a JVM shutdown calls {@code requestStop} and waits (up to two minutes)
     * for the loop to checkpoint and close the handle.
     */
    Running running(Runnable requestStop) {
        if (monitors.isEmpty()) {
            monitors.add(Notebook.inKernel() ? new NotebookMonitor() : new ConsoleMonitor());
        }
        Running r = new Running(requestStop);
        try {
            set(RunStatus.RUNNING, "");
            trainer.platforms().recordStart(dev.ganlab.core.ComputePlatform.current(), trainer.step());
            monitors.forEach(m -> m.onStart(trainer));
        } catch (RuntimeException | Error e) {
            r.close();
            throw e;
        }
        return r;
    }

    /** Ends the call with status {@code state}: the monitors are told and the status returned. */
    RunStatus end(String state, String message) {
        set(state, message);
        monitors.forEach(m -> m.onEnd(trainer, status));
        return status;
    }

    /** After an exception: a run still marked running becomes failed (a sweep would wait for it). */
    void failed(Throwable e) {
        if (RunStatus.RUNNING.equals(status.status)) {
            set(RunStatus.FAILED, String.valueOf(e));
        }
    }

    /** Ends the run as diverged at step {@code done} with its history row written; always throws. */
    void diverged(long done, String what) {
        String last = status.lastCheckpoint == null ? "none (diverged before the first checkpoint)"
                : status.lastCheckpoint;
        trainer.historyRecorder().writeRow(trainer, done);
        end(RunStatus.DIVERGED, "step " + done + ": " + what + "; last good checkpoint: " + last);
        throw new TrainingDivergedException(status.message);
    }

    /** One train() call: closing it stops the clock and removes the shutdown hook. */
    final class Running implements AutoCloseable {
        private final CountDownLatch finished = new CountDownLatch(1);
        private final Thread hook;

        private Running(Runnable requestStop) {
            this.hook = new Thread(() -> {
                requestStop.run();
                try {
                    finished.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "ganlab-train-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            runningSinceNanos = System.nanoTime();
        }

        @Override
        public void close() {
            secondsDone = seconds();
            runningSinceNanos = -1;
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // JVM already shutting down
            }
        }
    }
}
