package dev.ganlab.metrics;

import dev.ganlab.core.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvaluationLogTest {

    @TempDir Path tmp;

    private static EvaluationReport report(String sha, int fakes, double fid) {
        EvaluationReport.Setup s = new EvaluationReport.Setup("fmnist", sha, "1x28x28 prep", "1x28x28 prep",
                "fashion-mnist:test", 2000, "generator", fakes, 7, "none");
        return new EvaluationReport(s, "fmnist", Map.of("fid_fmnist", fid), Map.of(), List.of("a warning"));
    }

    @Test
    void keepsEachEvaluationsSetupAndReplacesReplayedSteps() {
        Path f = tmp.resolve(EvaluationLog.FILE);
        EvaluationLog.append(f, 100, 6400, report("aa".repeat(32), 500, 40.0));
        EvaluationLog.append(f, 200, 12800, report("bb".repeat(32), 1000, 30.0));
        List<EvaluationLog.Entry> log = EvaluationLog.read(f);
        assertEquals(2, log.size());
        assertEquals(report("bb".repeat(32), 1000, 30.0).setup(), log.get(1).setup());
        assertEquals(30.0, log.get(1).metrics().get("fid_fmnist"));
        assertEquals(List.of("a warning"), log.get(1).warnings());
        // A resumed run evaluates step 200 again (and then 300): the replayed entry replaces the old one.
        EvaluationLog.append(f, 200, 12800, report("cc".repeat(32), 1000, 29.0));
        log = EvaluationLog.read(f);
        assertEquals(List.of(100L, 200L), log.stream().map(EvaluationLog.Entry::step).toList());
        assertEquals(29.0, log.get(1).metrics().get("fid_fmnist"));
        var t = EvaluationLog.setups("setups", log);
        assertEquals("aaaaaaaaaaaa", t.stringColumn("sha256").get(0));
        assertEquals(1000, t.intColumn("fake n").get(1));
    }

    @Test
    void aBrokenLineIsAUserErrorNamingFileAndLine() throws Exception {
        Path f = tmp.resolve(EvaluationLog.FILE);
        EvaluationLog.append(f, 100, 6400, report("aa".repeat(32), 500, 40.0));
        Files.writeString(f, Files.readString(f) + "{\"step\": 1}\n");
        UserError e = assertThrows(UserError.class, () -> EvaluationLog.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void aMissingFileIsAnEmptyLog() {
        assertEquals(List.of(), EvaluationLog.read(tmp.resolve("none.jsonl")));
    }
}
