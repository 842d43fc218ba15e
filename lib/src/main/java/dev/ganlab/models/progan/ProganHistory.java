package dev.ganlab.models.progan;

import java.util.Map;
import java.util.TreeMap;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;

/**
 * Where a ProGAN run's steps, images and wall time went, per resolution, from its training history
 * (GanTrainer's history table or metrics.csv). It shows the paper's argument for growing in numbers:
 * a low resolution shows images many times faster than the target does, so the early phases are cheap
 * (Karras et al., ICLR 2018, sec. 2: comparable quality "2-6 times faster").
 */
public final class ProganHistory {

    private ProganHistory() {}

    /**
     * One row per resolution, smallest first: {@code resolution}, {@code steps}, {@code images},
     * {@code seconds} and {@code images/s}. Each history row's interval (from the previous row) counts
     * for the resolution the row records, i.e. the one of its last step, so an interval that spans a
     * growth step counts entirely for the new resolution. Wall time includes everything the loop did
     * in the interval (sample grids, evaluations).
     *
     * @throws IllegalArgumentException when a needed column is missing
     */
    public static Table perResolution(Table history) {
        double[] step = column(history, "step");
        double[] images = column(history, "images");
        double[] seconds = column(history, "seconds");
        double[] resolution = column(history, "resolution");
        Map<Integer, double[]> sums = new TreeMap<>(); // resolution -> {steps, images, seconds}
        double prevStep = 0;
        double prevImages = 0;
        double prevSeconds = 0;
        for (int i = 0; i < step.length; i++) {
            if (Double.isNaN(resolution[i])) {
                continue;
            }
            double[] s = sums.computeIfAbsent((int) resolution[i], r -> new double[3]);
            s[0] += step[i] - prevStep;
            s[1] += images[i] - prevImages;
            s[2] += seconds[i] - prevSeconds;
            prevStep = step[i];
            prevImages = images[i];
            prevSeconds = seconds[i];
        }
        IntColumn res = IntColumn.create("resolution");
        LongColumn steps = LongColumn.create("steps");
        LongColumn shown = LongColumn.create("images");
        DoubleColumn secs = DoubleColumn.create("seconds");
        DoubleColumn rate = DoubleColumn.create("images/s");
        for (Map.Entry<Integer, double[]> e : sums.entrySet()) {
            double[] s = e.getValue();
            res.append(e.getKey());
            steps.append(Math.round(s[0]));
            shown.append(Math.round(s[1]));
            secs.append(s[2]);
            rate.append(s[2] > 0 ? s[1] / s[2] : Double.NaN);
        }
        return Table.create("time per resolution", res, steps, shown, secs, rate);
    }

    private static double[] column(Table t, String name) {
        if (!t.columnNames().contains(name) || !(t.column(name) instanceof NumericColumn<?> c)) {
            throw new IllegalArgumentException("history '" + t.name() + "' has no numeric column '" + name
                    + "' (a ProGAN run's history has step, images, seconds and resolution; columns: "
                    + String.join(", ", t.columnNames()) + ")");
        }
        double[] out = new double[c.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = c.isMissing(i) ? Double.NaN : c.getDouble(i);
        }
        return out;
    }
}
