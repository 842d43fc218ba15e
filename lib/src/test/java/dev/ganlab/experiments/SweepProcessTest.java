package dev.ganlab.experiments;

import dev.ganlab.Slow;
import dev.ganlab.train.RunFolder;
import dev.ganlab.train.RunStatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.train.Checkpoint;
import dev.ganlab.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * A real sweep through worker processes ({@link LocalProcessExecutor}, two workers) on the 16 px
 * synthetic ring with a tiny DCGAN: interrupted part-way, resumed (finished runs are not run again,
 * the interrupted one continues from its checkpoint), with a run that diverges and is recorded.
 */
@Slow
class SweepProcessTest {

    @TempDir Path tmp;

    static TrainConfig tiny() {
        return TrainConfig.fromJson("{\"data\": \"synthetic:8?perMode=40\", \"steps\": 10, \"batch\": 16,"
                + " \"logEvery\": 5, \"sampleEvery\": 100, \"checkpointEvery\": 10, \"sampleCount\": 16,"
                + " \"dcgan\": {\"gWidth\": 16, \"dWidth\": 8, \"latentDim\": 8}, \"eval\": {\"metrics\": \"\"}}");
    }

    @Test
    void anInterruptedSweepResumesSkippingFinishedRunsAndRecordsDivergence() throws Exception {
        SweepSpec spec = SweepSpec.named("tiny").base(tiny())
                .variant("case", "short")
                .variant("case", "long", "steps", 300)
                // A learning rate of 1e30 makes the first discriminator update produce NaN.
                .variant("case", "diverges", "optD.lr", 1e30)
                .workers(2).out(tmp.resolve("sweep"));
        Path shortRun = tmp.resolve("sweep/case=short");
        Path longRun = tmp.resolve("sweep/case=long");

        AtomicReference<SweepResult> first = new AtomicReference<>();
        Thread sweeping = new Thread(() -> first.set(Sweep.run(spec, null, SweepMonitor.QUIET)), "test-sweep");
        sweeping.start();
        long deadline = System.currentTimeMillis() + 120_000;
        while (!(status(shortRun).equals(RunStatus.FINISHED) && RunFolder.read(longRun, "long").step() >= 20)) {
            assertTrue(System.currentTimeMillis() < deadline,
                    "the short run did not finish / the long one did not start");
            assertTrue(sweeping.isAlive(), "the sweep ended before it could be interrupted");
            Thread.sleep(50);
        }
        sweeping.interrupt();
        sweeping.join(200_000);
        assertFalse(sweeping.isAlive());
        SweepResult r1 = first.get();
        assertTrue(r1.interrupted());
        RunFolder stopped = RunFolder.read(longRun, "long");
        assertEquals(RunStatus.INTERRUPTED, stopped.status(), stopped.message());
        assertTrue(stopped.step() >= 20 && stopped.step() < 300, "stopped at " + stopped.step());
        assertFalse(Checkpoint.list(longRun.resolve("checkpoints")).isEmpty(), "it checkpointed before stopping");
        assertEquals(RunStatus.INTERRUPTED, r1.outcomes().get("case=long").status());
        assertFalse(r1.complete());

        long shortLog = Files.size(shortRun.resolve(LocalProcessExecutor.LOG_FILE));
        String shortStatus = Files.readString(shortRun.resolve("status.json"));
        Table plan = Sweep.dryRun(spec);
        assertEquals("skip: finished", plan.stringColumn("action").get(0));
        assertEquals("resume", plan.stringColumn("action").get(1));

        SweepResult r2 = Sweep.run(spec, null, SweepMonitor.QUIET);
        assertFalse(r2.interrupted());
        assertTrue(r2.complete(), r2.summary());
        Map<String, RunOutcome> o = r2.outcomes();
        assertFalse(o.get("case=short").executed(), "a finished run is not run again");
        assertEquals(shortLog, Files.size(shortRun.resolve(LocalProcessExecutor.LOG_FILE)));
        assertEquals(shortStatus, Files.readString(shortRun.resolve("status.json")));
        assertTrue(o.get("case=long").executed());
        assertEquals(RunStatus.FINISHED, o.get("case=long").status());
        assertEquals(300, RunFolder.read(longRun, "long").step());
        String log = Files.readString(longRun.resolve(LocalProcessExecutor.LOG_FILE));
        assertTrue(log.contains("resumed at step " + stopped.step()),
                "the long run continued from its checkpoint");
        RunFolder diverged = RunFolder.read(tmp.resolve("sweep/case=diverges"), "d");
        assertEquals(RunStatus.DIVERGED, diverged.status(), "a diverged run is recorded, and the sweep goes on");
        assertTrue(diverged.message().contains("NaN"), diverged.message());
        assertEquals(2, r2.count(RunStatus.FINISHED));
        assertEquals(1, r2.count(RunStatus.DIVERGED));

        // A third pass has nothing left to do: the diverged run is a result, not something to retry.
        SweepResult r3 = Sweep.run(spec, null, SweepMonitor.QUIET);
        assertTrue(r3.outcomes().values().stream().noneMatch(RunOutcome::executed));
        Table t = r3.table();
        assertEquals(3, t.rowCount());
        assertTrue(t.columnNames().contains("case") && t.columnNames().contains("steps"), t.columnNames().toString());
    }

    private static String status(Path run) {
        return RunFolder.read(run, "r").status();
    }
}
