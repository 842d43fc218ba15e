package dev.ganlab.train;

import dev.ganlab.core.GanLab;
import dev.ganlab.core.NativeLibraries;

import java.io.PrintStream;
import java.util.Map;

/**
 * Progress on a console: one line rewritten in place on a terminal, or about 50 lines per run when the
 * output is a log file.
 */
public final class ConsoleMonitor implements TrainingMonitor {

    private final PrintStream out;
    private final boolean terminal;
    private long lastPrinted = -1;

    public ConsoleMonitor() {
        this(System.out, System.console() != null);
    }

    public ConsoleMonitor(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void onStart(GanTrainer t) {
        out.println("training " + t.model().name() + " (" + t.config().loss + ") on " + t.data() + " -> " + t.dir()
                + (t.step() > 0 ? " (resumed at step " + t.step() + ")" : ""));
        out.println("  device " + GanLab.device() + (GanLab.device().isGpu() ? ""
                : ", " + GanLab.threads() + " engine thread(s) (" + GanLab.threadsSource() + ")") + "; "
                + NativeLibraries.describe());
        t.resumeNotice().ifPresent(n -> out.println("  NOTE: " + n));
    }

    @Override
    public void onLog(GanTrainer t, Map<String, Double> row) {
        long step = row.get("step").longValue();
        String line = ProgressText.line(t, row);
        if (terminal) {
            out.print("\r" + line);
            out.flush();
            return;
        }
        long every = Math.max(t.config().logEvery, t.config().steps / 50);
        if (lastPrinted < 0 || step - lastPrinted >= every || step == t.config().steps) {
            out.println(line);
            lastPrinted = step;
        }
    }

    @Override
    public void onEnd(GanTrainer t, RunStatus status) {
        if (terminal) {
            out.println();
        }
        out.println(status.status + " at step " + status.step + (status.message.isEmpty() ? "" : ": " + status.message));
    }
}
