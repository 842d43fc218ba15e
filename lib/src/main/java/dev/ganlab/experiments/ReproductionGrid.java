package dev.ganlab.experiments;

import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The loss x regulariser grid of the reproduction (lib/REPRODUCTION.md, issue 17): the committed result
 * of each run, {@code lib/reproduction/grid-LOSS-REG/ganlab-seedS-stepN.json} (written by
 * {@code environment/repro/reproduce.py}), read back so a notebook can show what several seeds at a
 * longer budget say next to its own short runs.
 *
 * <p>A cell is the mean and sample standard deviation (n - 1) over the seeds found, as in the report
 * ({@link ReproductionSeeds}).
 */
public final class ReproductionGrid {

    /** Losses (rows) and regularisers (columns), in the report's order. */
    public static final List<String> LOSSES = List.of("ns", "lsgan", "hinge");
    public static final List<String> REGULARISERS = List.of("none", "sn", "r1");

    /** One cell: the per-seed values (by seed) of one metric, the results of recipe {@code grid-LOSS-REG}. */
    public record Cell(String loss, String regulariser, ReproductionSeeds seeds) {

        public Map<Integer, Double> bySeed() {
            return seeds.bySeed();
        }

        public double mean() {
            return seeds.mean();
        }

        /** Sample standard deviation (n - 1); NaN with fewer than two seeds. */
        public double sd() {
            return seeds.sd();
        }

        /** "mean ± sd (n seeds)", or "-" for a cell without runs. */
        public String describe() {
            return seeds.describe();
        }
    }

    private final List<Cell> cells;

    private ReproductionGrid(List<Cell> cells) {
        this.cells = cells;
    }

    /** The grid at {@code steps} from the committed results; see {@link #load(Path, int, String, String)}. */
    public static ReproductionGrid load(int steps, String generator, String metric) {
        return load(ReproductionSeeds.dir(), steps, generator, metric);
    }

    /**
     * The grid of {@code metric} (e.g. {@code fid_fmnist}) of the {@code generator} ({@code ema} or
     * {@code raw}) at {@code steps}, from the result files under {@code dir}. A result file without that
     * generator or metric is an error naming the file; a cell without runs stays empty.
     */
    public static ReproductionGrid load(Path dir, int steps, String generator, String metric) {
        List<Cell> cells = new ArrayList<>();
        for (String loss : LOSSES) {
            for (String reg : REGULARISERS) {
                cells.add(new Cell(loss, reg, ReproductionSeeds.load(dir, "grid-" + loss + "-" + reg, steps, generator, metric)));
            }
        }
        return new ReproductionGrid(cells);
    }

    /** The cell of {@code loss} and {@code regulariser}. */
    public Cell cell(String loss, String regulariser) {
        return cells.stream().filter(c -> c.loss().equals(loss) && c.regulariser().equals(regulariser)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no grid cell " + loss + "/" + regulariser
                        + " (losses " + LOSSES + ", regularisers " + REGULARISERS + ")"));
    }

    /** All cells, losses outer, regularisers inner. */
    public List<Cell> cells() {
        return List.copyOf(cells);
    }

    /** A table: one row per loss, one column per regulariser, cells "mean ± sd (n seeds)". */
    public Table table(String title) {
        Table t = Table.create(title, StringColumn.create("loss", LOSSES));
        for (String reg : REGULARISERS) {
            StringColumn col = StringColumn.create(reg);
            for (String loss : LOSSES) {
                col.append(cell(loss, reg).describe());
            }
            t.addColumns(col);
        }
        return t;
    }
}
