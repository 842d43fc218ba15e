package dev.ganlab.spark;

import dev.ganlab.core.GanLab;
import dev.ganlab.core.NativeAllocator;
import dev.ganlab.experiments.LocalProcessExecutor;
import dev.ganlab.train.RunFolder;
import dev.ganlab.train.RunStatus;
import dev.ganlab.experiments.RunSpec;
import dev.ganlab.experiments.RunWorker;
import dev.ganlab.train.RunStatus;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.resource.ResourceInformation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one Spark task does with one run: the same {@code run-spec} worker as the local executor, as a
 * child process of the executor JVM ({@link TaskMode#PROCESS}, the default) or in the executor JVM
 * ({@link TaskMode#JVM}). See {@link SparkRunExecutor} for why the child process is the default.
 *
 * <ul>
 *   <li>A run that already ended for good (finished with all its steps, or diverged) is not trained
 *       again: a task retried after its run had ended, but before Spark saw the result, returns at once.
 *   <li>A retried task resumes its run from the newest checkpoint ({@link RunWorker} opens the folder with
 *       resume). If the earlier attempt's worker is still alive on this machine (its executor was killed,
 *       the worker notices and checkpoints), the task waits for it to end first, so one run never has two
 *       writers.
 *   <li>Device: the GPU Spark assigned to the task ({@code spark.task.resource.gpu.amount=1} and a
 *       discovery script, see environment/spark/gpu-discovery.sh), else the CPU with
 *       {@code spark.task.cpus} engine threads.
 * </ul>
 * The result is one line, {@code exit=N seconds=S host=H attempt=A}; the run's outcome is in its folder.
 */
public final class RunTask implements Function<String, String> {
    private static final long serialVersionUID = 1L;

    /** Where a task trains its run. */
    public enum TaskMode {
        /** A child JVM of the executor runs {@code ganlab run-spec} (the default). */
        PROCESS,
        /** The executor JVM itself runs {@link RunWorker#execute}. */
        JVM
    }

    private final TaskMode mode;
    private final long graceSeconds;

    public RunTask(TaskMode mode, long graceSeconds) {
        this.mode = mode;
        this.graceSeconds = graceSeconds;
    }

    @Override
    public String call(String specJson) throws Exception {
        RunSpec spec = RunSpec.fromJson(specJson);
        TaskContext tc = TaskContext.get();
        int attempt = tc == null ? 0 : tc.attemptNumber();
        String host = hostName();
        RunFolder info = RunFolder.read(spec.dir(), spec.id());
        long steps = spec.config().steps;
        if (info.status().equals(RunStatus.DIVERGED)
                || (info.status().equals(RunStatus.FINISHED) && info.step() >= steps)) {
            return result(-1, 0, host, attempt) + " skipped=" + info.status();
        }
        waitForEarlierWorker(spec);
        String device = device(tc, spec);
        int threads = tc == null ? 1 : Math.max(1, tc.cpus());
        Path log = spec.dir().resolve(LocalProcessExecutor.LOG_FILE);
        appendLog(log, "== " + Instant.now() + " spark task on " + host + " (stage " + (tc == null ? "-" : tc.stageId())
                + ", attempt " + attempt + ", " + mode.name().toLowerCase() + "): device " + device + ", " + threads
                + " thread(s)\n");
        long t0 = System.nanoTime();
        int exit = mode == TaskMode.JVM ? inThisJvm(spec, device, threads) : inChildProcess(spec, device, threads, log);
        return result(exit, (System.nanoTime() - t0) / 1e9, host, attempt);
    }

    private static String result(int exit, double seconds, String host, int attempt) {
        return "exit=" + exit + " seconds=" + String.format(java.util.Locale.ROOT, "%.2f", seconds) + " host=" + host
                + " attempt=" + attempt;
    }

    /** The GPU Spark assigned to this task, else the CPU. */
    static String device(TaskContext tc, RunSpec spec) {
        if (tc != null) {
            Map<String, ResourceInformation> res = tc.resourcesJMap();
            ResourceInformation gpu = res.get("gpu");
            if (gpu != null && gpu.addresses().length > 0) {
                return "gpu:" + gpu.addresses()[0];
            }
        }
        if (spec.device().equals("gpu")) {
            throw new IllegalStateException("run " + spec.id() + " asks for a GPU but Spark assigned none to its task: set"
                    + " spark.task.resource.gpu.amount=1 and spark.executor.resource.gpu.amount (README, Sweeps on Spark)");
        }
        return "cpu";
    }

    /**
     * An earlier attempt's worker on this machine may still be checkpointing (its executor died and it
     * stops by itself): wait until its pid is gone. A status written from another machine that still
     * says running is waited for up to the grace period, then taken as a lost node.
     */
    private void waitForEarlierWorker(RunSpec spec) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds + 30);
        while (System.nanoTime() < deadline) {
            RunStatus st = RunStatus.read(spec.dir().resolve("status.json"));
            if (st == null || !RunStatus.RUNNING.equals(st.liveStatus())) {
                return;
            }
            if (st.pid == ProcessHandle.current().pid()) {
                return; // in-JVM mode: a status left by this JVM's own earlier task cannot be live
            }
            Thread.sleep(500);
        }
        RunStatus st = RunStatus.read(spec.dir().resolve("status.json"));
        if (st != null && st.host != null && st.host.equals(hostName()) && RunStatus.RUNNING.equals(st.liveStatus())) {
            throw new IllegalStateException("run " + spec.id() + ": an earlier worker (pid " + st.pid + ") still trains it"
                    + " after " + (graceSeconds + 30) + " s; not starting a second one");
        }
    }

    private int inChildProcess(RunSpec spec, String device, int threads, Path log) throws IOException {
        Path specFile = spec.write();
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Djava.awt.headless=true");
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("ganlab.") && !key.equals("ganlab.device") && !key.equals("ganlab.threads")) {
                cmd.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        cmd.addAll(List.of("-cp", LocalProcessExecutor.classPath(), "dev.ganlab.cli.Main", "run-spec",
                specFile.toString(), "--stop-with-parent"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(spec.dir().toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.put(GanLab.ENV_THREADS, Integer.toString(threads));
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
        env.put(GanLab.ENV_DEVICE, device);
        NativeAllocator.configureChild(env);
        Process p = pb.start();
        try {
            int exit = p.waitFor();
            if (exit != 0 && !recorded(spec)) {
                recordStatus(spec, RunStatus.FAILED, "worker exited with status " + exit + ": "
                        + LocalProcessExecutor.lastLine(log));
            }
            return exit;
        } catch (InterruptedException e) {
            // The task was killed (job cancelled, sweep stopped): SIGTERM lets the run checkpoint.
            p.destroy();
            try {
                if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException again) {
                p.destroyForcibly();
            }
            if (!recorded(spec)) {
                recordStatus(spec, RunStatus.INTERRUPTED, "stopped by its sweep before it could checkpoint");
            }
            Thread.currentThread().interrupt();
            return p.isAlive() ? -1 : p.exitValue();
        }
    }

    private static int inThisJvm(RunSpec spec, String device, int threads) {
        // Engine threads are set once per JVM, before the engine loads: a later task cannot change them.
        System.setProperty("ganlab.threads", Integer.toString(threads));
        GanLab.setDevice(device);
        RunWorker.execute(spec, false);
        return 0;
    }

    private static boolean recorded(RunSpec spec) {
        String s = RunFolder.read(spec.dir(), spec.id()).status();
        return s.equals(RunStatus.FINISHED) || s.equals(RunStatus.DIVERGED) || s.equals(RunStatus.INTERRUPTED);
    }

    private static void recordStatus(RunSpec spec, String status, String message) {
        Path file = spec.dir().resolve("status.json");
        RunStatus st = RunStatus.read(file);
        if (st == null) {
            st = new RunStatus();
        }
        st.status = status;
        st.message = message;
        st.write(file);
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    private static void appendLog(Path log, String text) {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + log, e);
        }
    }
}
