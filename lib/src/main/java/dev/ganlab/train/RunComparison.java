package dev.ganlab.train;

import dev.ganlab.data.ImageDataset;
import dev.ganlab.viz.ImageGrid;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Several runs side by side, for ablations and sweeps in a notebook: a table of their latest
 * recorded values and a picture of their samples from the same latents. Runs are given as a map
 * from a display name to the run, in the order they should appear.
 */
public final class RunComparison {

    private RunComparison() {}

    /**
     * One row per run: its name, then the latest value each history column recorded (losses as logged,
     * collapse monitor values, the scores of the last evaluation, seconds of training). A column a run
     * never recorded is left empty in its row; a column no run recorded is an error naming it.
     */
    public static Table table(String title, Map<String, GanTrainer> runs, String... columns) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to compare");
        }
        StringColumn names = StringColumn.create("run");
        List<DoubleColumn> values = new ArrayList<>();
        for (String c : columns) {
            values.add(DoubleColumn.create(c));
        }
        for (Map.Entry<String, GanTrainer> e : runs.entrySet()) {
            names.append(e.getKey());
            for (int i = 0; i < columns.length; i++) {
                double v = e.getValue().last(columns[i]);
                if (Double.isNaN(v)) {
                    values.get(i).appendMissing();
                } else {
                    values.get(i).append(v);
                }
            }
        }
        for (DoubleColumn c : values) {
            if (c.countMissing() == c.size()) {
                throw new IllegalArgumentException("no run recorded '" + c.name() + "' (columns of the first run: "
                        + String.join(", ", runs.values().iterator().next().history().columnNames()) + ")");
            }
        }
        Table t = Table.create(title, names);
        values.forEach(t::addColumns);
        return t;
    }

    /**
     * {@code n} samples of each run's sampling generator (EMA when on) from latents drawn with
     * {@code seed}, one row per run labelled with its name: runs with the same latent size get the
     * same latents, so a column compares what each generator made of one latent vector.
     */
    public static BufferedImage samples(Map<String, GanTrainer> runs, int n, long seed) {
        return samples(runs, n, seed, true);
    }

    /**
     * As {@link #samples(Map, int, long)}, from each run's EMA generator when {@code ema} (and the run has one),
     * else from its raw generator (see {@link GeneratorChoice} for choosing).
     */
    public static BufferedImage samples(Map<String, GanTrainer> runs, int n, long seed, boolean ema) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to compare");
        }
        if (n < 1) {
            throw new IllegalArgumentException("n " + n + " must be >= 1 samples per run");
        }
        List<BufferedImage> tiles = new ArrayList<>();
        for (GanTrainer t : runs.values()) {
            ImageDataset s = t.sample(n, ema, seed);
            for (int i = 0; i < s.size(); i++) {
                tiles.add(s.image(i));
            }
        }
        return ImageGrid.of(tiles).cols(n).rowLabels(List.copyOf(runs.keySet())).render();
    }
}
