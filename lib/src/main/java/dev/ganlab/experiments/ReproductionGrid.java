package dev.ganlab.experiments;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.ProjectHome;
import dev.ganlab.core.UserError;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The loss x regulariser grid of the reproduction (lib/REPRODUCTION.md, issue 17): the committed result
 * of each run, {@code lib/reproduction/grid-LOSS-REG/ganlab-seedS-stepN.json} (written by
 * {@code environment/repro/reproduce.py}), read back so a notebook can show what several seeds at a
 * longer budget say next to its own short runs.
 *
 * <p>A cell is the mean and sample standard deviation (n - 1) over the seeds found, as in the report.
 */
public final class ReproductionGrid {

    /** Losses (rows) and regularisers (columns), in the report's order. */
    public static final List<String> LOSSES = List.of("ns", "lsgan", "hinge");
    public static final List<String> REGULARISERS = List.of("none", "sn", "r1");

    private static final Pattern RUN = Pattern.compile("ganlab-seed(\\d+)-step(\\d+)\\.json");

    /** One cell: the per-seed values (by seed) of one metric. */
    public record Cell(String loss, String regulariser, Map<Integer, Double> bySeed) {

        public double mean() {
            return spread().mean();
        }

        /** Sample standard deviation (n - 1); NaN with fewer than two seeds. */
        public double sd() {
            return spread().std();
        }

        private SeedSpread spread() {
            return SeedSpread.of(bySeed.values().stream().mapToDouble(Double::doubleValue).toArray());
        }

        /** "mean ± sd (n seeds)", or "-" for a cell without runs. */
        public String describe() {
            if (bySeed.isEmpty()) {
                return "-";
            }
            if (bySeed.size() == 1) {
                return String.format(Locale.ROOT, "%.2f (1 seed)", mean());
            }
            return String.format(Locale.ROOT, "%.2f ± %.2f (%d seeds)", mean(), sd(), bySeed.size());
        }
    }

    private final List<Cell> cells;

    private ReproductionGrid(List<Cell> cells) {
        this.cells = cells;
    }

    /** The committed results: {@code <project>/lib/reproduction}. */
    public static Path dir() {
        return ProjectHome.find().resolve("lib").resolve("reproduction");
    }

    /** The grid at {@code steps} from the committed results; see {@link #load(Path, int, String, String)}. */
    public static ReproductionGrid load(int steps, String generator, String metric) {
        return load(dir(), steps, generator, metric);
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
                cells.add(new Cell(loss, reg, read(dir.resolve("grid-" + loss + "-" + reg), steps, generator, metric)));
            }
        }
        return new ReproductionGrid(cells);
    }

    private static Map<Integer, Double> read(Path recipe, int steps, String generator, String metric) {
        Map<Integer, Double> bySeed = new TreeMap<>();
        if (!Files.isDirectory(recipe)) {
            return bySeed;
        }
        try (Stream<Path> files = Files.list(recipe)) {
            for (Path f : files.sorted().toList()) {
                Matcher m = RUN.matcher(f.getFileName().toString());
                if (!m.matches() || Integer.parseInt(m.group(2)) != steps) {
                    continue;
                }
                bySeed.put(Integer.parseInt(m.group(1)), value(f, generator, metric));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + recipe, e);
        }
        return bySeed;
    }

    private static double value(Path file, String generator, String metric) {
        JsonObject root;
        try {
            root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (RuntimeException e) {
            throw new UserError(file + " is not a reproduction result (JSON object expected): " + e.getMessage());
        }
        JsonElement v = path(root, "scores", generator, "metrics", metric);
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
            throw new UserError(file + " has no number at scores." + generator + ".metrics." + metric);
        }
        return v.getAsDouble();
    }

    private static JsonElement path(JsonObject o, String... keys) {
        JsonElement e = o;
        for (String k : keys) {
            if (e == null || !e.isJsonObject()) {
                return null;
            }
            e = e.getAsJsonObject().get(k);
        }
        return e;
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
