package dev.ganlab.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * The reproduction grid read back from result files: the cells' means and sample standard deviations
 * against hand-computed values, only the asked budget counted, missing cells left empty, and a file
 * without the asked score named in the error.
 */
class ReproductionGridTest {

    private static void result(Path dir, String recipe, int seed, int steps, double emaFid, double rawFid) throws Exception {
        Path d = Files.createDirectories(dir.resolve(recipe));
        Files.writeString(d.resolve("ganlab-seed" + seed + "-step" + steps + ".json"), "{\"recipe\": \"" + recipe
                + "\", \"scores\": {\"ema\": {\"metrics\": {\"fid_fmnist\": " + emaFid + "}}, \"raw\": {\"metrics\": "
                + "{\"fid_fmnist\": " + rawFid + "}}}}");
        // a sample grid beside it, as the reproduction writes, is not a result
        Files.writeString(d.resolve("ganlab-seed" + seed + "-step" + steps + ".png"), "not json");
    }

    @Test
    void cellsAreMeansAndSampleDeviationsOverTheSeedsOfTheAskedBudget(@TempDir Path dir) throws Exception {
        result(dir, "grid-ns-sn", 1, 2000, 30, 31);
        result(dir, "grid-ns-sn", 2, 2000, 32, 33);
        result(dir, "grid-ns-sn", 3, 2000, 37, 38);
        result(dir, "grid-ns-sn", 4, 1000, 99, 99);      // another budget: not counted
        result(dir, "grid-hinge-r1", 1, 2000, 70, 60);
        ReproductionGrid ema = ReproductionGrid.load(dir, 2000, "ema", "fid_fmnist");
        ReproductionGrid.Cell c = ema.cell("ns", "sn");
        assertEquals(Map.of(1, 30.0, 2, 32.0, 3, 37.0), c.bySeed());
        assertEquals(33.0, c.mean(), 1e-12);
        // deviations -3, -1, 4: (9 + 1 + 16) / 2 = 13
        assertEquals(Math.sqrt(13), c.sd(), 1e-12);
        assertEquals("33.00 ± 3.61 (3 seeds)", c.describe());
        assertEquals("70.00 (1 seed)", ema.cell("hinge", "r1").describe());
        assertEquals("-", ema.cell("lsgan", "none").describe());
        assertEquals(60.0, ReproductionGrid.load(dir, 2000, "raw", "fid_fmnist").cell("hinge", "r1").mean());

        Table t = ema.table("FID");
        assertEquals(3, t.rowCount());
        assertEquals(4, t.columnCount());
        assertEquals("33.00 ± 3.61 (3 seeds)", t.stringColumn("sn").get(0));
        assertEquals("70.00 (1 seed)", t.stringColumn("r1").get(2));
    }

    @Test
    void aResultWithoutTheAskedScoreIsAnErrorNamingTheFile(@TempDir Path dir) throws Exception {
        result(dir, "grid-ns-none", 1, 2000, 40, 41);
        UserError e = assertThrows(UserError.class, () -> ReproductionGrid.load(dir, 2000, "ema", "kid_fmnist"));
        assertTrue(e.getMessage().contains("ganlab-seed1-step2000.json") && e.getMessage().contains("kid_fmnist"),
                e.getMessage());
    }

    @Test
    void theCommittedGridHasEveryCellAtTwoThousandSteps() {
        // The report's grid (lib/reproduction): every cell has run, each with at least one seed.
        ReproductionGrid g = ReproductionGrid.load(2000, "ema", "fid_fmnist");
        for (ReproductionGrid.Cell c : g.cells()) {
            assertTrue(!c.bySeed().isEmpty() && c.mean() > 0, c.loss() + "/" + c.regulariser() + ": " + c.describe());
        }
    }
}
