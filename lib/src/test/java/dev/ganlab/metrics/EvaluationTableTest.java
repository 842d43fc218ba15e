package dev.ganlab.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class EvaluationTableTest {

    static final String SHA = "fced566931c4d144d9dc4fba81a2f25c449b5cdf7f6db4936fbde47e11c2383b";

    static EvaluationReport report(Map<String, Double> metrics, String realPrep, String fakePrep, int realN, int fakeN,
            long seed, String... warnings) {
        EvaluationReport.Setup setup = new EvaluationReport.Setup("fmnist", SHA, realPrep, fakePrep,
                "fashion-mnist:test", realN, "fakes", fakeN, seed, "none");
        return new EvaluationReport(setup, metrics, Map.of(), List.of(warnings));
    }

    static Map<String, Double> values(Object... keyValues) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], ((Number) keyValues[i + 1]).doubleValue());
        }
        return m;
    }

    static EvaluationTable twoRuns() {
        return new EvaluationTable()
                .add("dcgan", report(values("fid", 41.5, "kid", 0.02), "prep", "prep", 2000, 1500, 7,
                        "FID from 1500 fakes is biased"))
                .add("progan", report(values("swd_x1e3", 12.25, "fid", 30.0), "real prep", "fake prep", 100, 100, 3));
    }

    @Test
    void rowsCarryTheirMetricsAndSetup() {
        Table t = twoRuns().table("scores");
        assertEquals(2, t.rowCount());
        assertEquals(List.of("run", "fid", "kid", "swd_x1e3", "features", "sha256", "real", "real n", "fake n", "seed",
                "preparation"), t.columnNames());
        assertEquals("dcgan", t.stringColumn("run").get(0));
        assertEquals(41.5, t.doubleColumn("fid").get(0));
        assertEquals(30.0, t.doubleColumn("fid").get(1));
        assertTrue(t.doubleColumn("swd_x1e3").isMissing(0), "dcgan has no SWD: its cell stays empty");
        assertEquals(12.25, t.doubleColumn("swd_x1e3").get(1));
        assertEquals(SHA.substring(0, EvaluationTable.SHA_PREFIX), t.stringColumn("sha256").get(0));
        assertEquals(2000, t.intColumn("real n").get(0));
        assertEquals(1500, t.intColumn("fake n").get(0));
        assertEquals(7L, t.longColumn("seed").get(0));
        assertEquals(3L, t.longColumn("seed").get(1));
        assertEquals("prep", t.stringColumn("preparation").get(0));
        assertEquals("real: real prep; fake: fake prep", t.stringColumn("preparation").get(1));
    }

    @Test
    void chosenMetricColumnsOnlyAndMisspeltOnesAreRejected() {
        EvaluationTable et = twoRuns();
        Table t = et.table("fid only", "fid");
        assertEquals(List.of("run", "fid", "features"), t.columnNames().subList(0, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> et.table("x", "fdi"));
        assertTrue(e.getMessage().contains("fdi") && e.getMessage().contains("swd_x1e3"), e.getMessage());
    }

    @Test
    void barValuesComeFromTheRowsThatHaveTheMetric() {
        EvaluationTable et = twoRuns();
        assertEquals(List.of("dcgan", "progan"), et.labelsWith("fid"));
        assertArrayEquals(new double[] {41.5, 30.0}, et.values("fid"));
        assertEquals(List.of("progan"), et.labelsWith("swd_x1e3"));
        assertArrayEquals(new double[] {12.25}, et.values("swd_x1e3"));
        assertEquals(List.of(), et.labelsWith("is"));
    }

    @Test
    void warningsNameTheirRowAndLabelsAreUnique() {
        EvaluationTable et = twoRuns();
        assertEquals(List.of("dcgan: FID from 1500 fakes is biased"), et.warnings());
        assertEquals(30.0, et.report("progan").get("fid"));
        assertThrows(IllegalArgumentException.class, () -> et.add("dcgan", et.report("progan")));
        assertThrows(IllegalArgumentException.class, () -> et.report("stylegan"));
    }

    @Test
    void aWarningSharedByRowsIsSaidOnceNamingThemAll() {
        EvaluationTable et = twoRuns()
                .add("gan", report(values("fid", 90.0), "prep", "prep", 2000, 1500, 7, "FID from 1500 fakes is biased",
                        "recall from few images"))
                .add("wgan", report(values("fid", 70.0), "prep", "prep", 2000, 1500, 7, "recall from few images"));
        assertEquals(List.of("dcgan, gan: FID from 1500 fakes is biased", "gan, wgan: recall from few images"),
                et.warnings());
        et.add("gan-2", report(values("fid", 80.0), "prep", "prep", 2000, 1500, 7, "FID from 1500 fakes is biased"))
                .add("gan-3", report(values("fid", 85.0), "prep", "prep", 2000, 1500, 7, "FID from 1500 fakes is biased",
                        "FID from 1500 fakes is biased"));
        assertTrue(et.warnings().contains("dcgan, gan, gan-2, gan-3: FID from 1500 fakes is biased"),
                "progan lacks it: the rows are named " + et.warnings());
        EvaluationTable all = new EvaluationTable();
        for (String row : List.of("a", "b", "c")) {
            all.add(row, report(values("fid", 1.0), "prep", "prep", 10, 10, 1, "few images"));
        }
        assertEquals(List.of("every row: few images"), all.warnings());
    }
}
