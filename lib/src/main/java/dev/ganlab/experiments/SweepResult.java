package dev.ganlab.experiments;

import dev.ganlab.core.UserError;
import dev.ganlab.train.RunFolder;
import dev.ganlab.train.RunStatus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.Table;

/**
 * What a sweep did: the plan, each run's outcome in this sweep, and access to the runs as their
 * folders say now (for tables and figures).
 */
public final class SweepResult {

    private final SweepPlan plan;
    private final Map<String, RunOutcome> outcomes;
    private final boolean interrupted;

    SweepResult(SweepPlan plan, Map<String, RunOutcome> outcomes, boolean interrupted) {
        this.plan = plan;
        this.outcomes = Collections.unmodifiableMap(new LinkedHashMap<>(outcomes));
        this.interrupted = interrupted;
    }

    public SweepPlan plan() {
        return plan;
    }

    /** Each run's outcome by id, in plan order (runs skipped as done say so with executed = false). */
    public Map<String, RunOutcome> outcomes() {
        return outcomes;
    }

    /** Whether the sweep was stopped before every run had ended (resume it by running it again). */
    public boolean interrupted() {
        return interrupted;
    }

    /** The sweep's runs as their folders say now, in plan order. */
    public List<RunFolder> runs() {
        List<RunFolder> out = new ArrayList<>();
        for (RunSpec r : plan.runs()) {
            out.add(RunFolder.read(r.dir(), r.id()));
        }
        return out;
    }

    /** How many runs are in this status now. */
    public long count(String status) {
        return runs().stream().filter(r -> r.status().equals(status)).count();
    }

    /** Whether every run has ended for good (finished or diverged). */
    public boolean complete() {
        return runs().stream().allMatch(RunFolder::isDone);
    }

    /** A comparison of the sweep's runs, ranked by the sweep's objective. */
    public Comparison comparison() {
        Comparison c = Comparison.of(runs());
        if (plan.objective() != null) {
            c.rankBy(plan.objective());
        }
        return c;
    }

    /** The comparison table: runs x (differing settings, final metrics), best first. */
    public Table table() {
        return comparison().table();
    }

    /** The best run by the sweep's objective. */
    public RunFolder best() {
        if (plan.objective() == null) {
            throw new UserError("sweep " + plan.name() + " has no objective: its runs do not evaluate (eval.metrics)"
                    + " and no 'rank' was given");
        }
        return comparison().best();
    }

    /** One line: how many runs ended how, and whether the sweep was interrupted. */
    public String summary() {
        List<RunFolder> runs = runs();
        StringBuilder sb = new StringBuilder("sweep " + plan.name() + ": " + runs.size() + " runs");
        String sep = ": ";
        for (String s : RunStatus.STATUSES) {
            long n = runs.stream().filter(r -> r.status().equals(s)).count();
            if (n > 0) {
                sb.append(sep).append(n).append(' ').append(s);
                sep = ", ";
            }
        }
        if (interrupted) {
            sb.append(" (interrupted: run the sweep again to resume)");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
