package dev.ganlab.experiments;

import dev.ganlab.train.RunFolder;
import dev.ganlab.viz.Notebook;

import java.util.List;
import java.util.Map;

/**
 * Follows a sweep as it runs. {@link #auto()} picks a live table in a notebook and progress lines on a
 * console.
 */
public interface SweepMonitor {

    /**
     * The sweep is about to start its workers.
     *
     * @param actions what happens to each run, by id: run, resume, extend, skip: finished, skip: diverged
     */
    default void onStart(SweepPlan plan, Map<String, String> actions, int workers) {}

    /** Every couple of seconds: all runs of the sweep as their folders say now (plan order). */
    default void onProgress(SweepPlan plan, List<RunFolder> runs) {}

    /** A run has ended ({@code done} of {@code toRun} runs this sweep executes). */
    default void onRunEnd(SweepPlan plan, RunOutcome outcome, int done, int toRun) {}

    /** The sweep has ended (completely or interrupted). */
    default void onEnd(SweepResult result) {}

    /** A monitor that shows nothing. */
    SweepMonitor QUIET = new SweepMonitor() {};

    /** A live table inside a Jupyter kernel, progress lines on the console elsewhere. */
    static SweepMonitor auto() {
        return Notebook.inKernel() ? new NotebookSweepMonitor() : new ConsoleSweepMonitor(System.out);
    }
}
