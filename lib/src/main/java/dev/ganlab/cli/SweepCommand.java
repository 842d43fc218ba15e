package dev.ganlab.cli;

import dev.ganlab.experiments.ConsoleSweepMonitor;
import dev.ganlab.experiments.Sweep;
import dev.ganlab.experiments.SweepResult;
import dev.ganlab.experiments.SweepSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ganlab sweep}: runs a sweep spec (a base config and a grid or random search, several seeds)
 * in parallel worker processes; running it again resumes it.
 */
@Command(name = "sweep", description = "Run a hyperparameter sweep (grid, variants, random search, seeds) in parallel"
        + " worker processes; run the same spec again to resume it.",
        footer = {"", "Exit status: 0 when every run finished or diverged, 3 when some failed or were interrupted,"
            + " 2 for a bad spec.", "", "Examples:",
            "  ganlab sweep --spec sweep.json --dry-run        (check the spec and print the planned runs)",
            "  ganlab sweep --spec sweep.json --workers 2",
            "  ganlab sweep --spec runs/sweeps/loss-x-reg/sweep.json   (resume: finished runs are skipped)",
            "", "A spec:",
            "  {\"name\": \"loss-x-reg\", \"base\": {\"data\": \"fashion-mnist\", \"steps\": 2000},",
            "   \"grid\": {\"loss\": [\"ns\", \"lsgan\", \"hinge\"]},",
            "   \"variants\": {\"reg\": {\"none\": {}, \"sn\": {\"model\": \"sndcgan\"},",
            "                        \"r1\": {\"penalty\": \"r1\"}}},",
            "   \"seeds\": [1, 2, 3], \"workers\": 2}"})
public final class SweepCommand implements Callable<Integer> {

    @Option(names = "--spec", required = true, paramLabel = "FILE", description = "The sweep spec (JSON).")
    Path spec;

    @Option(names = "--workers", paramLabel = "N", description = "Parallel runs (default: the spec's; else one per GPU,"
            + " or one per two cores).")
    Integer workers;

    @Option(names = "--out", paramLabel = "DIR", description = "The sweep's folder (default: the spec's 'out', else"
            + " runs/sweeps/NAME).")
    Path out;

    @Option(names = "--dry-run", description = "Check the spec and print what would run; run nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        SweepSpec s = SweepSpec.read(spec);
        if (workers != null) {
            s.workers(workers);
        }
        if (out != null) {
            s.out(out);
        }
        if (dryRun) {
            System.out.println(Sweep.dryRun(s).printAll());
            return 0;
        }
        SweepResult r = Sweep.run(s, null, new ConsoleSweepMonitor(System.out));
        return r.complete() ? 0 : 3;
    }
}
