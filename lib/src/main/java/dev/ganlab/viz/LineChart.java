package dev.ganlab.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * A line chart drawn to a picture with Java2D. Used where an interactive plotly chart does not fit:
 * live training monitors (whose output is replaced many times) and chart files written by the
 * command line next to a run. NaN values break a line instead of being drawn; a series of one point (a run
 * scored only at its end) is a marker of its own shape, set a few pixels apart from markers on about the same step.
 */
public final class LineChart {

    /** The tab10 palette: distinct colours for up to ten series. */
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)};

    private record Series(String name, double[] x, double[] y) {}

    private final String title;
    private String xLabel = "";
    private String yLabel = "";
    private boolean logY;
    private int width = 560;
    private int height = 320;
    private final List<Series> series = new ArrayList<>();

    private LineChart(String title) {
        this.title = title;
    }

    /** A new empty chart. */
    public static LineChart create(String title) {
        return new LineChart(title);
    }

    public LineChart xLabel(String s) {
        this.xLabel = s;
        return this;
    }

    public LineChart yLabel(String s) {
        this.yLabel = s;
        return this;
    }

    /** Logarithmic y axis (non-positive values are left out). */
    public LineChart logY(boolean b) {
        this.logY = b;
        return this;
    }

    public LineChart size(int w, int h) {
        if (w < 100 || h < 80) {
            throw new IllegalArgumentException("chart size " + w + "x" + h + " is too small (min 100x80)");
        }
        this.width = w;
        this.height = h;
        return this;
    }

    /** Adds a series; {@code x} and {@code y} must have the same length. */
    public LineChart series(String name, double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values but " + y.length
                    + " y values");
        }
        series.add(new Series(name, x.clone(), y.clone()));
        return this;
    }

    /** Draws the chart. */
    public BufferedImage render() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        int left = 58;
        int right = 12;
        int top = 26;
        int bottom = 38;
        int pw = width - left - right;
        int ph = height - top - bottom;

        double x0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                double yv = ty(s.y[i]);
                if (Double.isFinite(s.x[i]) && Double.isFinite(yv)) {
                    x0 = Math.min(x0, s.x[i]);
                    x1 = Math.max(x1, s.x[i]);
                    y0 = Math.min(y0, yv);
                    y1 = Math.max(y1, yv);
                }
            }
        }
        g.setColor(Color.BLACK);
        g.drawString(title, left, 16);
        if (!Double.isFinite(x0)) {
            g.setColor(Color.GRAY);
            g.drawString("no data yet", left + pw / 2 - 30, top + ph / 2);
            g.dispose();
            return img;
        }
        if (x1 == x0) {
            x1 = x0 + 1;
        }
        if (y1 == y0) {
            y0 -= 0.5;
            y1 += 0.5;
        }
        double[] yt = ticks(y0, y1, 5);
        double[] xt = ticks(x0, x1, 6);
        y0 = Math.min(y0, yt[0]);
        y1 = Math.max(y1, yt[yt.length - 1]);
        // A margin of 2% each side: a point on the first or last step (or at a nice y) would otherwise sit on the
        // frame, its marker cut in half.
        double mx = 0.02 * (x1 - x0);
        double my = 0.02 * (y1 - y0);
        x0 -= mx;
        x1 += mx;
        y0 -= my;
        y1 += my;
        final double fx0 = x0;
        final double fx1 = x1;
        final double fy0 = y0;
        final double fy1 = y1;
        DoubleUnaryOperator px = v -> left + (v - fx0) / (fx1 - fx0) * pw;
        DoubleUnaryOperator py = v -> top + ph - (v - fy0) / (fy1 - fy0) * ph;

        g.setStroke(new BasicStroke(1f));
        for (double t : yt) {
            int yy = (int) Math.round(py.applyAsDouble(t));
            g.setColor(new Color(0xE6E6E6));
            g.drawLine(left, yy, left + pw, yy);
            g.setColor(Color.DARK_GRAY);
            String lab = logY ? fmt(Math.pow(10, t)) : fmtStep(t, yt.length > 1 ? yt[1] - yt[0] : 1);
            g.drawString(lab, left - 6 - fm.stringWidth(lab), yy + fm.getAscent() / 2 - 1);
        }
        for (double t : xt) {
            if (t < x0 || t > x1) {
                continue;
            }
            int xx = (int) Math.round(px.applyAsDouble(t));
            g.setColor(new Color(0xE6E6E6));
            g.drawLine(xx, top, xx, top + ph);
            g.setColor(Color.DARK_GRAY);
            String lab = fmt(t);
            g.drawString(lab, xx - fm.stringWidth(lab) / 2, top + ph + 14);
        }
        g.setColor(Color.GRAY);
        g.drawRect(left, top, pw, ph);
        g.setColor(Color.BLACK);
        g.drawString(xLabel, left + pw / 2 - fm.stringWidth(xLabel) / 2, height - 6);
        Graphics2D gr = (Graphics2D) g.create();
        gr.rotate(-Math.PI / 2);
        gr.drawString(yLabel + (logY ? " (log)" : ""), -(top + ph / 2) - fm.stringWidth(yLabel) / 2, 12);
        gr.dispose();

        g.setStroke(new BasicStroke(1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int si = 0; si < series.size(); si++) {
            Series s = series.get(si);
            g.setColor(PALETTE[si % PALETTE.length]);
            Path2D.Double path = new Path2D.Double();
            boolean pen = false;
            for (int i = 0; i < s.x.length; i++) {
                double yv = ty(s.y[i]);
                if (!Double.isFinite(s.x[i]) || !Double.isFinite(yv)) {
                    pen = false;
                    continue;
                }
                double xx = px.applyAsDouble(s.x[i]);
                double yy = py.applyAsDouble(yv);
                if (pen) {
                    path.lineTo(xx, yy);
                } else {
                    path.moveTo(xx, yy);
                    pen = true;
                }
            }
            g.draw(path);
        }
        drawSinglePoints(g, px, py, left, left + pw);
        if (series.size() > 1 || !series.get(0).name.isEmpty()) {
            int lx = left + pw - 8;
            int maxW = 0;
            for (Series s : series) {
                maxW = Math.max(maxW, fm.stringWidth(s.name));
            }
            lx -= maxW + 22;
            int ly = top + 6;
            g.setColor(new Color(255, 255, 255, 220));
            g.fillRect(lx - 4, ly - 2, maxW + 30, series.size() * 14 + 4);
            for (int si = 0; si < series.size(); si++) {
                g.setColor(PALETTE[si % PALETTE.length]);
                if (singlePoint(series.get(si)) != null) {
                    marker(g, si, lx + 7, ly + si * 14 + 5.5);
                } else {
                    g.fillRect(lx, ly + si * 14 + 4, 14, 3);
                }
                g.setColor(Color.BLACK);
                g.drawString(series.get(si).name, lx + 20, ly + si * 14 + 10);
            }
        }
        g.dispose();
        return img;
    }

    /** Pixels between the centres of markers set apart on one step; also a marker's width. */
    static final double MARKER_SPREAD = 10;
    /** A marker's half width in pixels. */
    private static final double MARKER_RADIUS = 4;

    /**
     * Series of one point (a run scored only at its end) get a marker each, a different shape per series.
     * Markers closer than a marker's width on the x axis (the same step, or steps a pixel apart) are set
     * {@link #MARKER_SPREAD} pixels apart around their mean, in legend order, and kept inside the frame
     * ({@code xMin}..{@code xMax}), so runs scored at about the same step with close values all stay visible.
     * Only a marker's x moves, by a few pixels; its height is exact.
     */
    private void drawSinglePoints(Graphics2D g, DoubleUnaryOperator px, DoubleUnaryOperator py, double xMin,
                                  double xMax) {
        List<double[]> points = new ArrayList<>(); // {pixel x, pixel y, series}
        for (int si = 0; si < series.size(); si++) {
            double[] p = singlePoint(series.get(si));
            if (p != null) {
                points.add(new double[] {px.applyAsDouble(p[0]), py.applyAsDouble(p[1]), si});
            }
        }
        points.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[2], b[2]));
        for (int start = 0; start < points.size(); ) {
            int end = start + 1;
            while (end < points.size() && points.get(end)[0] - points.get(start)[0] < MARKER_SPREAD) {
                end++;
            }
            List<double[]> group = new ArrayList<>(points.subList(start, end));
            group.sort((a, b) -> Double.compare(a[2], b[2]));
            double centre = group.stream().mapToDouble(p -> p[0]).average().orElseThrow();
            double half = (group.size() - 1) / 2.0 * MARKER_SPREAD;
            centre = Math.max(xMin + MARKER_RADIUS + half, Math.min(xMax - MARKER_RADIUS - half, centre));
            for (int j = 0; j < group.size(); j++) {
                int si = (int) group.get(j)[2];
                g.setColor(PALETTE[si % PALETTE.length]);
                marker(g, si, centre - half + j * MARKER_SPREAD, group.get(j)[1]);
            }
            start = end;
        }
    }

    /** The one drawable point {x, transformed y} of a series that has exactly one, else null. */
    private double[] singlePoint(Series s) {
        double[] found = null;
        for (int i = 0; i < s.x.length; i++) {
            double yv = ty(s.y[i]);
            if (Double.isFinite(s.x[i]) && Double.isFinite(yv)) {
                if (found != null) {
                    return null;
                }
                found = new double[] {s.x[i], yv};
            }
        }
        return found;
    }

    /** Series {@code si}'s marker centred on (x, y): circle, square, triangle, diamond, triangle down, in turn. */
    private static void marker(Graphics2D g, int si, double x, double y) {
        double r = MARKER_RADIUS;
        Shape shape = switch (si % 5) {
            case 0 -> new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r);
            case 1 -> new Rectangle2D.Double(x - r + 0.5, y - r + 0.5, 2 * r - 1, 2 * r - 1);
            case 2 -> polygon(x, y - r, x + r, y + r * 0.8, x - r, y + r * 0.8);
            case 3 -> polygon(x, y - r, x + r, y, x, y + r, x - r, y);
            default -> polygon(x - r, y - r * 0.8, x + r, y - r * 0.8, x, y + r);
        };
        g.fill(shape);
    }

    private static Path2D.Double polygon(double... xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }

    private double ty(double v) {
        if (!logY) {
            return v;
        }
        return v > 0 ? Math.log10(v) : Double.NaN;
    }

    /** "Nice" tick positions (1, 2, 5 times a power of ten) covering [lo, hi]. */
    static double[] ticks(double lo, double hi, int target) {
        double span = hi - lo;
        double raw = span / Math.max(1, target);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (raw <= m * mag) {
                step = m * mag;
                break;
            }
        }
        double start = Math.floor(lo / step) * step;
        double end = Math.ceil(hi / step) * step;
        int n = (int) Math.round((end - start) / step) + 1;
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = start + i * step;
        }
        return t;
    }

    /** A tick label with enough decimals to tell ticks {@code step} apart (141.2 vs 141.4). */
    static String fmtStep(double v, double step) {
        if (Math.abs(v) >= 1e5 || (v != 0 && Math.abs(v) < 1e-3)) {
            return fmt(v);
        }
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        if (decimals == 0 && Math.abs(v) >= 1000) {
            return fmt(v);
        }
        return String.format(java.util.Locale.ROOT, "%." + decimals + "f", v);
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a == 0) {
            return "0";
        }
        if (a >= 1e5 || a < 1e-3) {
            return String.format("%.0e", v);
        }
        if (a >= 1000) {
            return fmt(v / 1000) + "k";
        }
        String s = String.format("%.3g", v);
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }
}
