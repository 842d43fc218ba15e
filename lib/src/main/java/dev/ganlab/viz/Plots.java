package dev.ganlab.viz;

import dev.ganlab.core.AtomicFiles;
import dev.ganlab.core.UserError;
import dev.ganlab.data.DataPaths;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.components.Marker;
import tech.tablesaw.plotly.traces.BarTrace;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

/**
 * Interactive charts (Tablesaw figures rendered by plotly.js) that work offline.
 *
 * <p>plotly.js comes from the npm package {@code plotly.js-dist-min} that {@code environment/setup.sh}
 * installs into {@code environment/node_modules} ({@code GANLAB_PLOTLY_JS} overrides the file). It is
 * inlined into the first figure shown in a session, and later figures reuse it; a standalone HTML file
 * always carries its own copy.
 */
public final class Plots {

    private static final AtomicBoolean PLOTLY_SENT = new AtomicBoolean();
    private static volatile String plotlySource;

    private Plots() {}

    /** A line chart of {@code yCols} against {@code xCol} of a table (rows with missing values are gaps). */
    public static Figure lines(Table t, String title, String xCol, String... yCols) {
        Map<String, double[]> ys = new LinkedHashMap<>();
        for (String y : yCols) {
            ys.put(y, column(t, y));
        }
        return lines(title, xCol, yCols.length == 1 ? yCols[0] : "", column(t, xCol), ys, false);
    }

    /**
     * Lines with markers of values recorded only now and then (evaluations every k steps, a column
     * that starts partway through a run): each series keeps just its rows with a value, so the points
     * join up instead of standing alone between missing rows, and a series with one value still shows.
     */
    public static Figure sparseLines(Table t, String title, String xCol, String... yCols) {
        double[] x = column(t, xCol);
        Trace[] traces = new Trace[yCols.length];
        for (int k = 0; k < yCols.length; k++) {
            double[] y = column(t, yCols[k]);
            int n = 0;
            for (int i = 0; i < y.length; i++) {
                if (!Double.isNaN(y[i]) && !Double.isNaN(x[i])) {
                    n++;
                }
            }
            double[] xs = new double[n];
            double[] ys = new double[n];
            for (int i = 0, j = 0; i < y.length; i++) {
                if (!Double.isNaN(y[i]) && !Double.isNaN(x[i])) {
                    xs[j] = x[i];
                    ys[j++] = y[i];
                }
            }
            traces[k] = ScatterTrace.builder(xs, ys).mode(ScatterTrace.Mode.LINE_AND_MARKERS).name(yCols[k]).build();
        }
        return new Figure(layout(title, xCol, yCols.length == 1 ? yCols[0] : "", false), traces);
    }

