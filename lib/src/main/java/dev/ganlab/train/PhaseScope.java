package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.ganlab.core.StepScope;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Closes the arrays of one phase of a training step (the fakes' forward, a critic update, the
 * generator update, one chunk of a sample grid) when the phase ends, instead of at the end of the step.
 *
 * <p>Why: a DJL array keeps its native tensor alive until the array is closed, so every intermediate
 * a step makes stays resident until the step's scope closes, where PyTorch frees a tensor as soon as
 * nothing refers to it. Without phases a FastGAN step held the no-grad forward of the fakes, every
 * critic update's forward and backward and the generator's forward and backward all at once (issue
 * 18, item 4). Autograd holds its own references to what backward needs, so closing an array's handle
 * never frees a tensor a pending backward still reads; a phase still ends only after its backward.
 *
 * <p>Phases nest inside the step's {@link StepScope}, and are StepScopes themselves so that the Java
 * buffers of scalars stay pinned until the phase's backward has run. An array a phase returns moves
 * from the phase's scope to the enclosing one, which closes it. (Handing it to its manager instead
 * would leak an array whose first input was a parameter: it belongs to the model's manager, which
 * lives as long as the model.)
 *
 * <p>With {@value #TRACE_ENV}=1 each phase prints to stderr the bytes of the arrays it held when it
 * ended and the process's resident and peak resident memory: how lib/BENCHMARKS.md's memory figures
 * were taken apart.
 */
final class PhaseScope {

    /** Environment variable that turns on the per-phase memory trace. */
    static final String TRACE_ENV = "GANLAB_MEMORY_TRACE";
    private static final boolean TRACE = "1".equals(System.getenv(TRACE_ENV));

    private PhaseScope() {}

    /** Runs a phase that returns nothing; every array it made is closed when it ends. */
    static void run(String name, Runnable phase) {
        try (StepScope scope = new StepScope()) {
            phase.run();
            trace(name, scope);
        }
    }

    /** Runs a phase and keeps only the arrays it returns (they move to the enclosing scope). */
    static NDList keep(String name, Supplier<NDList> phase) {
        return keepAll(name, phase, list -> list);
    }

    /** {@link #keep} for a phase that returns one array. */
    static NDArray keepOne(String name, Supplier<NDArray> phase) {
        return keepAll(name, phase, List::of);
    }

    /**
     * {@link #keep} for a phase whose result holds several arrays ({@code arrays} lists them; nulls are
     * skipped): those the phase made move to the enclosing scope, the rest of what it made is closed. An
     * array it returns but did not make (its input passed through) is left where it was.
     */
    static <T> T keepAll(String name, Supplier<T> phase, Function<T, List<NDArray>> arrays) {
        return StepScope.keep(phase, arrays, scope -> trace(name, scope));
    }

    private static void trace(String name, StepScope scope) {
        if (TRACE) {
            System.err.printf(Locale.ROOT, "memory: %-10s held %8.1f MB at its end; resident %6d MB, peak %6d MB%n",
                    name, scope.heldBytes() / 1e6, statusMb("VmRSS:"), statusMb("VmHWM:"));
        }
    }

    /** A field of /proc/self/status in MB (-1 where there is none). */
    private static long statusMb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
