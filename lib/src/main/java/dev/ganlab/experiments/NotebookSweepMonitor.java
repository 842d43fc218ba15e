package dev.ganlab.experiments;

import dev.ganlab.train.RunFolder;
import dev.ganlab.train.RunStatus;
import dev.ganlab.viz.Notebook;
import dev.ganlab.viz.Tables;

import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A sweep's progress in a notebook: one table, replaced in place, with every run's status, step and
 * score, under a line that counts runs by status.
 */
public final class NotebookSweepMonitor implements SweepMonitor {

    private final Notebook.LiveDisplay display = Notebook.live();
    private String shown = "";
    private int workers;

    @Override
    public void onStart(SweepPlan plan, Map<String, String> actions, int workers) {
        this.workers = workers;
    }

    @Override
    public void onProgress(SweepPlan plan, List<RunFolder> runs) {
        show(plan, runs, "");
    }

    @Override
    public void onEnd(SweepResult result) {
        show(result.plan(), result.runs(), result.summary());
    }

    private void show(SweepPlan plan, List<RunFolder> runs, String footer) {
        StringColumn id = StringColumn.create("run");
        StringColumn status = StringColumn.create("status");
        StringColumn step = StringColumn.create("step");
        String metric = plan.objective() == null ? null : plan.objective().metric();
        DoubleColumn score = DoubleColumn.create(metric == null ? "score" : metric);
        StringColumn message = StringColumn.create("message");
        for (RunFolder r : runs) {
            id.append(r.name());
            status.append(r.status());
            step.append(r.step() + "/" + r.steps());
            double v = metric == null ? Double.NaN : r.value(metric);
            if (Double.isNaN(v)) {
                score.appendMissing();
            } else {
                score.append(v);
            }
            message.append(r.message().length() > 80 ? r.message().substring(0, 80) + "..." : r.message());
        }
        Table t = Table.create("", id, status, step);
        if (metric != null) {
            t.addColumns(score);
        }
        t.addColumns(message);
        StringBuilder counts = new StringBuilder();
        for (String s : RunStatus.STATUSES) {
            long n = runs.stream().filter(r -> r.status().equals(s)).count();
            if (n > 0) {
                counts.append(counts.length() == 0 ? "" : ", ").append(n).append(' ').append(s);
            }
        }
        String html = "<div style=\"font-family:sans-serif;font-size:13px\"><b>sweep " + Notebook.escape(plan.name())
                + "</b>: " + runs.size() + " runs (" + counts + "), "
                + (workers == 0 ? "all ended before: nothing to run" : workers + " worker(s)")
                + (footer.isEmpty() ? "" : "<br>" + Notebook.escape(footer)) + "</div>" + Tables.html(t, 500);
        if (!html.equals(shown)) {
            shown = html;
            display.update(new Notebook.Html(html));
        }
    }
}
