package dev.ganlab.experiments;

import java.util.concurrent.CompletableFuture;

/**
 * Something that executes {@link RunSpec}s: worker processes on this machine
 * ({@link LocalProcessExecutor}) now, a cluster engine later. A sweep submits every run it wants
 * executed and waits for the futures; the executor decides when and where each one runs.
 *
 * <p>What an implementation must keep: a run spec carries everything (config, folder, device hint),
 * the run writes only into its own folder, and the outcome is read back from that folder
 * ({@code status.json}, {@code metrics.csv}), so the folder must be visible to the workers and to the
 * sweep (a shared file system for a cluster). A run's own failure (divergence, an error in its worker)
 * completes its future normally with that outcome; a future completes exceptionally only when the
 * executor itself broke.
 *
 * <p>A cluster backend (one task per run spec on, say, Apache Spark) would serialise the spec
 * ({@link RunSpec#toJson()} or Java serialisation), call {@link RunWorker#execute} in the task, and
 * complete the future from the task's result; pid-based liveness ({@link dev.ganlab.train.RunStatus#liveStatus}) does not hold across
 * machines, so it would also keep the run's status fresh itself.
 */
public interface RunExecutor extends AutoCloseable {

    /** How many runs execute at the same time. */
    int parallelism();

    /**
     * Called by the sweep once its folder exists and its runs are checked, before any run is submitted:
     * the place to check that the executor's workers can reach the folder (a cluster's shared mount).
     * Throws a {@link dev.ganlab.core.UserError} saying what is wrong; nothing has run then.
     */
    default void prepare(SweepPlan plan) {
    }

    /** Schedules a run; the future completes when the run has ended (or was never started, on close). */
    CompletableFuture<RunOutcome> submit(RunSpec spec);

    /**
     * Stops: runs in flight are asked to checkpoint and stop (they end interrupted, and a later sweep
     * resumes them), queued ones are not started, and every future completes. Waits for the workers.
     */
    @Override
    void close();
}
