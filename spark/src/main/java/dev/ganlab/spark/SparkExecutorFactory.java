package dev.ganlab.spark;

import dev.ganlab.core.GanLab;
import dev.ganlab.experiments.RunExecutor;
import dev.ganlab.experiments.RunExecutorFactory;
import dev.ganlab.experiments.SweepSpec;

import java.util.Map;

/**
 * {@code ganlab sweep --executor spark [--master URL] [--conf key=value ...]}: a {@link SparkRunExecutor}. Without a
 * master, the runs share this machine as the local executor shares it: {@code workers} (the spec's, else one per two
 * of this process's engine threads, threads beyond the cores counted as the cores), each with an equal share of the
 * threads ({@link SparkRunExecutor#create}).
 */
public final class SparkExecutorFactory implements RunExecutorFactory {

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public RunExecutor create(String master, Map<String, String> settings, SweepSpec spec) {
        Integer w = spec.workersOrNull();
        int threads = GanLab.plannedThreads();
        int workers = w != null ? w : defaultWorkers(threads, Runtime.getRuntime().availableProcessors());
        return SparkRunExecutor.create(master, settings, workers, Math.max(1, threads / workers));
    }

    /** One run per two engine threads, threads beyond the cores counted as the cores; at least one. */
    static int defaultWorkers(int threads, int cores) {
        return Math.max(1, Math.min(threads, cores) / 2);
    }
}
