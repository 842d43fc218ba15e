package dev.ganlab.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tech.tablesaw.api.Table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingHistoryTest {

    @TempDir Path tmp;

    @Test
    void oldFilesMoveTheCollapseAlarmsPrecisionToItsOwnColumn() throws Exception {
        // Written before the alarm's precision had its own name: rows 10 and 20 are the alarm's (coverage,
        // no recall); row 30 has an evaluation (recall), whose precision keeps the name.
        Path f = tmp.resolve("metrics.csv");
        Files.writeString(f, "step,images,seconds,d_loss,diversity,precision,coverage,recall\n"
                + "10,640,1,1.5,0.9,0.25,0.5,\n"
                + "20,1280,2,1.4,0.8,0.75,0.625,\n"
                + "30,1920,3,1.3,,0.5,,0.375\n");
        TrainingHistory h = TrainingHistory.readCsv(f);
        Table t = h.table("old");
        assertEquals(List.of(0.25, 0.75), t.doubleColumn(CollapseDetector.PRECISION_KEY).asList().subList(0, 2));
        assertTrue(t.doubleColumn(CollapseDetector.PRECISION_KEY).isMissing(2));
        assertTrue(t.doubleColumn("precision").isMissing(0) && t.doubleColumn("precision").isMissing(1));
        assertEquals(0.5, t.doubleColumn("precision").get(2));
        assertEquals(0.75, h.last(CollapseDetector.PRECISION_KEY));
    }

    @Test
    void oldFilesWithoutAnEvaluationHaveNoPrecisionColumnLeft() throws Exception {
        Path f = tmp.resolve("metrics.csv");
        Files.writeString(f, "step,images,seconds,precision,coverage\n10,640,1,0.25,0.5\n");
        Table t = TrainingHistory.readCsv(f).table("old");
        assertFalse(t.columnNames().contains("precision"), t.columnNames().toString());
        assertEquals(0.25, t.doubleColumn(CollapseDetector.PRECISION_KEY).get(0));
    }

    @Test
    void oldScoreNamesTakeTheFeatureNetworksSuffixOnlyWhereNeeded() throws Exception {
        Path f = tmp.resolve("metrics.csv");
        Files.writeString(f, "step,images,seconds,fid,kid,swd_x1e3\n10,640,1,40.5,0.03,12\n");
        Table t = TrainingHistory.readCsv(f).withScoreSuffix("fmnist").table("old");
        assertEquals(List.of("step", "images", "seconds", "fid_fmnist", "kid_fmnist", "swd_x1e3"), t.columnNames());
        assertEquals(40.5, t.doubleColumn("fid_fmnist").get(0));
        // Inception-v3 scores keep the plain names; a file already using the new names is left alone.
        assertEquals(List.of("step", "images", "seconds", "fid", "kid", "swd_x1e3"),
                TrainingHistory.readCsv(f).withScoreSuffix("").table("x").columnNames());
        Files.writeString(f, "step,fid,fid_fmnist\n10,1,2\n");
        assertEquals(List.of("step", "images", "seconds", "fid", "fid_fmnist"),
                TrainingHistory.readCsv(f).withScoreSuffix("fmnist").table("x").columnNames());
        // The suffix a run's config implies: the evaluator's default network, Inception, a model file.
        TrainConfig c = TrainConfig.fromJson("{\"data\": \"synthetic:8\"}").resolved();
        assertEquals("fmnist", TrainingHistory.scoreSuffixOf(c));
        c.eval.features = "inception=/x/inception-2015-12-05.pt";
        assertEquals("", TrainingHistory.scoreSuffixOf(c));
        c.eval.features = "torchscript=/x/My-Net.pt?size=32";
        assertEquals("my_net", TrainingHistory.scoreSuffixOf(c));
    }

    @Test
    void newFilesRoundTripUnchanged() {
        TrainingHistory h = new TrainingHistory();
        h.add(java.util.Map.of("step", 10.0, CollapseDetector.PRECISION_KEY, 0.5, "coverage", 0.25, "precision",
                0.125, "recall", 0.0625));
        Path f = tmp.resolve("metrics.csv");
        h.writeCsv(f);
        Table t = TrainingHistory.readCsv(f).table("new");
        assertEquals(0.5, t.doubleColumn(CollapseDetector.PRECISION_KEY).get(0));
        assertEquals(0.125, t.doubleColumn("precision").get(0));
    }
}
