package dev.ganlab.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Readers call a run crashed when the process its status names cannot be alive. */
class RunStatusTest {

    @TempDir Path tmp;

    /** A child JVM: writes a running status with its own pid (as the trainer does), then waits to be killed. */
    public static final class RunningWriter {
        public static void main(String[] args) throws Exception {
            RunStatus s = new RunStatus();
            s.status = RunStatus.RUNNING;
            s.step = 7;
            s.pid = ProcessHandle.current().pid();
            s.write(Path.of(args[0]));
            Thread.sleep(600_000);
        }
    }

    @Test
    void aChildJvmKilledWithSigkillIsCrashedWhileAliveItIsRunning() throws Exception {
        Path file = tmp.resolve("status.json");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                RunningWriter.class.getName(), file.toString()).redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (RunStatus.read(file) == null) {
                assertTrue(child.isAlive(), "the child JVM ended before writing its status");
                assertTrue(System.nanoTime() < deadline, "the child JVM wrote no status in 120 s");
                Thread.sleep(50);
            }
            RunStatus st = RunStatus.read(file);
            assertEquals(child.pid(), st.pid);
            assertEquals(RunStatus.RUNNING, st.liveStatus(), "its process is alive");
        } finally {
            child.destroyForcibly();      // SIGKILL: no shutdown hook, no final status
            child.waitFor();
        }
        RunStatus after = RunStatus.read(tmp.resolve("status.json"));
        assertEquals(RunStatus.RUNNING, after.status, "the file itself still says running");
        assertEquals(RunStatus.CRASHED, after.liveStatus());
    }

    @Test
    void aFinalStatusIsShownAsWrittenWhateverTheProcess() throws Exception {
        RunStatus s = statusOf(deadPid());
        for (String word : List.of("finished", "diverged", "interrupted", "failed")) {
            s.status = word;
            assertEquals(word, s.liveStatus());
        }
    }

    @Test
    void aRestartedMachineMeansCrashedEvenIfThePidIsInUseAgain() {
        RunStatus s = statusOf(ProcessHandle.current().pid());
        assertEquals(RunStatus.RUNNING, s.liveStatus(), "this JVM is alive and started before the write");
        s.bootId = "another-boot";
        assertEquals(RunStatus.CRASHED, s.liveStatus());
    }

    @Test
    void onAnotherHostTheHeartbeatDecides() throws Exception {
        RunStatus s = statusOf(deadPid());   // the pid means nothing there
        s.host = "some-other-machine";
        s.bootId = "its-boot";
        Instant written = Instant.parse(s.updated);
        assertEquals(RunStatus.RUNNING, s.liveStatus(written.plus(Duration.ofMinutes(5))));
        assertEquals(RunStatus.RUNNING, s.liveStatus(written.plus(RunStatus.HEARTBEAT_TIMEOUT)));
        assertEquals(RunStatus.CRASHED, s.liveStatus(written.plus(RunStatus.HEARTBEAT_TIMEOUT).plusSeconds(1)));
    }

    @Test
    void aStatusFromBeforeHostAndBootWereRecordedFallsBackToThePid() throws Exception {
        Path file = tmp.resolve("status.json");
        Files.writeString(file, "{\"status\": \"running\", \"pid\": " + ProcessHandle.current().pid()
                + ", \"updated\": \"" + Instant.now() + "\"}");
        assertEquals(RunStatus.RUNNING, RunStatus.read(file).liveStatus());
        Files.writeString(file, "{\"status\": \"running\", \"pid\": " + deadPid() + ", \"updated\": \""
                + Instant.now() + "\"}");
        assertEquals(RunStatus.CRASHED, RunStatus.read(file).liveStatus());
    }

    @Test
    void theRunOverviewShowsCrashed() throws Exception {
        Path run = tmp.resolve("killed");
        Files.createDirectories(run.resolve("checkpoints"));
        Files.writeString(run.resolve("config.json"), GanTrainerTest.tiny(10).resolved().toJson());
        statusOf(deadPid()).write(run.resolve("status.json"));
        List<RunFolder> runs = RunFolder.under(tmp);
        Table t = RunFolder.overview("runs", runs);
        assertEquals(RunStatus.CRASHED, t.stringColumn("status").get(0));
        assertTrue(runs.get(0).toString().contains(RunStatus.CRASHED), runs.get(0).toString());
    }

    /** A running status written now on this machine for {@code pid}. */
    private RunStatus statusOf(long pid) {
        RunStatus s = new RunStatus();
        s.status = RunStatus.RUNNING;
        s.pid = pid;
        s.write(tmp.resolve("scratch-status.json"));
        return s;
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}
