package dev.ganlab.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ganlab.Slow;
import dev.ganlab.core.GanLab;
import dev.ganlab.train.RunFolder;
import dev.ganlab.train.RunStatus;
import dev.ganlab.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep shares out the engine threads it was given, not the machine's cores: {@code ganlab sweep --threads 1}
 * on a machine of two or more cores gives its one worker one thread (before, every core), as a notebook that sweeps
 * in a lane of one thread needs, and the option wins over GANLAB_THREADS as everywhere. The worker's log header says
 * how many it was given, and its trainer's first lines how many its engine used.
 */
@Slow
class SweepThreadBudgetTest {

    @TempDir Path tmp;

    @Test
    void aSweepGivenOneThreadGivesItsWorkerOne() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two cores to tell the budget from them");
        TrainConfig cfg = TrainConfig.fromJson("{\"data\": \"synthetic:8?perMode=40\", \"steps\": 2, \"batch\": 16,"
                + " \"logEvery\": 1, \"sampleEvery\": 100, \"checkpointEvery\": 2, \"sampleCount\": 16,"
                + " \"dcgan\": {\"gWidth\": 16, \"dWidth\": 8, \"latentDim\": 8}, \"eval\": {\"metrics\": \"\"}}");
        Path spec = tmp.resolve("sweep.json");
        Files.writeString(spec, SweepSpec.named("budget").base(cfg).variant("case", "one").out(tmp.resolve("out"))
                .toJson());
        ProcessBuilder pb = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.ganlab.cli.Main", "sweep", "--spec",
                spec.toString(), "--workers", "1", "--threads", "1")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("sweep.log").toFile());
        pb.environment().put(GanLab.ENV_THREADS, "2"); // the option wins
        Process p = pb.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the sweep did not end in 180 s");
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("sweep.log")));
        Path run = tmp.resolve("out/case=one");
        assertEquals(RunStatus.FINISHED, RunFolder.read(run, "one").status());
        String log = Files.readString(run.resolve(LocalProcessExecutor.LOG_FILE));
        assertTrue(log.contains("sweep worker 0: device auto, 1 thread(s)"), log.lines().findFirst().orElse(""));
        // and the worker's engine ran with that many, as its trainer reports
        assertTrue(log.contains("device cpu(), 1 engine thread(s) (set by GANLAB_THREADS)"), log);
    }
}
