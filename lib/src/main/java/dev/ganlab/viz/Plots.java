package dev.ganlab.viz;

import dev.ganlab.core.AtomicFiles;
import dev.ganlab.core.UserError;
import dev.ganlab.data.DataPaths;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.components.Line;
import tech.tablesaw.plotly.components.Marker;
import tech.tablesaw.plotly.components.Symbol;
import tech.tablesaw.plotly.components.TickSettings;
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

    /** Colours for series that belong together (plotly's default cycle), by index modulo its length. */
    public static final List<String> PALETTE = List.of("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
            "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf");

    /**
     * One line of a chart whose series have their own x values (runs logged at different steps).
     *
     * @param name hover and legend name
     * @param color a CSS colour, or null for plotly's next one
     * @param group series of one group share a legend entry (the first names it) and toggle together;
     *     null for its own entry
     */
    public record Series(String name, double[] x, double[] y, String color, String group) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values for " + y.length
                        + " y values");
            }
        }
    }

    /**
     * A line chart of series with their own x values. Points where x or y is missing (NaN) are left
     * out, so a value logged only every few steps still draws a line; short series get markers.
     */
    public static Figure lines(String title, String xLabel, String yLabel, List<Series> series, boolean logY) {
        Trace[] traces = new Trace[series.size()];
        Set<String> groupsNamed = new HashSet<>();
        for (int i = 0; i < traces.length; i++) {
            Series s = series.get(i);
            int n = 0;
            for (int k = 0; k < s.x().length; k++) {
                if (!Double.isNaN(s.x()[k]) && !Double.isNaN(s.y()[k])) {
                    n++;
                }
            }
            double[] x = new double[n];
            double[] y = new double[n];
            for (int k = 0, j = 0; k < s.x().length; k++) {
                if (!Double.isNaN(s.x()[k]) && !Double.isNaN(s.y()[k])) {
                    x[j] = s.x()[k];
                    y[j++] = s.y()[k];
                }
            }
            ScatterTrace.ScatterBuilder b = ScatterTrace.builder(x, y)
                    .mode(n < 20 ? ScatterTrace.Mode.LINE_AND_MARKERS : ScatterTrace.Mode.LINE);
            if (s.color() != null) {
                b.line(Line.builder().color(s.color()).build())
                        .marker(Marker.builder().color(s.color()).build());
            }
            if (s.group() != null) {
                b.legendGroup(s.group()).name(s.group()).showLegend(groupsNamed.add(s.group()));
                b.text(repeat(s.name(), n));
            } else {
                b.name(s.name());
            }
            traces[i] = b.build();
        }
        return new Figure(layout(title, xLabel, yLabel, logY), traces);
    }

    private static String[] repeat(String s, int n) {
        String[] out = new String[n];
        Arrays.fill(out, s);
        return out;
    }

    /**
     * The spread of a value within groups: every value as a point (hover: its label), and each group's
     * mean with a bar of one standard deviation either side (a black diamond and line). Groups sit at
     * the positions {@code positions} on a numeric axis (a swept learning rate; log scale when
     * {@code logX}), or, when {@code positions} is null, side by side under their names.
     *
     * @param names group names
     * @param values each group's values (NaN values are left out)
     * @param labels each group's point labels (same lengths as values), or null
     */
    public static Figure spread(String title, String xLabel, String yLabel, List<String> names, double[] positions,
            List<double[]> values, List<String[]> labels, boolean logX) {
        int k = names.size();
        if (values.size() != k || (positions != null && positions.length != k)
                || (labels != null && labels.size() != k)) {
            throw new IllegalArgumentException(title + ": " + k + " groups but " + values.size() + " value lists");
        }
        List<Double> px = new ArrayList<>();
        List<Double> py = new ArrayList<>();
        List<String> pt = new ArrayList<>();
        double[] mx = new double[k];
        double[] my = new double[k];
        double[] ex = new double[3 * k];
        double[] ey = new double[3 * k];
        for (int g = 0; g < k; g++) {
            double at = positions == null ? g : positions[g];
            double[] v = values.get(g);
            int n = 0;
            double sum = 0;
            for (double d : v) {
                if (!Double.isNaN(d)) {
                    n++;
                    sum += d;
                }
            }
            double mean = n == 0 ? Double.NaN : sum / n;
            double ss = 0;
            int j = 0;
            for (int i = 0; i < v.length; i++) {
                if (Double.isNaN(v[i])) {
                    continue;
                }
                ss += (v[i] - mean) * (v[i] - mean);
                // Spread points of a named group a little sideways so equal values stay visible.
                double jitter = positions == null && n > 1 ? 0.24 * (j / (double) (n - 1) - 0.5) : 0;
                px.add(at + jitter);
                py.add(v[i]);
                pt.add(labels == null ? names.get(g) : labels.get(g)[i]);
                j++;
            }
            double sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
            mx[g] = at;
            my[g] = mean;
            ex[3 * g] = at;
            ex[3 * g + 1] = at;
            ex[3 * g + 2] = Double.NaN;
            ey[3 * g] = mean - sd;
            ey[3 * g + 1] = mean + sd;
            ey[3 * g + 2] = Double.NaN;
        }
        Trace points = ScatterTrace.builder(px.stream().mapToDouble(Double::doubleValue).toArray(),
                py.stream().mapToDouble(Double::doubleValue).toArray()).mode(ScatterTrace.Mode.MARKERS).name("runs")
                .marker(Marker.builder().color(PALETTE.get(0)).opacity(0.7).size(9).build())
                .text(pt.toArray(new String[0])).build();
        Trace bars = ScatterTrace.builder(ex, ey).mode(ScatterTrace.Mode.LINE).name("mean ± std")
                .line(Line.builder().color("#222222").width(2).build()).build();
        Trace means = ScatterTrace.builder(mx, my).mode(ScatterTrace.Mode.MARKERS).name("mean").showLegend(false)
                .marker(Marker.builder().color("#222222").size(11)
                        .symbol(Symbol.DIAMOND).build()).build();
        Axis.AxisBuilder xAxis = Axis.builder().title(xLabel);
        if (positions == null) {
            double[] ticks = new double[k];
            for (int g = 0; g < k; g++) {
                ticks[g] = g;
            }
            xAxis.tickSettings(TickSettings.builder().tickMode(TickSettings.TickMode.ARRAY)
                    .arrayTicks(ticks, names.toArray(new String[0])).build());
        } else if (logX) {
            xAxis.type(Axis.Type.LOG);
        }
        Layout layout = Layout.builder().title(title).width(720).height(400).xAxis(xAxis.build())
                .yAxis(Axis.builder().title(yLabel).build()).build();
        return new Figure(layout, points, bars, means);
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
