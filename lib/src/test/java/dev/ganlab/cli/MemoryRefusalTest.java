package dev.ganlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.train.RunStatus;
import dev.ganlab.train.TrainConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, item 4 from the command line: a run whose memory estimate exceeds the available memory
 * is refused before its folder is made, with both figures and what to lower; a run whose process died
 * shows as crashed in {@code ganlab runs}.
 */
class MemoryRefusalTest {

    @TempDir Path tmp;

    @AfterEach
    void clearOverride() {
        System.clearProperty("ganlab.memoryAvailable");
    }

    @Test
    void aRunThatCannotFitIsRefusedBeforeItStarts() {
        System.setProperty("ganlab.memoryAvailable", "0.5");
        Path out = tmp.resolve("run");
        String[] r = MainRunner.run("train", "--model", "fastgan", "--data", "emoji:smileys", "--resolution", "256",
                "--batch", "8", "--steps", "1", "--out", out.toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("fastgan at 256 px, batch 8: this run needs about")
                && r[2].contains("GB, 0.5 GB available: lower the batch or the resolution"), r[2]);
        assertFalse(Files.exists(out), "a refused run leaves no folder");
    }

    @Test
    void theEstimateIsPrintedOnRequestAndGrowsWithTheBatch() {
        String[] b8 = MainRunner.run("train", "--model", "fastgan", "--resolution", "256", "--batch", "8",
                "--out", tmp.resolve("a").toString(), "--estimate-memory");
        String[] b16 = MainRunner.run("train", "--model", "fastgan", "--resolution", "256", "--batch", "16",
                "--out", tmp.resolve("b").toString(), "--estimate-memory");
        assertEquals("0", b8[0], b8[2]);
        double gb8 = gb(b8[1]);
        double gb16 = gb(b16[1]);
        assertTrue(gb16 > gb8 + 1, b8[1] + " / " + b16[1]);
        assertFalse(Files.exists(tmp.resolve("a")), "--estimate-memory starts no run");
    }

    @Test
    void aRunWhoseProcessDiedIsListedAsCrashed() throws Exception {
        Path run = tmp.resolve("runs").resolve("killed");
        Files.createDirectories(run);
        Files.writeString(run.resolve("config.json"), new TrainConfig().resolved().toJson());
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        RunStatus s = new RunStatus();
        s.status = RunStatus.RUNNING; // what a process killed by the OOM killer leaves behind
        s.pid = p.pid();
        s.write(run.resolve("status.json"));
        String[] r = MainRunner.run("runs", tmp.resolve("runs").toString());
        assertEquals("0", r[0], r[2]);
        String row = r[1].lines().filter(l -> l.contains("killed")).findFirst().orElse("");
        assertTrue(row.contains(RunStatus.CRASHED) && !row.contains(RunStatus.RUNNING), r[1]);
    }

    private static double gb(String line) {
        var m = java.util.regex.Pattern.compile("needs about ([0-9.]+) GB").matcher(line);
        assertTrue(m.find(), line);
        return Double.parseDouble(m.group(1));
    }
}
