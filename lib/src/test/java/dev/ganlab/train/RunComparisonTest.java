package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** Two tiny runs compared: the table of latest values, samples from shared latents, saved sample grids. */
class RunComparisonTest {

    @TempDir static Path tmp;
    static GanTrainer ns;
    static GanTrainer fm;

    @BeforeAll
    static void train() {
        TrainConfig a = GanTrainerTest.tiny(10);
        a.sampleEvery = 5;
        ns = GanTrainer.start(a, tmp.resolve("ns"));
        ns.addMonitor(GanTrainerTest.QUIET).train();
        TrainConfig b = GanTrainerTest.tiny(10);
        b.loss = "lsgan";
        b.tricks.featureMatching = 1f; // a column the first run does not have
        b.seed = 2;
        fm = GanTrainer.start(b, tmp.resolve("fm"));
        fm.addMonitor(GanTrainerTest.QUIET).train();
    }

    @AfterAll
    static void close() {
        ns.close();
        fm.close();
    }

    /** The last non-empty value of a column of a run's metrics.csv, read here from the file. */
    static double lastInCsv(Path run, String column) throws Exception {
        List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
        int col = List.of(lines.get(0).split(",", -1)).indexOf(column);
        for (int i = lines.size() - 1; i > 0; i--) {
            String v = lines.get(i).split(",", -1)[col];
            if (!v.isEmpty()) {
                return Double.parseDouble(v);
            }
        }
        return Double.NaN;
    }

    /** metrics.csv keeps 7 significant digits. */
    static void assertClose(double expected, double actual) {
        assertEquals(expected, actual, 1e-6 * Math.abs(expected) + 1e-9);
    }

    @Test
    void tableHoldsEachRunsLatestValuesAndLeavesUnrecordedOnesEmpty() throws Exception {
        Map<String, GanTrainer> runs = new LinkedHashMap<>();
        runs.put("ns", ns);
        runs.put("lsgan+fm", fm);
        Table t = RunComparison.table("compare", runs, "d_loss", "feature_matching", "diversity");
        assertEquals(List.of("run", "d_loss", "feature_matching", "diversity"), t.columnNames());
        assertEquals(List.of("ns", "lsgan+fm"), t.stringColumn("run").asList());
        Path[] dirs = {tmp.resolve("ns"), tmp.resolve("fm")};
        for (int r = 0; r < 2; r++) {
            assertClose(lastInCsv(dirs[r], "d_loss"), t.doubleColumn("d_loss").get(r));
            assertClose(lastInCsv(dirs[r], "diversity"), t.doubleColumn("diversity").get(r));
        }
        assertTrue(t.doubleColumn("feature_matching").isMissing(0), "the ns run has no feature matching");
        assertClose(lastInCsv(dirs[1], "feature_matching"), t.doubleColumn("feature_matching").get(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunComparison.table("x", runs, "fid"));
        assertTrue(e.getMessage().contains("'fid'") && e.getMessage().contains("d_loss"), e.getMessage());
    }

    @Test
    void sampleRowsShareLatentsSoTheSameRunGivesTheSameRow() {
        Map<String, GanTrainer> runs = new LinkedHashMap<>();
        runs.put("ns", ns);
        runs.put("ns again", ns);
        runs.put("lsgan+fm", fm);
        int n = 5;
        BufferedImage img = RunComparison.samples(runs, n, 7);
        // 16 px images are drawn 4x (ImageGrid.MIN_TILE) with 2 px gaps; labels sit left of the tiles.
        int tile = 64;
        int pad = 2;
        assertEquals(pad + 3 * (tile + pad), img.getHeight());
        int x0 = img.getWidth() - n * (tile + pad);
        assertTrue(x0 > 0, "room for the row labels");
        assertEquals(row(img, x0, 0, tile, pad), row(img, x0, 1, tile, pad), "same run, same latents");
        assertNotEquals(row(img, x0, 0, tile, pad), row(img, x0, 2, tile, pad), "another run differs");
        assertThrows(IllegalArgumentException.class, () -> RunComparison.samples(runs, 0, 7));
    }

    private static List<Integer> row(BufferedImage img, int x0, int r, int tile, int pad) {
        int y0 = pad + r * (tile + pad);
        return java.util.stream.IntStream.range(0, tile * (img.getWidth() - x0))
                .map(i -> img.getRGB(x0 + i % (img.getWidth() - x0), y0 + i / (img.getWidth() - x0)))
                .boxed().toList();
    }

    @Test
    void savedSampleGridsAreTheEmaGridsByStep() {
        SortedMap<Long, BufferedImage> grids = ns.savedSampleGrids();
        assertEquals(List.of(5L, 10L), List.copyOf(grids.keySet()), "the -raw grids are not listed");
        BufferedImage last = grids.get(10L);
        BufferedImage now = ns.sampleGrid(); // the EMA generator at step 10 on the fixed latents
        assertEquals(now.getWidth(), last.getWidth());
        for (int y = 0; y < now.getHeight(); y++) {
            for (int x = 0; x < now.getWidth(); x++) {
                assertEquals(now.getRGB(x, y), last.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
        assertNotEquals(grids.get(5L).getRGB(20, 20) + "" + grids.get(5L).getRGB(30, 30),
                last.getRGB(20, 20) + "" + last.getRGB(30, 30), "the grids are of different steps");
    }
}
