package dev.ganlab.experiments;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ganlab.core.AtomicFiles;
import dev.ganlab.core.SettingsSchema;
import dev.ganlab.core.Stoppable;
import dev.ganlab.core.UserError;
import dev.ganlab.train.Checkpoint;
import dev.ganlab.train.GanTrainer;
import dev.ganlab.train.RunFolder;
import dev.ganlab.train.RunStatus;
import dev.ganlab.train.TrainConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Runs a {@link SweepSpec}: plans it (everything is checked before anything runs), decides per run
 * what to do, hands the runs to a {@link RunExecutor} and waits, reporting to a {@link SweepMonitor}.
 *
 * <p><b>Resuming.</b> Running a sweep again (the same spec, or its {@code sweep.json}) continues it:
 * finished runs are skipped (or extended when the spec now asks for more steps), diverged runs are
 * kept as they are - a divergence is a result, not an error - and interrupted, failed or never started
 * runs are run, from their newest checkpoint when they have one. A run folder planned with a different
 * config is an error, so a changed spec needs its own {@code out}.
 *
 * <p><b>Stopping.</b> Interrupting the calling thread (a notebook's interrupt), or the end of this
 * process, stops the workers; each checkpoints and records status interrupted (a worker stopped before
 * its run could record anything is marked interrupted by the executor), and the call returns once no
 * worker process is left, with the caller's interrupt flag set.
 *
 * <p>The sweep's folder holds {@code sweep.json} (the spec, base inline), one folder per run (named by
 * its id: {@code loss=ns,reg=sn,seed=1}) with {@code run-spec.json}, the run's usual files and
 * {@code log.txt}, and a lock file that keeps two sweeps out of one folder.
 */
public final class Sweep {

    /** The spec as the sweep recorded it, in its folder. */
    public static final String SPEC_FILE = "sweep.json";
    private static final String LOCK_FILE = ".sweep.lock";
    private static final long PROGRESS_EVERY_MS = 2000;

    /** What happens to a run. */
    static final String RUN = "run";
    static final String RESUME = "resume";
    static final String EXTEND = "extend";
    static final String SKIP_FINISHED = "skip: finished";
    static final String SKIP_DIVERGED = "skip: diverged";

    private Sweep() {}

    /** Runs the sweep on worker processes of this machine, with the default monitor. */
    public static SweepResult run(SweepSpec spec) {
        return run(spec, null, SweepMonitor.auto());
    }

    /**
     * Runs the sweep on the given executor (e.g. the Spark executor of the ganlab-spark module), with
     * the default monitor. The executor is the caller's to close.
     */
    public static SweepResult run(SweepSpec spec, RunExecutor executor) {
        return run(spec, Objects.requireNonNull(executor, "executor"), SweepMonitor.auto());
    }

    /** Continues the sweep recorded in {@code sweepDir} (its {@code sweep.json}). */
    public static SweepResult resume(Path sweepDir) {
        return run(SweepSpec.read(sweepDir.resolve(SPEC_FILE)));
    }

    /**
     * Runs the sweep.
     *
     * @param executor where runs execute; null for a {@link LocalProcessExecutor} with the spec's
     *     workers (closed at the end). A given executor is closed only when the sweep is interrupted.
     */
    public static SweepResult run(SweepSpec spec, RunExecutor executor, SweepMonitor monitor) {
        CompletableFuture<Void> stop = new CompletableFuture<>();
        return Stoppable.run("sweep", () -> stop.complete(null), () -> runHere(spec, executor, monitor, stop));
    }

