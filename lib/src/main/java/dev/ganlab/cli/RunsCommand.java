package dev.ganlab.cli;

import dev.ganlab.core.UserError;
import dev.ganlab.experiments.Comparison;
import dev.ganlab.experiments.Objective;
import dev.ganlab.experiments.RunRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/** {@code ganlab runs}: the run registry on the command line - list, history, comparison, spread. */
@Command(name = "runs", description = "List the runs under a folder (status, step, config, final metrics), print one"
        + " run's history, or compare runs.",
        footer = {"", "Examples:",
            "  ganlab runs                                       (every run under runs/)",
            "  ganlab runs runs/sweeps/loss-x-reg --compare        (differing settings and final metrics, best first)",
            "  ganlab runs runs/sweeps/loss-x-reg --spread fid_fmnist   (FID per configuration, spread over seeds)",
            "  ganlab runs runs --history dcgan-ns                 (one run's metrics.csv as a table)"})
public final class RunsCommand implements Runnable {

    @Parameters(index = "0", arity = "0..1", defaultValue = "runs", paramLabel = "DIR",
            description = "Folder holding runs (default: ${DEFAULT-VALUE}).")
    Path root;

    @Option(names = "--history", paramLabel = "RUN", description = "Print this run's history (its id as listed).")
    String history;

    @Option(names = "--compare", description = "Compare the runs: differing settings and final metrics.")
    boolean compare;

    @Option(names = "--rank", paramLabel = "OBJECTIVE",
            description = "With --compare: rank by this, e.g. fid_fmnist or max:is_fmnist (scores carry the"
                    + " feature network's name unless it is Inception-v3).")
    String rank;

    @Option(names = "--spread", paramLabel = "METRIC", description = "A metric's spread over seeds, per configuration.")
    String spread;

    @Override
    public void run() {
        if (!Files.isDirectory(root)) {
            throw new UserError("runs: " + root + " is not a folder" + (Files.exists(root) ? "" : " (it does not exist)")
                    + "; give the folder that holds the runs, e.g. ganlab runs runs/sweeps/loss-x-reg");
        }
        if (history != null && (compare || spread != null || rank != null)) {
            throw new UserError("--history prints one run's history; it does not combine with --compare, --spread"
                    + " or --rank");
        }
        if (rank != null && !compare && spread == null) {
            throw new UserError("--rank " + rank + " orders the --compare table (or sets the direction of --spread):"
                    + " add --compare");
        }
        RunRegistry registry = RunRegistry.of(root);
        if (history != null) {
            System.out.println(registry.history(history).printAll());
            return;
        }
        if (compare || spread != null) {
            Comparison c = Comparison.of(registry.runs());
            if (rank != null) {
                Objective o = Objective.parse(rank);
                requireValue(c, o.metric(), "--rank " + rank);
                c.rankBy(o);
            }
            if (spread != null) {
                requireValue(c, spread, "--spread " + spread);
            }
            System.out.println(spread != null ? c.spread(spread).printAll() : c.table().printAll());
            return;
        }
        System.out.println(registry.table().printAll());
    }

    /**
     * A misspelt value would give a column of blanks: refused, with the values the runs do have. A metric's
     * value that no run has yet (a sweep still before its first evaluation) is a warning.
     */
    private void requireValue(Comparison c, String key, String what) {
        Set<String> known = new TreeSet<>();
        c.runs().forEach(r -> known.addAll(r.finalValues().keySet()));
        if (c.runs().isEmpty() || known.contains(key)) {
            return;
        }
        String problem = what + ": no run under " + root + " has a final value '" + key + "'"
                + (Objective.isEvaluationKey(key) ? " yet" : "") + "; they have: "
                + (known.isEmpty() ? "none" : String.join(", ", known));
        if (!Objective.isEvaluationKey(key)) {
            throw new UserError(problem);
        }
        System.err.println("warning: " + problem);
    }
}
