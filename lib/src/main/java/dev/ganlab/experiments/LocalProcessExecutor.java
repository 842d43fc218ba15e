package dev.ganlab.experiments;

import dev.ganlab.core.GanLab;
import dev.ganlab.core.NativeAllocator;
import dev.ganlab.core.UserError;
import dev.ganlab.train.RunFolder;
import dev.ganlab.train.RunStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.security.CodeSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs each {@link RunSpec} in its own JVM on this machine ({@code java -cp <GAN Lab> dev.ganlab.cli.Main
 * run-spec <run folder>/run-spec.json}), at most {@code workers} at a time.
 *
 * <ul>
 *   <li>Separate processes: a run that crashes or leaks takes nothing else down, and each process owns
 *       its engine, thread pool and device.
 *   <li>Devices: with GPUs, worker i trains on GPU i mod (number of GPUs) ({@code GANLAB_DEVICE=gpu:i});
 *       on a CPU this process's engine threads ({@link GanLab#threads()}: {@code GANLAB_THREADS} or
 *       {@code -Dganlab.threads}, else every core) are shared out, {@code GANLAB_THREADS} = threads / workers per
 *       worker, so {@code GANLAB_THREADS=4} on a large machine holds for a sweep too. Each worker gets at least
 *       one thread: more workers than threads (notebook 05's two workers in a one-thread lane) exceed the share.
 *   <li>Each run's output (progress lines, errors) is appended to {@code log.txt} in its folder.
 *   <li>Stopping ({@link #close()}, or the sweep's process ending) sends each worker SIGTERM; the trainer
 *       checkpoints and writes status interrupted, so the next sweep resumes it. A worker also stops by
 *       itself when the process that started it dies.
 *   <li>A worker that exits with an error leaves status {@code failed} with the last line of its log.
 * </ul>
 */
public final class LocalProcessExecutor implements RunExecutor {

    /** File in each run folder that receives the worker's output. */
    public static final String LOG_FILE = "log.txt";
    /** How long a stopped worker gets to checkpoint before it is killed. */
    private static final long STOP_GRACE_SECONDS = 150;

    private record Job(RunSpec spec, CompletableFuture<RunOutcome> result) {}

    private final int workers;
    private final int gpus;
    private final int threadsPerWorker;
    private final List<String> jvmOptions;
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    private LocalProcessExecutor(Builder b) {
        this.gpus = b.gpus != null ? b.gpus : detectGpus();
        this.workers = b.workers != null ? b.workers : defaultWorkers(gpus);
        if (workers < 1) {
            throw new UserError("workers " + workers + " must be at least 1");
        }
        this.threadsPerWorker = b.threadsPerWorker != null ? b.threadsPerWorker : Math.max(1, GanLab.threads() / workers);
        this.jvmOptions = List.copyOf(b.jvmOptions);
        for (int i = 0; i < workers; i++) {
            int slot = i;
            Thread t = new Thread(() -> work(slot), "ganlab-sweep-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Settings of an executor; unset ones take the defaults described on each method. */
    public static final class Builder {
        private Integer workers;
        private Integer gpus;
        private Integer threadsPerWorker;
        private final List<String> jvmOptions = new ArrayList<>();

        private Builder() {}

        /** Parallel runs (default: one per GPU, else one per two of this process's engine threads). */
        public Builder workers(int n) {
            this.workers = n;
            return this;
        }

        /** GPUs to spread workers over (default: those the engine sees, 0 when the device is the CPU). */
        public Builder gpus(int n) {
            this.gpus = n;
            return this;
        }

        /** Engine threads per worker (default: this process's engine threads / workers, at least one). */
        public Builder threadsPerWorker(int n) {
            this.threadsPerWorker = n;
            return this;
        }

        /** Extra options for the worker JVMs, e.g. {@code -Xmx4g}. */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        public LocalProcessExecutor build() {
            return new LocalProcessExecutor(this);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The GPUs workers may use: those the engine sees, none when GAN Lab's device is the CPU. */
    static int detectGpus() {
        return GanLab.device().isGpu() ? GanLab.gpuCount() : 0;
    }

    /** One worker per GPU; on a CPU {@link #cpuWorkers}, each run keeping two of this process's engine threads. */
    static int defaultWorkers(int gpus) {
        return gpus > 0 ? gpus : cpuWorkers(GanLab.threads(), Runtime.getRuntime().availableProcessors(), 2);
    }

    /**
     * How many runs share a CPU machine when each keeps {@code threadsPerRun} of {@code threads} engine threads:
     * threads beyond the cores count as the cores (GANLAB_THREADS=16 on 2 cores does not start 8 runs), and at
     * least one. The local executor's rule with two threads a run, and the Spark executor's without a master.
     */
    public static int cpuWorkers(int threads, int cores, int threadsPerRun) {
        return Math.max(1, Math.min(threads, cores) / Math.max(1, threadsPerRun));
    }

    @Override
    public int parallelism() {
        return workers;
    }

    public int gpus() {
        return gpus;
    }

    public int threadsPerWorker() {
        return threadsPerWorker;
    }

    @Override
    public CompletableFuture<RunOutcome> submit(RunSpec spec) {
        Job job = new Job(spec, new CompletableFuture<>());
        if (closed) {
            job.result.complete(RunOutcome.notExecuted(spec));
        } else {
            queue.add(job);
        }
        return job.result;
    }

    private void work(int slot) {
        while (!closed) {
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                job.result.complete(RunOutcome.notExecuted(job.spec));
                continue;
            }
            try {
                job.result.complete(runInProcess(job.spec, slot));
            } catch (RuntimeException | Error e) {
                job.result.completeExceptionally(e);
            }
        }
    }

    private RunOutcome runInProcess(RunSpec spec, int slot) {
        Path dir = spec.dir();
        Path specFile = spec.write();
        Path log = dir.resolve(LOG_FILE);
        List<String> cmd = command(specFile);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.put(GanLab.ENV_THREADS, Integer.toString(threadsPerWorker));
        env.put("OMP_NUM_THREADS", Integer.toString(threadsPerWorker));
        NativeAllocator.configureChild(env);
        String device = deviceFor(spec, slot);
        if (device != null) {
            env.put(GanLab.ENV_DEVICE, device);
        }
        appendLog(log, "== " + Instant.now() + " sweep worker " + slot + ": device "
                + (device == null ? "auto" : device) + ", " + threadsPerWorker + " thread(s)\n");
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return recordFailure(spec, -1, "cannot start a worker JVM (" + cmd.get(0) + "): " + e.getMessage(), 0);
        }
        int exit;
        boolean stopped = false;
        try {
            exit = p.waitFor();
        } catch (InterruptedException e) {
            // Asked to stop: let the run checkpoint (SIGTERM runs the trainer's shutdown hook).
            exit = stop(p);
            stopped = true;
            Thread.currentThread().interrupt();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        RunFolder info = RunFolder.read(dir, spec.id());
        boolean recorded = info.status().equals(RunStatus.FINISHED) || info.status().equals(RunStatus.DIVERGED)
                || info.status().equals(RunStatus.INTERRUPTED);
        if (stopped && !recorded) {
            // Stopped before the run could record it (still starting its JVM, or killed after the grace
            // period): interrupted, not failed, and not "running", which would block the next sweep.
            return recordStatus(spec, RunStatus.INTERRUPTED, exit, "stopped by its sweep before it could checkpoint"
                    + " (resumes from " + (info.step() > 0 ? "its last checkpoint" : "the start") + ")", seconds);
        }
        if (exit != 0 && !recorded) {
            return recordFailure(spec, exit, "worker exited with status " + exit + ": " + lastLine(log), seconds);
        }
        return new RunOutcome(spec.id(), info.status(), info.step(), exit, info.message(), seconds, true);
    }

    /** SIGTERM, a grace period to checkpoint, then SIGKILL; returns the exit status. */
    private static int stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
        }
        return p.isAlive() ? -1 : p.exitValue();
    }

    private String deviceFor(RunSpec spec, int slot) {
        if (spec.device().equals("cpu")) {
            return "cpu";
        }
        if (gpus > 0) {
            return "gpu:" + (slot % gpus);
        }
        return spec.device().equals("gpu") ? "gpu" : null;
    }

    /** Writes status failed into the run folder (keeping what the old status knew) and returns the outcome. */
    private static RunOutcome recordFailure(RunSpec spec, int exit, String message, double seconds) {
        return recordStatus(spec, RunStatus.FAILED, exit, message, seconds);
    }

    private static RunOutcome recordStatus(RunSpec spec, String status, int exit, String message, double seconds) {
        Path file = spec.dir().resolve("status.json");
        RunStatus st = RunStatus.read(file);
        if (st == null) {
            st = new RunStatus();
        }
        st.status = status;
        st.message = message;
        st.write(file);
        return new RunOutcome(spec.id(), status, st.step, exit, message, seconds, true);
    }

    private List<String> command(Path specFile) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Djava.awt.headless=true");
        for (String key : System.getProperties().stringPropertyNames()) {
            // The parent's GAN Lab settings (home, data folders, profile) hold for its workers too;
            // device and threads are the executor's to choose.
            if (key.startsWith("ganlab.") && !key.equals("ganlab.device") && !key.equals("ganlab.threads")) {
                cmd.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add("dev.ganlab.cli.Main");
        cmd.add("run-spec");
        cmd.add(specFile.toString());
        cmd.add("--stop-with-parent");
        return cmd;
    }

    /**
     * The class path of GAN Lab as this JVM loaded it: the library jar alone when its dependencies sit
     * in {@code lib/} beside it (its manifest names them; in a notebook kernel {@code java.class.path}
     * is the kernel's), else this JVM's class path, led by the jar or class folder GAN Lab's classes came
     * from when that is not on it (tests load class folders; another module's tests load the jar from the
     * Maven repository). Public for other executors that start the same worker (a Spark task's child
     * process).
     */
    public static String classPath() {
        String cp = System.getProperty("java.class.path", "");
        CodeSource src = LocalProcessExecutor.class.getProtectionDomain().getCodeSource();
        if (src == null || src.getLocation() == null) {
            return cp;
        }
        Path code;
        try {
            code = Paths.get(src.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return cp;
        }
        // The library jar's manifest names its dependencies in lib/ beside it (lib/target/lib): then the jar
        // alone is the class path (a notebook kernel's own class path must not reach the workers). A jar taken
        // from elsewhere (the Maven repository, in another module's tests) has no lib/ beside it, and the rest
        // of this JVM's class path carries the dependencies.
        if (Files.isRegularFile(code) && Files.isDirectory(code.resolveSibling("lib"))) {
            return code.toString();
        }
        for (String entry : cp.split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty() && Paths.get(entry).toAbsolutePath().equals(code)) {
                return cp;
            }
        }
        return cp.isEmpty() ? code.toString() : code + java.io.File.pathSeparator + cp;
    }

    private static void appendLog(Path log, String text) {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + log, e);
        }
    }

    /**
     * The last line of a log that says something (where a failing worker says why): stack frames and
     * blank lines skipped, shortened.
     */
    public static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i).strip();
                if (!l.isEmpty() && !l.startsWith("at ") && !(l.startsWith("...") && l.endsWith("more"))) {
                    return l.length() > 300 ? l.substring(0, 300) + "..." : l;
                }
            }
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
        return "(empty log)";
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            t.interrupt();
        }
        // Wait for the workers even when the caller was interrupted (that is usually why it closes):
        // returning early would leave runs training on without their sweep.
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_GRACE_SECONDS + 20);
        for (Thread t : threads) {
            while (t.isAlive() && System.nanoTime() < deadline) {
                try {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        for (Job j; (j = queue.poll()) != null; ) {
            j.result.complete(RunOutcome.notExecuted(j.spec));
        }
    }
}