    private static SweepResult runHere(SweepSpec spec, RunExecutor executor, SweepMonitor monitor,
            CompletableFuture<Void> stop) {
        SweepPlan plan = spec.plan();
        Path out = plan.out();
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the sweep folder " + out, e);
        }
        try (FileChannel ch = FileChannel.open(out.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = tryLock(ch, out)) {
            Map<String, String> actions = actions(plan);
            if (executor != null && actions.values().stream().anyMatch(a -> !a.startsWith("skip"))) {
                executor.prepare(plan); // e.g. the cluster's nodes see the sweep folder; nothing has run yet
            }
            AtomicFiles.writeString(out.resolve(SPEC_FILE), spec.toJson());
            List<RunSpec> toRun = new ArrayList<>();
            for (RunSpec r : plan.runs()) {
                if (!actions.get(r.id()).startsWith("skip")) {
                    r.write();
                    toRun.add(r);
                }
            }
            return execute(plan, actions, toRun, executor, monitor, stop);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + out.resolve(LOCK_FILE), e);
        }
    }

    private static FileLock tryLock(FileChannel ch, Path out) throws IOException {
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new UserError("another sweep is running in " + out + "; wait for it, or give this one another 'out'");
        }
        return lock;
    }

    private static SweepResult execute(SweepPlan plan, Map<String, String> actions, List<RunSpec> toRun,
            RunExecutor given, SweepMonitor monitor, CompletableFuture<Void> stop) {
        Map<String, RunOutcome> outcomes = new LinkedHashMap<>();
        for (RunSpec r : plan.runs()) {
            if (actions.get(r.id()).startsWith("skip")) {
                outcomes.put(r.id(), RunOutcome.notExecuted(r));
            }
        }
        RunExecutor ex = given;
        if (ex == null) {
            Integer w = plan.spec().workersOrNull();
            if (!toRun.isEmpty()) {
                int gpus = LocalProcessExecutor.detectGpus();
                int workers = w != null ? w : LocalProcessExecutor.defaultWorkers(gpus);
                // No more workers than runs: each worker's share of the cores depends on their number.
                ex = LocalProcessExecutor.builder().gpus(gpus).workers(Math.min(workers, toRun.size())).build();
            }
        }
        monitor.onStart(plan, actions, ex == null ? 0 : ex.parallelism());
        boolean interrupted = false;
        boolean ended = false;
        RunExecutor running = ex;
        Thread hook = new Thread(() -> {
            if (running != null) {
                running.close();
            }
        }, "ganlab-sweep-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Map<String, CompletableFuture<RunOutcome>> futures = new LinkedHashMap<>();
        try {
            for (RunSpec r : toRun) {
                futures.put(r.id(), ex.submit(r));
            }
            long lastProgress = 0;
            int done = 0;
            while (done < futures.size()) {
                List<CompletableFuture<?>> open = new ArrayList<>(futures.values().stream().filter(f -> !f.isDone()).toList());
                if (!open.isEmpty()) {
                    open.add(stop);
                    try {
                        CompletableFuture.anyOf(open.toArray(new CompletableFuture[0]))
                                .get(PROGRESS_EVERY_MS, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException | ExecutionException e) {
                        // a timeout: time to report progress; a failed future is collected below
                    }
                }
                if (Stoppable.stopRequested() || stop.isDone()) { // an interrupt outside the wait
                    interrupted = true;
                    break;
                }
                for (Map.Entry<String, CompletableFuture<RunOutcome>> e : futures.entrySet()) {
                    if (e.getValue().isDone() && !outcomes.containsKey(e.getKey())) {
                        RunOutcome o = outcomeOf(e.getKey(), e.getValue());
                        outcomes.put(e.getKey(), o);
                        done++;
                        monitor.onRunEnd(plan, o, done, futures.size());
                    }
                }
                if (System.currentTimeMillis() - lastProgress >= PROGRESS_EVERY_MS || done == futures.size()) {
                    lastProgress = System.currentTimeMillis();
                    monitor.onProgress(plan, readRuns(plan));
                }
            }
            ended = !interrupted;
        } catch (InterruptedException e) {
            interrupted = true; // the flag is restored below, once the workers have stopped
        } finally {
            if (ex != null && (given == null || !ended)) {
                ex.close(); // on interruption this stops the workers, which checkpoint first
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is already running
            }
        }
        for (Map.Entry<String, CompletableFuture<RunOutcome>> e : futures.entrySet()) {
            outcomes.computeIfAbsent(e.getKey(), id -> outcomeOf(id, e.getValue()));
        }
        Map<String, RunOutcome> ordered = new LinkedHashMap<>();
        for (RunSpec r : plan.runs()) {
            ordered.put(r.id(), Objects.requireNonNullElseGet(outcomes.get(r.id()), () -> RunOutcome.notExecuted(r)));
        }
        SweepResult result = new SweepResult(plan, ordered, interrupted);
        monitor.onEnd(result);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return result;
    }

    /** A finished future's outcome; an executor that broke yields a failed outcome naming the cause. */
    private static RunOutcome outcomeOf(String id, CompletableFuture<RunOutcome> f) {
        if (!f.isDone()) {
            return new RunOutcome(id, RunStatus.INTERRUPTED, 0, -1, "the executor did not finish it", 0, false);
        }
        try {
            return f.join();
        } catch (RuntimeException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            return new RunOutcome(id, RunStatus.FAILED, 0, -1, "executor error: " + c, 0, false);
        }
    }

    private static List<RunFolder> readRuns(SweepPlan plan) {
        List<RunFolder> out = new ArrayList<>();
        for (RunSpec r : plan.runs()) {
            out.add(RunFolder.read(r.dir(), r.id()));
        }
        return out;
    }

    /**
     * What the sweep would do, without doing it: one row per planned run with its action (run, resume,
     * extend, skip: finished, skip: diverged), current status, step and labels.
     */
    public static Table dryRun(SweepSpec spec) {
        SweepPlan plan = spec.plan();
        Map<String, String> actions = actions(plan);
        Table t = plan.table();
        t.setName("sweep " + plan.name() + ": " + plan.size() + " runs -> " + plan.out());
        List<RunFolder> infos = readRuns(plan);
        t.insertColumn(1, StringColumn.create("action", plan.runs().stream().map(r -> actions.get(r.id())).toList()));
        t.insertColumn(2, StringColumn.create("status", infos.stream().map(RunFolder::status).toList()));
        t.insertColumn(3, LongColumn.create("step", infos.stream().mapToLong(RunFolder::step).toArray()));
        return t;
    }

    /**
     * Decides what happens to each run from its folder; a folder that belongs to another config or
     * another sweep, a run still running, or a run that has trained with other settings than its plan
     * now resolves to while the sweep would train, is an error (nothing has run yet).
     */
    static Map<String, String> actions(SweepPlan plan) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, UserError> refusals = new LinkedHashMap<>();
        for (RunSpec r : plan.runs()) {
            Path dir = r.dir();
            if (!RunFolder.isRun(dir)) {
                out.put(r.id(), RUN);
                continue;
            }
            if (!Files.isRegularFile(dir.resolve(RunSpec.FILE))) {
                throw new UserError(dir + " holds a run this sweep did not plan (no " + RunSpec.FILE + "); move it away"
                        + " or give the sweep another 'out'");
            }
            String diff = firstDifference(RunSpec.read(dir.resolve(RunSpec.FILE)).config(), r.config());
            if (diff != null) {
                throw new UserError("run " + r.id() + " in " + plan.out() + " was made with a different config (" + diff
                        + "); a changed sweep needs another 'out', or delete that run folder");
            }
            // The plans agree, but a run that has trained continues only with the settings it trained with (its
            // config.json), and a plan may resolve otherwise now that this version changed a default.
            UserError refused = GanTrainer.resumeRefusal(r.config(), dir);
            if (refused != null) {
                refusals.put(r.id(), refused);
            }
            RunFolder info = RunFolder.read(dir, r.id());
            String action = switch (info.status()) {
                case RunStatus.RUNNING -> throw new UserError("run " + r.id() + " is running (see its status.json): is"
                        + " another sweep working in " + plan.out() + "? Wait for it or stop it first");
                case RunStatus.FINISHED -> r.config().steps > info.step() ? EXTEND : SKIP_FINISHED;
                case RunStatus.DIVERGED -> SKIP_DIVERGED;
                default -> Checkpoint.list(dir.resolve("checkpoints")).isEmpty() ? RUN : RESUME;
            };
            out.put(r.id(), action);
        }
        // Said before any run trains, rather than from a worker; and a skipped run counts too when another
        // would train, or the sweep would put runs of the new default beside runs of the old. A sweep with
        // nothing left to train (its results collected again) is let be.
        boolean trains = out.values().stream().anyMatch(a -> !a.startsWith("skip"));
        for (Map.Entry<String, UserError> e : refusals.entrySet()) {
            if (trains) {
                throw new UserError("sweep " + plan.name() + " cannot continue run " + e.getKey() + ": "
                        + e.getValue().getMessage() + ". Nothing has run. Where a setting differs, pin it in the sweep's"
                        + " base (or axis) to the run's value; otherwise give the sweep another 'out'", e.getValue());
            }
        }
        return out;
    }

    /**
     * The first setting in which two plans differ once resolved (defaults filled in), or null. The
     * number of steps may differ: a longer run extends the old one. So may a setting the stored plan left
     * to its default and the new one gives: pinning a default that a later version changed to the value
     * the sweep trained with (its runs' config.json say which, {@link GanTrainer#resumeRefusal}) is how an
     * old sweep continues; a setting the stored plan gave must stay as it was.
     */
    static String firstDifference(TrainConfig stored, TrainConfig planned) {
        TrainConfig a = stored.copy();
        a.steps = planned.steps; // before resolving: defaults that follow the steps must follow them too
        Map<String, String> x;
        try {
            x = RunFolder.flatten(a.resolved());
        } catch (UserError e) {
            return "the stored config no longer resolves: " + e.getMessage();
        }
        Map<String, String> y = RunFolder.flatten(planned.resolved());
        Set<String> keys = new LinkedHashSet<>(x.keySet());
        keys.addAll(y.keySet());
        JsonObject given = stored.toJsonTree(); // the stored plan as written: defaults absent
        for (String k : keys) {
            JsonElement v = SettingsSchema.get(given, k);
            boolean leftToDefault = v == null || v.isJsonNull();
            if (!Objects.equals(x.get(k), y.get(k)) && !(leftToDefault && y.containsKey(k))) {
                return k + ": " + x.getOrDefault(k, "unset") + " there, " + y.getOrDefault(k, "unset") + " now";
            }
        }
        return null;
    }
}
