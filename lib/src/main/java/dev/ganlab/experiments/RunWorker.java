package dev.ganlab.experiments;

import dev.ganlab.train.GanTrainer;
import dev.ganlab.train.RunStatus;
import dev.ganlab.train.TrainingDivergedException;

import java.nio.file.Files;

/**
 * Executes one {@link RunSpec} in this JVM: starts the run in its folder, or resumes it from its newest
 * checkpoint. This is what a sweep's worker process does ({@code ganlab run-spec FILE}) and what a task
 * on a cluster node would do. A diverged run is an outcome, not an error: its status is returned.
 */
public final class RunWorker {

    private RunWorker() {}

    /**
     * Trains the run to its end (finished, diverged, or interrupted when asked to stop).
     *
     * @param stopWithParent checkpoint and stop when the process that started this one exits (a
     *     sweep's worker must not train on, unseen, after its sweep was killed)
     */
    public static RunStatus execute(RunSpec spec, boolean stopWithParent) {
        if (!Files.isRegularFile(spec.dir().resolve(RunSpec.FILE))) {
            spec.write(); // a spec that came over the wire: the folder should say what it is
        }
        try (GanTrainer t = GanTrainer.open(spec.config(), spec.dir(), true)) {
            if (stopWithParent) {
                ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(t::requestStop));
            }
            return t.train();
        } catch (TrainingDivergedException e) {
            return RunStatus.read(spec.dir().resolve("status.json"));
        }
    }
}
