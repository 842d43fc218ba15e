package dev.ganlab.experiments;

import dev.ganlab.train.RunFolder;
/**
 * How one run of a sweep ended, as its executor saw it.
 *
 * @param id the run's id
 * @param status the run's status afterwards (see {@link dev.ganlab.train.RunStatus#STATUSES})
 * @param step steps completed
 * @param exitCode the worker's exit status (0 when the run ended in a recorded state), or -1 when no
 *     worker ran (skipped, never started)
 * @param message why it stopped (divergence, failure), or ""
 * @param seconds wall time of the worker, 0 when none ran
 * @param executed whether a worker ran it in this sweep (false: skipped as done, or never started)
 */
public record RunOutcome(String id, String status, long step, int exitCode, String message, double seconds,
        boolean executed) {

    /** The outcome of a run no worker touched: what its folder says now. */
    static RunOutcome notExecuted(RunSpec spec) {
        RunFolder info = RunFolder.read(spec.dir(), spec.id());
        return new RunOutcome(spec.id(), info.status(), info.step(), -1, info.message(), 0, false);
    }
}
