package dev.ganlab.spark;

import dev.ganlab.experiments.RunExecutor;
import dev.ganlab.experiments.RunExecutorFactory;
import dev.ganlab.experiments.SweepSpec;

import java.util.Map;

/** {@code ganlab sweep --executor spark [--master URL] [--conf key=value ...]}: a {@link SparkRunExecutor}. */
public final class SparkExecutorFactory implements RunExecutorFactory {

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public RunExecutor create(String master, Map<String, String> settings, SweepSpec spec) {
        Integer w = spec.workersOrNull();
        int workers = w != null ? w : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        return SparkRunExecutor.create(master, settings, workers);
    }
}
