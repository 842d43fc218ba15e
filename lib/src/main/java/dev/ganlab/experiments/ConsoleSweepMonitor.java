package dev.ganlab.experiments;

import dev.ganlab.train.RunFolder;
import dev.ganlab.train.RunStatus;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** A sweep's progress as lines: the plan, one line per ended run, the summary and the best runs. */
public final class ConsoleSweepMonitor implements SweepMonitor {

    private final PrintStream out;

    public ConsoleSweepMonitor(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onStart(SweepPlan plan, Map<String, String> actions, int workers) {
        long toRun = actions.values().stream().filter(a -> !a.startsWith("skip")).count();
        if (toRun == 0) {
            out.println("sweep " + plan.name() + ": all " + plan.size() + " runs ended before; nothing to run -> "
                    + plan.out());
            return;
        }
        out.println("sweep " + plan.name() + ": " + plan.size() + " runs, " + toRun + " to run"
                + (toRun < plan.size() ? " (" + (plan.size() - toRun) + " done before)" : "") + ", " + workers
                + " worker(s) -> " + plan.out());
    }

    @Override
    public void onRunEnd(SweepPlan plan, RunOutcome o, int done, int toRun) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "[%" + digits(toRun) + "d/%d] %-11s %s",
                done, toRun, o.status(), o.id()));
        if (plan.objective() != null) {
            double v = RunFolder.read(plan.out().resolve(o.id()), o.id()).value(plan.objective().metric());
            if (!Double.isNaN(v)) {
                sb.append(String.format(Locale.ROOT, "  %s %.4g", plan.objective().metric(), v));
            }
        }
        sb.append(String.format(Locale.ROOT, "  (%.0f s)", o.seconds()));
        if (!o.message().isEmpty() && !o.status().equals(RunStatus.FINISHED)) {
            sb.append("  ").append(o.message());
        }
        out.println(sb);
    }

    private static int digits(int n) {
        return Integer.toString(Math.max(1, n)).length();
    }

    @Override
    public void onEnd(SweepResult r) {
        out.println(r.summary());
        if (r.plan().objective() != null) {
            out.println(r.comparison().table().first(Math.min(10, r.plan().size())).printAll());
        }
        out.println("runs and their logs: " + r.plan().out());
    }
}
