package dev.ganlab.cli;

import dev.ganlab.core.UserError;
import dev.ganlab.experiments.ConsoleSweepMonitor;
import dev.ganlab.experiments.RunExecutor;
import dev.ganlab.experiments.RunExecutorFactory;
import dev.ganlab.experiments.Sweep;
import dev.ganlab.experiments.SweepResult;
import dev.ganlab.experiments.SweepSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

/**
 * {@code ganlab sweep}: runs a sweep spec (a base config and a grid or random search, several seeds)
 * in parallel worker processes; running it again resumes it.
 */
@Command(name = "sweep", description = "Run a hyperparameter sweep (grid, variants, random search, seeds) in parallel"
        + " worker processes; run the same spec again to resume it.",
        footer = {"", "Exit status: 0 when every run finished or diverged, 3 when some failed or were interrupted,"
            + " 2 for a bad spec.", "", "Examples:",
            "  ganlab sweep --spec sweep.json --dry-run        (check the spec and print the planned runs)",
            "  ganlab sweep --spec sweep.json --workers 2",
            "  ganlab sweep --spec runs/sweeps/loss-x-reg/sweep.json   (resume: finished runs are skipped)",
            "  ganlab sweep --spec sweep.json --executor spark --master spark://head:7077   (with spark/target/ganlab-spark.jar)",
            "", "A spec:",
            "  {\"name\": \"loss-x-reg\", \"base\": {\"data\": \"fashion-mnist\", \"steps\": 2000},",
            "   \"grid\": {\"loss\": [\"ns\", \"lsgan\", \"hinge\"]},",
            "   \"variants\": {\"reg\": {\"none\": {}, \"sn\": {\"model\": \"sndcgan\"},",
            "                        \"r1\": {\"penalty\": \"r1\"}}},",
            "   \"seeds\": [1, 2, 3], \"workers\": 2}"})
public final class SweepCommand implements Callable<Integer> {

    @Option(names = "--spec", required = true, paramLabel = "FILE", description = "The sweep spec (JSON).")
    Path spec;

    @Option(names = "--workers", paramLabel = "N", description = "Parallel runs (default: the spec's; else one per GPU,"
            + " or one per two engine threads: --threads, GANLAB_THREADS, else the cores); those threads are shared"
            + " out among the workers.")
    Integer workers;

    @Option(names = "--threads", paramLabel = "N", description = "Engine threads the sweep shares out among its"
            + " workers (default: GANLAB_THREADS, else the cores).")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", description = "The sweep's folder (default: the spec's 'out', else"
            + " runs/sweeps/NAME).")
    Path out;

    @Option(names = "--executor", paramLabel = "NAME", defaultValue = "local", description = "Where runs execute:"
            + " local (worker processes of this machine, the default) or spark (one Spark task per run; needs the"
            + " ganlab-spark jar: java -jar spark/target/ganlab-spark.jar sweep ...).")
    String executor;

    @Option(names = "--master", paramLabel = "URL", description = "The Spark master for --executor spark: local[N],"
            + " spark://HOST:PORT or k8s://https://HOST:PORT (default: this machine shared as --executor local shares it,"
            + " local[workers x threads per run] with spark.task.cpus = threads per run).")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A setting of the executor, repeatable (Spark:"
            + " any spark.* setting, e.g. spark.task.cpus=2 or spark.task.resource.gpu.amount=1).")
    List<String> conf = new ArrayList<>();

    @Option(names = "--dry-run", description = "Check the spec and print what would run; run nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        if (threads != null) {
            if (threads < 1) {
                throw new UserError("--threads " + threads + ": must be at least 1");
            }
            System.setProperty("ganlab.threads", Integer.toString(threads)); // read when the executor plans its workers
        }
        SweepSpec s = SweepSpec.read(spec);
        if (workers != null) {
            s.workers(workers);
        }
        if (out != null) {
            s.out(out);
        }
        if (dryRun) {
            System.out.println(Sweep.dryRun(s).printAll());
            return 0;
        }
        if (executor.equals("local")) {
            if (master != null || !conf.isEmpty()) {
                throw new UserError("--master and --conf are settings of --executor spark; the local executor takes"
                        + " --workers");
            }
            SweepResult r = Sweep.run(s, null, new ConsoleSweepMonitor(System.out));
            return r.complete() ? 0 : 3;
        }
        s.plan(); // a spec error is reported before the executor connects anywhere
        try (RunExecutor ex = factory(executor).create(master, settings(conf), s)) {
            SweepResult r = Sweep.run(s, ex, new ConsoleSweepMonitor(System.out));
            return r.complete() ? 0 : 3;
        }
    }

    /** The executor factory registered under {@code name}, or a UserError saying where to find it. */
    static RunExecutorFactory factory(String name) {
        List<String> known = new ArrayList<>(List.of("local"));
        for (RunExecutorFactory f : ServiceLoader.load(RunExecutorFactory.class)) {
            if (f.name().equals(name)) {
                return f;
            }
            known.add(f.name());
        }
        if (name.equals("spark")) {
            throw new UserError("--executor spark: the Spark executor is not on this class path; run the sweep with"
                    + " the ganlab-spark jar (mvn package builds spark/target/ganlab-spark.jar): java -jar"
                    + " spark/target/ganlab-spark.jar sweep --spec ... --executor spark --master ...");
        }
        throw new UserError("--executor " + name + ": unknown executor (known here: " + String.join(", ", known) + ")");
    }

    private static Map<String, String> settings(List<String> pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String p : pairs) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new UserError("--conf " + p + ": expected KEY=VALUE");
            }
            out.put(p.substring(0, eq).strip(), p.substring(eq + 1).strip());
        }
        return out;
    }
}
