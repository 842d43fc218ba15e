package dev.ganlab.experiments;

import java.util.Map;

/**
 * Makes a {@link RunExecutor} by name for {@code ganlab sweep --executor NAME}. Executors that live in
 * other modules (the Spark executor of {@code ganlab-spark}) register one through
 * {@code META-INF/services/dev.ganlab.experiments.RunExecutorFactory}, so the library itself does not
 * depend on them and the notebook kernel's class path does not carry them.
 */
public interface RunExecutorFactory {

    /** The name {@code --executor} selects this factory by, e.g. "spark". */
    String name();

    /**
     * Makes the executor, checking its settings (and, for a cluster, that it can be reached) first; a
     * problem is a {@link dev.ganlab.core.UserError} naming the setting.
     *
     * @param master where to run ({@code --master}), null for the factory's default
     * @param settings further settings ({@code --conf key=value}), in the order given
     * @param spec the sweep it will run (for its worker count and devices)
     */
    RunExecutor create(String master, Map<String, String> settings, SweepSpec spec);
}
