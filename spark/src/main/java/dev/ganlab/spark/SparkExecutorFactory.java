package dev.ganlab.spark;

import dev.ganlab.experiments.RunExecutor;
import dev.ganlab.experiments.RunExecutorFactory;
import dev.ganlab.experiments.SweepSpec;

import java.util.Map;

/**
 * {@code ganlab sweep --executor spark [--master URL] [--conf key=value ...]}: a {@link SparkRunExecutor}. Without a
 * master the runs share this machine as the local executor shares it ({@link SparkRunExecutor#localShare}).
 */
public final class SparkExecutorFactory implements RunExecutorFactory {

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public RunExecutor create(String master, Map<String, String> settings, SweepSpec spec) {
        return SparkRunExecutor.create(master, settings, spec.workersOrNull());
    }
}
