package dev.ganlab.cli;

import dev.ganlab.core.UserError;
import dev.ganlab.train.TrainedGenerator;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Options of the commands that use a trained run's generator ({@code sample}, {@code interpolate},
 * {@code truncation}, {@code neighbours}): the run folder and whether to use its EMA generator.
 */
public final class TrainedRunOptions {

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run folder (with checkpoints/)"
            + " or reference model folder (lib/zoo/NAME).")
    Path run;

    @Option(names = "--ema", description = "Use the EMA generator (when the run kept one).")
    boolean ema;

    /** Loads the run's generator; {@code --ema} on a run trained without EMA is an error naming the run. */
    TrainedGenerator load() {
        TrainedGenerator g = TrainedGenerator.load(run);
        if (ema && !g.hasEma()) {
            g.close();
            throw new UserError("--ema: run " + run + " was trained without an EMA generator (emaDecay 0)");
        }
        return g;
    }
}
