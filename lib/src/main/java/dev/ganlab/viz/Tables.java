package dev.ganlab.viz;

import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** Tablesaw tables as compact HTML for notebook output. */
public final class Tables {

    private Tables() {}

    /** An HTML table of the first {@code maxRows} rows (and the row count when cut). */
    public static String html(Table t, int maxRows) {
        StringBuilder sb = new StringBuilder();
        sb.append("<table style=\"border-collapse:collapse;font-family:sans-serif;font-size:12px\">");
        if (t.name() != null && !t.name().isBlank()) {
            sb.append("<caption style=\"text-align:left;font-weight:bold\">").append(Notebook.escape(t.name()))
                    .append("</caption>");
        }
        sb.append("<thead><tr>");
        for (Column<?> c : t.columns()) {
            sb.append("<th style=\"border-bottom:1px solid #888;padding:2px 8px;text-align:right\">")
                    .append(Notebook.escape(c.name())).append("</th>");
        }
        sb.append("</tr></thead><tbody>");
        int n = Math.min(t.rowCount(), maxRows);
        for (int r = 0; r < n; r++) {
            sb.append("<tr>");
            for (Column<?> c : t.columns()) {
                sb.append("<td style=\"padding:2px 8px;text-align:right\">")
                        .append(Notebook.escape(format(c, r))).append("</td>");
            }
            sb.append("</tr>");
        }
        sb.append("</tbody></table>");
        if (t.rowCount() > n) {
            sb.append("<div style=\"font-size:11px;color:#666\">").append(n).append(" of ").append(t.rowCount())
                    .append(" rows shown</div>");
        }
        return sb.toString();
    }

    private static String format(Column<?> c, int row) {
        Object v = c.get(row);
        if (v instanceof Double d) {
            if (d.isNaN()) {
                return "";
            }
            double a = Math.abs(d);
            return (a != 0 && (a < 1e-3 || a >= 1e6)) ? String.format("%.3e", d) : String.format("%.4g", d);
        }
        if (v instanceof Float f) {
            return format(f.doubleValue());
        }
        return c.getString(row);
    }

    private static String format(double d) {
        return String.format("%.4g", d);
    }
}
