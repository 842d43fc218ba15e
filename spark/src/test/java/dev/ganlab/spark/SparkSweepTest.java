package dev.ganlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import dev.ganlab.experiments.LocalProcessExecutor;
import dev.ganlab.train.RunFolder;
import dev.ganlab.train.RunStatus;
import dev.ganlab.experiments.RunOutcome;
import dev.ganlab.experiments.Sweep;
import dev.ganlab.experiments.SweepMonitor;
import dev.ganlab.experiments.SweepResult;
import dev.ganlab.experiments.SweepSpec;
import dev.ganlab.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * Sweeps through a real Spark standalone cluster on localhost (a master and a worker with 2 cores, child
 * JVMs from the Maven jars; see {@link StandaloneCluster}), against the local executor on the same spec.
 */
class SparkSweepTest {

    @TempDir static Path tmp;
    static StandaloneCluster cluster;
    static Path privateFolder;

    @BeforeAll
    static void startCluster() throws Exception {
        privateFolder = tmp.resolve("private");
        Files.createDirectories(privateFolder);
        cluster = new StandaloneCluster(tmp.resolve("cluster"), 2,
                StandaloneCluster.canUnshare() ? privateFolder : null);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The tiny DCGAN on the 8-mode synthetic ring of SweepProcessTest, long enough to be killed part-way. */
    static TrainConfig tiny(int steps) {
        return TrainConfig.fromJson("{\"data\": \"synthetic:8?perMode=40\", \"steps\": " + steps + ", \"batch\": 16,"
                + " \"logEvery\": 5, \"sampleEvery\": 1000, \"checkpointEvery\": 10, \"sampleCount\": 16,"
                + " \"dcgan\": {\"gWidth\": 16, \"dWidth\": 8, \"latentDim\": 8}, \"eval\": {\"metrics\": \"\"}}");
    }

    static SweepSpec spec(Path out) {
        return SweepSpec.named("tiny-spark").base(tiny(100)).grid("loss", "ns", "hinge").seeds(1, 2).workers(2)
                .out(out);
    }

    /**
     * Settings every test's executor takes: the driver on the loopback address, one engine thread per task,
     * and a long wait for the first executor (on the shared machine, under a load average of 50, an executor
     * JVM took over 4 minutes to register).
     */
    static Map<String, String> conf() {
        return Map.of("spark.driver.host", "127.0.0.1", "spark.driver.bindAddress", "127.0.0.1",
                "spark.task.cpus", "1", "spark.executor.memory", "1g", "spark.cores.max", "2",
                "spark.ui.enabled", "false", SparkRunExecutor.PROBE_TIMEOUT, "1200");
    }

    @Test
    void aSweepOnTheClusterSurvivesALostExecutorAndEqualsTheLocalExecutors() throws Exception {
        SweepResult local = Sweep.run(spec(tmp.resolve("local")), null, SweepMonitor.QUIET);
        assertTrue(local.complete(), local.summary());

        SweepSpec spec = spec(tmp.resolve("spark"));
        Path victim = tmp.resolve("spark/loss=ns,seed=1");
        AtomicReference<SweepResult> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long killedAt = -1;
        try (SparkRunExecutor ex = SparkRunExecutor.create(cluster.masterUrl, conf(), 2)) {
            Thread sweeping = new Thread(() -> {
                try {
                    result.set(Sweep.run(spec, ex, SweepMonitor.QUIET));
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "test-spark-sweep");
            sweeping.start();
            // Kill the executor (SIGKILL) once the first run has checkpointed and before it ends.
            long deadline = System.currentTimeMillis() + 300_000;
            while (killedAt < 0) {
                assertTrue(System.currentTimeMillis() < deadline, "the first run did not reach a checkpoint in time");
                assertTrue(sweeping.isAlive(), "the sweep ended before its executor could be killed: " + failure.get());
                RunFolder info = RunFolder.read(victim, "v");
                Optional<ProcessHandle> executor = cluster.anExecutor();
                if (info.step() >= 10 && info.step() < 100 && executor.isPresent()) {
                    executor.get().destroyForcibly();
                    killedAt = info.step();
                }
                Thread.sleep(20);
            }
            sweeping.join(600_000);
            assertFalse(sweeping.isAlive());
        }
        assertEquals(null, failure.get());
        SweepResult spark = result.get();
        assertTrue(spark.complete(), spark.summary());

        String log = Files.readString(victim.resolve(LocalProcessExecutor.LOG_FILE));
        assertTrue(log.contains("attempt 1"), "Spark retried the task:\n" + log);
        Matcher resumed = Pattern.compile("resumed at step (\\d+)").matcher(log);
        assertTrue(resumed.find(), "the retried task resumed from a checkpoint:\n" + log);
        long from = Long.parseLong(resumed.group(1));
        assertTrue(from >= 10 && from < 100, "resumed at " + from + " (killed at " + killedAt + ")");

        // Every run, the killed one included, has the local executor's history; only wall times differ.
        for (RunOutcome o : local.outcomes().values()) {
            assertEquals(RunStatus.FINISHED, spark.outcomes().get(o.id()).status(), o.id());
            assertEquals(history(tmp.resolve("local").resolve(o.id())), history(tmp.resolve("spark").resolve(o.id())),
                    o.id());
        }
        // A task retried after its run had finished (the executor lost before Spark saw the result) does not
        // train it again: it returns at once and leaves the folder as it was.
        dev.ganlab.experiments.RunSpec finished = dev.ganlab.experiments.RunSpec.read(
                victim.resolve(dev.ganlab.experiments.RunSpec.FILE));
        String status = Files.readString(victim.resolve("status.json"));
        long logSize = Files.size(victim.resolve(LocalProcessExecutor.LOG_FILE));
        String answer = new RunTask(RunTask.TaskMode.PROCESS, 5).call(finished.toJson());
        assertTrue(answer.contains("skipped=finished"), answer);
        assertEquals(status, Files.readString(victim.resolve("status.json")));
        assertEquals(logSize, Files.size(victim.resolve(LocalProcessExecutor.LOG_FILE)));

        Table a = local.table();
        Table b = spark.table();
        assertEquals(a.columnNames(), b.columnNames());
        assertTrue(a.columnNames().containsAll(List.of("run", "status", "step", "loss", "seed")), a.columnNames().toString());
        for (String c : a.columnNames()) {
            if (!c.equals("seconds")) { // wall time, the one thing allowed to differ
                assertEquals(a.column(c).asList(), b.column(c).asList(), c);
            }
        }
    }

    /** metrics.csv without its wall-time column. */
    static List<String> history(Path run) throws Exception {
        List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
        int col = List.of(lines.get(0).split(",")).indexOf("seconds");
        return lines.stream().map(l -> {
            String[] f = l.split(",", -1);
            f[col] = "";
            return String.join(",", f);
        }).toList();
    }

    @Test
    void anUnreachableMasterIsOneClearErrorBeforeAnythingRuns() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String master = "spark://127.0.0.1:" + port;
        UserError e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
                () -> SparkRunExecutor.create(master, conf(), 1));
        assertTrue(e.getMessage().startsWith("cannot reach the Spark master " + master), e.getMessage());
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
        UserError bad = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
                () -> SparkRunExecutor.create("yarn", conf(), 1));
        assertTrue(bad.getMessage().contains("use local[N], spark://HOST:PORT or k8s://"), bad.getMessage());
    }

