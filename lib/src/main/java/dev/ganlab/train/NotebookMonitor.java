package dev.ganlab.train;

import dev.ganlab.viz.LineChart;
import dev.ganlab.viz.Notebook;
import dev.ganlab.viz.Plots;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.Table;

/**
 * A live training display in a notebook cell: the progress line, the loss curves and the latest
 * fixed-latent sample grid, replaced in place (no external dashboard). Updates are throttled to one
 * per {@link #MIN_INTERVAL_MS} so a fast run does not flood the front end.
 */
public final class NotebookMonitor implements TrainingMonitor {

    /** Smallest time between two display updates. */
    public static final long MIN_INTERVAL_MS = 1500;
    private static final List<String> CURVES = List.of("d_loss", "g_loss", "penalty", "d_aux", "feature_matching");

    /** The output area of the current train() call: each call (a re-run cell) shows in its own cell. */
    private Notebook.LiveDisplay display;
    private BufferedImage samples;
    private String line = "starting";
    private long lastUpdate;

    @Override
    public void onStart(GanTrainer t) {
        display = Notebook.live();
        lastUpdate = 0;
        line = "training " + t.model().name() + " (" + t.config().loss + ") on " + t.data().name();
        t.resumeNotice().ifPresent(n -> System.out.println("NOTE: " + n)); // above the live display, where it stays
        render(t, true);
    }

    @Override
    public void onLog(GanTrainer t, Map<String, Double> row) {
        line = ProgressText.line(t, row);
        render(t, row.get("step").longValue() == t.config().steps);
    }

    @Override
    public void onSamples(GanTrainer t, long step, BufferedImage grid) {
        samples = grid;
    }

    @Override
    public void onEnd(GanTrainer t, RunStatus status) {
        line = line + " | " + status.status + (status.message.isEmpty() ? "" : ": " + status.message);
        render(t, true);
    }

    private void render(GanTrainer t, boolean force) {
        long now = System.currentTimeMillis();
        if (!force && now - lastUpdate < MIN_INTERVAL_MS) {
            return;
        }
        lastUpdate = now;
        StringBuilder html = new StringBuilder("<div style=\"font-family:monospace;font-size:12px\">")
                .append(Notebook.escape(line)).append("</div><div style=\"display:flex;gap:12px;align-items:flex-start\">");
        Table h = t.history();
        if (h.rowCount() > 0) {
            double[] x = Plots.column(h, "step");
            LineChart chart = LineChart.create("losses").xLabel("step").size(480, 280);
            for (String c : CURVES) {
                if (h.columnNames().contains(c)) {
                    chart.series(c, x, Plots.column(h, c));
                }
            }
            html.append(Notebook.imgTag(chart.render()));
        }
        if (samples != null) {
            html.append(Notebook.imgTag(samples));
        }
        html.append("</div>");
        display.update(new Notebook.Html(html.toString()));
    }
}
