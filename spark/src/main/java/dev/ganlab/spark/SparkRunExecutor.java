package dev.ganlab.spark;

import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.experiments.LocalProcessExecutor;
import dev.ganlab.experiments.RunExecutor;
import dev.ganlab.train.RunFolder;
import dev.ganlab.train.RunStatus;
import dev.ganlab.experiments.RunOutcome;
import dev.ganlab.experiments.RunSpec;
import dev.ganlab.experiments.SweepPlan;
import dev.ganlab.spark.RunTask.TaskMode;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a sweep's runs on Apache Spark: each run is one Spark job of one task, and the task runs the same
 * {@code run-spec} worker as {@link LocalProcessExecutor} ({@link RunTask}). Masters: {@code local[N]}
 * (this JVM; without a master, {@code local[workers x spark.task.cpus]}, see {@link #localShare}),
 * {@code spark://HOST:PORT} (a standalone cluster) and {@code k8s://https://HOST:PORT} (Kubernetes, client mode;
 * executors need an image with GAN Lab).
 *
 * <p><b>Child process, not the executor JVM.</b> Measured on the project's 2-core machine under a load
 * average of 40 (README, "Sweeps on Spark"): 4 tiny runs took 151 s in the executor JVM and 322 s as child
 * processes, 25-49 s per run going to the child's JVM start and engine load (11 s for the first in-JVM task's
 * engine load, about 1 s per later one), with identical histories. That cost is paid once per run; in
 * exchange the run gets what the engine can only be given at process start (TCMalloc through LD_PRELOAD: 15% faster steps and flat memory, lib/BENCHMARKS.md; the intra-op
 * thread count and the device, which the engine fixes once per process, so two tasks of one executor with
 * different GPUs or {@code spark.task.cpus} could not share it; training on the engine's loading thread),
 * and a run that crashes the engine or leaks takes no executor down. {@link TaskMode#JVM}
 * ({@code --conf ganlab.spark.taskMode=jvm}) is kept for measurements and for clusters that run one
 * task per executor.
 *
 * <p><b>Shared folder.</b> Run folders must be on a path every node sees at the same place. Before any
 * run is submitted ({@link #prepare}), a task writes a probe file into the sweep folder and the driver
 * reads it back; either failing is a {@link UserError} saying which side does not see the folder.
 *
 * <p><b>Retries.</b> Spark retries a task whose executor was lost ({@code spark.task.maxFailures},
 * default 4 on a cluster); the retried task resumes the run from its newest checkpoint, and a run
 * that had already ended is not trained again. The outcome is read from the run folder, so the sweep's
 * comparison tables come from the folders as with the local executor.
 *
 * <p><b>Class path on the executors.</b> Unless {@code spark.executor.extraClassPath} is given, it is set
 * to where this driver loads GAN Lab from (the ganlab.jar beside ganlab-spark.jar, whose manifest names the
 * engine's jars; not Spark's own jars, which the cluster has): each node needs GAN Lab at the same path
 * (or set the property to where it is there). This module's own classes go to the executors as the
 * application jar ({@code spark.jars}).
 */
public final class SparkRunExecutor implements RunExecutor {

    /** Settings of this executor that are not Spark's own ({@code --conf ganlab.spark.*}). */
    public static final String TASK_MODE = "ganlab.spark.taskMode";
    public static final String PROBE_TIMEOUT = "ganlab.spark.probeTimeoutSeconds";
    public static final String GRACE = "ganlab.spark.stopGraceSeconds";
    /** Spark's cores per task: the engine threads of each run ({@link RunTask}). */
    static final String TASK_CPUS = "spark.task.cpus";

    private static final Pattern LOCAL = Pattern.compile("local(\\[(\\*|\\d+)(,\\d+)?])?");
    private static final Pattern STANDALONE = Pattern.compile("spark://(.+)");
    private static final Pattern K8S = Pattern.compile("k8s://(https?://)?([^:/]+)(:(\\d+))?/?");

    private final JavaSparkContext sc;
    private final boolean ownContext;
    private final String master;
    private final TaskMode mode;
    private final long probeTimeoutSeconds;
    private final long graceSeconds;
    private final int parallelism;
    private final AtomicLong jobs = new AtomicLong();
    private final Map<String, JavaFutureAction<?>> running = new ConcurrentHashMap<>();
    private final Map<String, RunSpec> runningSpecs = new ConcurrentHashMap<>();
    private final Thread collector;
    private final Map<String, CompletableFuture<RunOutcome>> results = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private SparkRunExecutor(String master, Map<String, String> settings, Integer workers) {
        Map<String, String> given = new LinkedHashMap<>(settings);
        this.mode = taskMode(given.remove(TASK_MODE));
        this.probeTimeoutSeconds = positive(given.remove(PROBE_TIMEOUT), PROBE_TIMEOUT, 300, "seconds");
        this.graceSeconds = positive(given.remove(GRACE), GRACE, 150, "seconds");
        for (String key : given.keySet()) {
            if (!key.startsWith("spark.")) {
                throw new UserError("--conf " + key + ": not a Spark setting (spark.*) nor one of " + TASK_MODE + ", "
                        + PROBE_TIMEOUT + ", " + GRACE);
            }
        }
        if (master != null) {
            this.master = master;
        } else {
            LocalShare share = localShare(workers, given.get(TASK_CPUS), GanLab.plannedThreads(),
                    Runtime.getRuntime().availableProcessors());
            this.master = share.master();
            given.put(TASK_CPUS, Integer.toString(share.taskCpus()));
        }
        checkMaster(this.master);
        SparkConf conf = new SparkConf().setAppName("ganlab-sweep").setMaster(this.master);
        conf.set("spark.ui.showConsoleProgress", "false");
        given.forEach(conf::set);
        if (!this.master.startsWith("local")) {
            classPathForExecutors(conf);
        }
        JacksonCheck.check();
        try {
            this.sc = new JavaSparkContext(conf);
        } catch (RuntimeException e) {
            throw new UserError("cannot start Spark with master " + this.master + ": " + rootMessage(e), e);
        }
        this.ownContext = true;
        int taskCpus = Integer.parseInt(conf.get(TASK_CPUS, "1"));
        this.parallelism = Math.max(1, sc.defaultParallelism() / Math.max(1, taskCpus));
        this.collector = new Thread(this::collect, "ganlab-spark-collector");
        collector.setDaemon(true);
        collector.start();
    }

    /**
     * An executor on a new Spark context.
     *
     * @param master local[N], spark://HOST:PORT or k8s://https://HOST:PORT; null for this machine, shared as the
     *     local executor shares it ({@link #localShare})
     * @param settings spark.* settings, and this executor's own ({@link #TASK_MODE}, {@link #PROBE_TIMEOUT},
     *     {@link #GRACE})
     * @param workers runs at once when the master is null (null: the local executor's default); with a master,
     *     the master's slots and spark.task.cpus decide
     */
    public static SparkRunExecutor create(String master, Map<String, String> settings, Integer workers) {
        return new SparkRunExecutor(master, settings, workers);
    }

    /** The default master, local[slots], and the engine threads each run gets as spark.task.cpus. */
    record LocalShare(String master, int taskCpus) {}

    /**
     * This machine shared as the local executor shares it: {@code workers} runs at once (when null: one per
     * {@code taskCpus} given, else per two engine threads, {@link LocalProcessExecutor#cpuWorkers}), each with
     * spark.task.cpus engine threads ({@link RunTask}): the one given, else its share of {@code threads}. The
     * master local[N] holds workers x task cpus slots, so every run can start.
     *
     * @param taskCpus spark.task.cpus as given in the settings, or null
     */
    static LocalShare localShare(Integer workers, String taskCpus, int threads, int cores) {
        Integer given = taskCpus == null ? null : (int) positive(taskCpus, TASK_CPUS, 1, "cores per task");
        int runs = workers != null ? Math.max(1, workers)
                : LocalProcessExecutor.cpuWorkers(threads, cores, given != null ? given : 2);
        int cpus = given != null ? given : Math.max(1, threads / runs);
        return new LocalShare("local[" + runs * cpus + "]", cpus);
    }

    /** In local mode with N parallel runs of one engine thread each. */
    public static SparkRunExecutor local(int n) {
        return create("local[" + n + "]", Map.of(), n);
    }

    /** The master URL in use. */
    public String master() {
        return master;
    }

    public JavaSparkContext context() {
        return sc;
    }

    @Override
    public int parallelism() {
        return parallelism;
    }

    /**
     * Fails clearly, before any connection attempt of Spark's own (which retries for minutes), when the
     * master URL is malformed or its host and port do not answer.
     */
    static void checkMaster(String master) {
        if (LOCAL.matcher(master).matches()) {
            return;
        }
        Matcher m = STANDALONE.matcher(master);
        if (m.matches()) {
            List<String> tried = new ArrayList<>();
            for (String hp : m.group(1).split(",")) {
                int colon = hp.lastIndexOf(':');
                if (colon <= 0) {
                    throw new UserError("--master " + master + ": expected spark://HOST:PORT (the standalone master's"
                            + " port, 7077 by default)");
                }
                String problem = Reachability.tcp(hp.substring(0, colon), Integer.parseInt(hp.substring(colon + 1)));
                if (problem == null) {
                    return;
                }
                tried.add(hp + " (" + problem + ")");
            }
            throw new UserError("cannot reach the Spark master " + master + ": " + String.join("; ", tried) + ". Is the"
                    + " master running, and is this the URL its log and web UI show?");
        }
        m = K8S.matcher(master);
        if (m.matches()) {
            int port = m.group(4) != null ? Integer.parseInt(m.group(4)) : 443;
            String problem = Reachability.tcp(m.group(2), port);
            if (problem != null) {
                throw new UserError("cannot reach the Kubernetes API server of --master " + master + ": " + problem
                        + " (kubectl cluster-info shows its address)");
            }
            return;
        }
        throw new UserError("--master " + master + ": use local[N], spark://HOST:PORT or k8s://https://HOST:PORT");
    }

    /**
     * GAN Lab for the executors: its jar (which names the engine's jars in its manifest) on their class
     * path, this module's jar shipped as the application jar. From class folders (tests, an IDE) the
     * folders go on the class path; their jar dependencies must then be in the nodes' Spark jars.
     */
    private static void classPathForExecutors(SparkConf conf) {
        List<String> cp = new ArrayList<>();
        List<String> jars = new ArrayList<>();
        Path lib = codeSource(RunFolder.class);
        Path self = codeSource(SparkRunExecutor.class);
        if (lib != null) {
            cp.add(lib.toString());
        }
        if (self != null && Files.isDirectory(self)) {
            cp.add(self.toString());
        } else if (self != null) {
            jars.add(self.toString());
        }
        if (!conf.contains("spark.executor.extraClassPath") && !cp.isEmpty()) {
            conf.set("spark.executor.extraClassPath", String.join(java.io.File.pathSeparator, cp));
        }
        if (!jars.isEmpty()) {
            String old = conf.get("spark.jars", "");
            conf.set("spark.jars", old.isEmpty() ? String.join(",", jars) : old + "," + String.join(",", jars));
        }
    }

    static Path codeSource(Class<?> c) {
        CodeSource src = c.getProtectionDomain().getCodeSource();
        if (src == null || src.getLocation() == null) {
            return null;
        }
        try {
            return Paths.get(src.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public void prepare(SweepPlan plan) {
        SharedFolderProbe.check(sc, plan.out(), probeTimeoutSeconds);
    }

    @Override
    public CompletableFuture<RunOutcome> submit(RunSpec spec) {
        CompletableFuture<RunOutcome> f = new CompletableFuture<>();
        if (closed) {
            f.complete(notExecuted(spec));
            return f;
        }
        String group = "ganlab-run-" + jobs.incrementAndGet();
        synchronized (sc) {
            sc.setJobGroup(group, "GAN Lab run " + spec.id(), true); // cancelling interrupts the task thread
            JavaFutureAction<List<String>> job = sc.parallelize(List.of(spec.toJson()), 1)
                    .map(new RunTask(mode, graceSeconds)).collectAsync();
            sc.clearJobGroup();
            running.put(group, job);
            runningSpecs.put(group, spec);
            results.put(group, f);
        }
        return f;
    }

    /** Completes each run's future when its job ends: the outcome as the run folder says. */
    private void collect() {
        while (!closed || !running.isEmpty()) {
            for (Map.Entry<String, JavaFutureAction<?>> e : running.entrySet()) {
                if (!e.getValue().isDone()) {
                    continue;
                }
                String group = e.getKey();
                RunSpec spec = runningSpecs.remove(group);
                running.remove(group);
                CompletableFuture<RunOutcome> f = results.remove(group);
                f.complete(outcome(spec, e.getValue()));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException ex) {
                return;
            }
        }
    }

    private static RunOutcome outcome(RunSpec spec, JavaFutureAction<?> job) {
        RunFolder info = RunFolder.read(spec.dir(), spec.id());
        try {
            String line = String.valueOf(((List<?>) job.get()).get(0));
            int exit = Integer.parseInt(field(line, "exit", "-1"));
            double seconds = Double.parseDouble(field(line, "seconds", "0"));
            boolean executed = !line.contains("skipped=");
            return new RunOutcome(spec.id(), info.status(), info.step(), exit, info.message(), seconds, executed);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RunOutcome(spec.id(), info.status(), info.step(), -1, "interrupted", 0, true);
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            // The job failed after Spark's retries, or was cancelled: the folder says how far the run got.
            String why = e instanceof ExecutionException ? "Spark job failed: " + rootMessage(e) : "cancelled";
            String status = info.status().equals(RunStatus.RUNNING) ? RunStatus.FAILED : info.status();
            return new RunOutcome(spec.id(), status, info.step(), -1, why, 0, true);
        }
    }

    private static String field(String line, String key, String otherwise) {
        for (String part : line.split(" ")) {
            if (part.startsWith(key + "=")) {
                return part.substring(key.length() + 1);
            }
        }
        return otherwise;
    }

    private static RunOutcome notExecuted(RunSpec spec) {
        RunFolder info = RunFolder.read(spec.dir(), spec.id());
        return new RunOutcome(spec.id(), info.status(), info.step(), -1, info.message(), 0, false);
    }

    static String rootMessage(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return c.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }

    private static TaskMode taskMode(String s) {
        if (s == null || s.equalsIgnoreCase("process")) {
            return TaskMode.PROCESS;
        }
        if (s.equalsIgnoreCase("jvm")) {
            return TaskMode.JVM;
        }
        throw new UserError(TASK_MODE + "=" + s + ": use process (the default) or jvm");
    }

    private static long positive(String s, String key, long otherwise, String unit) {
        if (s == null) {
            return otherwise;
        }
        try {
            long v = Long.parseLong(s.strip());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserError(key + "=" + s + ": expected a positive whole number of " + unit);
    }

    /**
     * Stops: jobs in flight are cancelled (their task threads interrupted: each worker is sent SIGTERM,
     * checkpoints and records interrupted), queued ones never start, and the context is stopped once the
     * runs have left status running (at most the grace period).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RunSpec> inFlight = new ArrayList<>(runningSpecs.values());
        if (!running.isEmpty()) {
            sc.cancelAllJobs();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds + 20);
        boolean interrupted = false;
        for (RunSpec r : inFlight) {
            while (RunFolder.read(r.dir(), r.id()).status().equals(RunStatus.RUNNING) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        try {
            collector.join(5000);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        results.forEach((g, f) -> {
            RunSpec spec = runningSpecs.get(g);
            if (spec != null) {
                f.complete(notExecuted(spec));
            }
        });
        if (ownContext) {
            sc.stop();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