    /** A line chart of several series sharing x values. */
    public static Figure lines(String title, String xLabel, String yLabel, double[] x, Map<String, double[]> series,
            boolean logY) {
        Trace[] traces = new Trace[series.size()];
        int i = 0;
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            traces[i++] = ScatterTrace.builder(x, e.getValue()).mode(ScatterTrace.Mode.LINE).name(e.getKey()).build();
        }
        return new Figure(layout(title, xLabel, yLabel, logY), traces);
    }

    /**
     * Two series of different units over the same x: {@code left} against the left axis, {@code right}
     * against a second axis on the right (e.g. a resolution and a fade-in weight over images shown).
     */
    public static Figure twoAxes(String title, String xLabel, double[] x, String leftName, double[] left,
            String rightName, double[] right) {
        if (left.length != x.length || right.length != x.length) {
            throw new IllegalArgumentException(title + ": " + x.length + " x values, but " + left.length + " "
                    + leftName + " and " + right.length + " " + rightName + " values");
        }
        Trace l = ScatterTrace.builder(x, left).mode(ScatterTrace.Mode.LINE).name(leftName).build();
        Trace r = ScatterTrace.builder(x, right).mode(ScatterTrace.Mode.LINE).name(rightName)
                .yAxis(ScatterTrace.YAxis.Y2).build();
        Layout layout = Layout.builder().title(title).width(720).height(380)
                .xAxis(Axis.builder().title(xLabel).build())
                .yAxis(Axis.builder().title(leftName).build())
                .yAxis2(Axis.builder().title(rightName).side(Axis.Side.right).overlaying(ScatterTrace.YAxis.Y).build())
                .build();
        return new Figure(layout, l, r);
    }

    /** A bar chart with optional error bars (pass null for none). */
    public static Figure bars(String title, String yLabel, List<String> labels, double[] values) {
        if (labels.size() != values.length) {
            throw new IllegalArgumentException(title + ": " + labels.size() + " labels for " + values.length + " values");
        }
        Trace t = BarTrace.builder(labels.toArray(new Object[0]), values)
                .marker(Marker.builder().color("#1f77b4").build()).build();
        return new Figure(layout(title, "", yLabel, false), t);
    }

    /**
     * Bars of several series side by side per label (e.g. precision and recall per run), one colour
     * and legend entry per series.
     *
     * @throws IllegalArgumentException when a series does not have one value per label
     */
    public static Figure groupedBars(String title, String yLabel, List<String> labels, Map<String, double[]> series) {
        Trace[] traces = new Trace[series.size()];
        int i = 0;
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            if (e.getValue().length != labels.size()) {
                throw new IllegalArgumentException(title + ": series '" + e.getKey() + "' has " + e.getValue().length
                        + " values for " + labels.size() + " labels");
            }
            String colour = String.format("#%06x", LineChart.PALETTE[i % LineChart.PALETTE.length].getRGB() & 0xFFFFFF);
            traces[i++] = BarTrace.builder(labels.toArray(new Object[0]), e.getValue()).name(e.getKey())
                    .marker(Marker.builder().color(colour).build()).build();
        }
        // plotly's default bar mode is "group" (Tablesaw 0.43's layout template drops barMode anyway).
        return new Figure(layout(title, "", yLabel, false), traces);
    }

    private static Layout layout(String title, String xLabel, String yLabel, boolean logY) {
        Axis.AxisBuilder y = Axis.builder().title(yLabel);
        if (logY) {
            y.type(Axis.Type.LOG);
        }
        return Layout.builder().title(title).width(720).height(380)
                .xAxis(Axis.builder().title(xLabel).build()).yAxis(y.build()).build();
    }

    /** A numeric column as doubles (missing values as NaN). */
    public static double[] column(Table t, String name) {
        if (!t.columnNames().contains(name)) {
            throw new IllegalArgumentException("table '" + t.name() + "' has no column '" + name + "' (columns: "
                    + String.join(", ", t.columnNames()) + ")");
        }
        if (!(t.column(name) instanceof NumericColumn<?> c)) {
            throw new IllegalArgumentException("column '" + name + "' of '" + t.name() + "' is not numeric");
        }
        double[] out = new double[c.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = c.isMissing(i) ? Double.NaN : c.getDouble(i);
        }
        return out;
    }

    /**
     * The figure as an HTML fragment for notebook output. The first fragment of a session carries
     * plotly.js; if a later one finds no plotly in the page (its carrier output was cleared), it says so.
     */
    public static String html(Figure fig) {
        String div = "ganlab_" + UUID.randomUUID().toString().replace("-", "");
        StringBuilder sb = new StringBuilder();
        if (PLOTLY_SENT.compareAndSet(false, true)) {
            // Jupyter pages load require.js; plotly's UMD header would then register an AMD module
            // instead of window.Plotly. Hide `define` while plotly loads.
            sb.append("<script type=\"text/javascript\">window.__ganlabDefine = window.define;"
                    + " window.define = undefined;</script>\n")
                    .append("<script type=\"text/javascript\">").append(plotlySource()).append("</script>\n")
                    .append("<script type=\"text/javascript\">window.define = window.__ganlabDefine;</script>\n");
        }
        sb.append("<div id=\"").append(div).append("\"></div>\n");
        sb.append("<script type=\"text/javascript\">if (typeof Plotly === 'undefined') {document.getElementById('")
                .append(div).append("').innerText = 'plotly.js is not loaded in this page: call"
                        + " dev.ganlab.viz.Plots.resendPlotly() and show the figure again.';} else {\n")
                .append(fig.asJavascript(div).replace("<script>", "").replace("</script>", ""))
                .append("\n}</script>");
        return sb.toString();
    }

    /** Makes the next figure carry plotly.js again (after its carrier output was cleared). */
    public static void resendPlotly() {
        PLOTLY_SENT.set(false);
    }

    /** Writes a standalone HTML page holding the figures and its own copy of plotly.js. */
    public static void saveHtml(Path file, String title, Figure... figs) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(Notebook.escape(title)).append("</title>\n<script type=\"text/javascript\">")
                .append(plotlySource()).append("</script></head><body>\n");
        for (Figure f : figs) {
            String div = "ganlab_" + UUID.randomUUID().toString().replace("-", "");
            sb.append("<div id=\"").append(div).append("\"></div>\n").append(f.asJavascript(div)).append('\n');
        }
        sb.append("</body></html>\n");
        AtomicFiles.writeString(file, sb.toString());
    }

    /** The plotly.js source (read once). */
    static String plotlySource() {
        String s = plotlySource;
        if (s == null) {
            Path p = plotlyPath();
            if (!Files.isRegularFile(p)) {
                throw new UserError("plotly.js not found at " + p + ": run environment/setup.sh (it installs the npm"
                        + " package plotly.js-dist-min), or set GANLAB_PLOTLY_JS to a plotly.min.js file");
            }
            try {
                s = Files.readString(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UserError("cannot read " + p + ": " + e.getMessage(), e);
            }
            plotlySource = s;
        }
        return s;
    }

    /** Where plotly.min.js is looked for. */
    public static Path plotlyPath() {
        String env = System.getenv("GANLAB_PLOTLY_JS");
        if (env != null && !env.isBlank()) {
            return Paths.get(env);
        }
        return DataPaths.home().resolve("environment").resolve("node_modules").resolve("plotly.js-dist-min")
                .resolve("plotly.min.js");
    }
}
