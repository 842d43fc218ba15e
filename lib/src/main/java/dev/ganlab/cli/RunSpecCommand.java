package dev.ganlab.cli;

import dev.ganlab.experiments.RunSpec;
import dev.ganlab.experiments.RunWorker;
import dev.ganlab.train.RunStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/**
 * {@code ganlab run-spec}: executes one run of a sweep from its {@code run-spec.json}, starting or
 * resuming it. Sweep workers run this; so can a person, to redo one run by hand.
 */
@Command(name = "run-spec", description = "Execute one run of a sweep from its run-spec.json (start or resume);"
        + " what sweep workers run.",
        footer = {"", "Example:", "  ganlab run-spec runs/sweeps/loss-x-reg/loss=ns,reg=sn,seed=1/run-spec.json"})
public final class RunSpecCommand implements Runnable {

    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "FILE", description = "The run spec (run-spec.json in a run folder).")
    Path file;

    @Option(names = "--stop-with-parent", description = "Checkpoint and stop when the process that started this one"
            + " ends (used by sweep workers).")
    boolean stopWithParent;

    @Override
    public void run() {
        common.apply();
        RunStatus s = RunWorker.execute(RunSpec.read(file), stopWithParent);
        System.out.println("run-spec " + file + ": " + s.status + " at step " + s.step);
    }
}