    @Test
    void aFolderTheExecutorsDoNotSeeStopsTheSweepBeforeAnyRun() throws Exception {
        Assumptions.assumeTrue(StandaloneCluster.canUnshare(), "needs a mount namespace (unshare -m, as root)");
        try (SparkRunExecutor ex = SparkRunExecutor.create(cluster.masterUrl, conf(), 2)) {
            // The worker sees an empty tmpfs over privateFolder: the sweep folder does not exist there.
            SweepSpec missing = spec(privateFolder.resolve("sweep"));
            UserError e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
                    () -> Sweep.run(missing, ex, SweepMonitor.QUIET));
            assertTrue(e.getMessage().startsWith("the Spark executors do not see the sweep folder "
                    + privateFolder.resolve("sweep")), e.getMessage());
            assertFalse(Files.exists(privateFolder.resolve("sweep/loss=ns,seed=1")), "no run folder was made");

            // only-here exists on both sides, but they are different folders: the probe file is not seen here.
            Files.createDirectories(privateFolder.resolve("only-here"));
            SweepSpec notShared = spec(privateFolder.resolve("only-here"));
            notShared.out(privateFolder.resolve("only-here"));
            UserError e2 = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
                    () -> Sweep.run(notShared, ex, SweepMonitor.QUIET));
            assertTrue(e2.getMessage().contains("but this machine (the driver) does not see it"), e2.getMessage());
        }
    }
}
