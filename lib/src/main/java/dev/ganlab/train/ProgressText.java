package dev.ganlab.train;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The one-line progress report shared by the console and notebook monitors. */
final class ProgressText {

    private ProgressText() {}

    /** Values shown after the rate, in this order, when present. */
    static final List<String> SHOWN = List.of("d_loss", "g_loss", "penalty", "d_aux", "drift", "feature_matching");

    static String line(GanTrainer t, Map<String, Double> row) {
        long step = row.get("step").longValue();
        long steps = t.config().steps;
        double seconds = row.get("seconds");
        double images = row.get("images");
        double elapsedThisSession = Math.max(1e-9, seconds);
        double rate = images / elapsedThisSession;
        double eta = step > 0 ? seconds / step * (steps - step) : Double.NaN;
        StringBuilder sb = new StringBuilder();
        int width = 20;
        int filled = (int) Math.round(width * (double) step / steps);
        sb.append(String.format(Locale.ROOT, "step %d/%d [%s%s] %3.0f%% | %.0f img/s | ETA %s", step, steps,
                "=".repeat(filled), " ".repeat(width - filled), 100.0 * step / steps, rate, duration(eta)));
        for (String k : SHOWN) {
            Double v = row.get(k);
            if (v != null) {
                sb.append(String.format(Locale.ROOT, " | %s %.4g", k, v));
            }
        }
        String stage = t.model().stage();
        if (!stage.isEmpty()) {
            sb.append(" | ").append(stage);
        }
        double div = t.diversity();
        if (!Double.isNaN(div)) {
            sb.append(String.format(Locale.ROOT, " | diversity %.2f coverage %.2f", div, t.coverage()));
            if (t.collapseSuspected()) {
                sb.append(" COLLAPSE?");
            }
        }
        return sb.toString();
    }

    static String duration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
