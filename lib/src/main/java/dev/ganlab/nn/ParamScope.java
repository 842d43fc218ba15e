package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Lets a layer compute with its parameters without leaking. In DJL an operation's result belongs to
 * the manager of its first operand, so {@code weight.mul(scale)} would land in the long-lived
 * parameter manager and stay there. Inside this scope the parameters are temporarily attached to a
 * short-lived sub-manager of the input's manager: intermediate results die with the scope, and
 * {@link #keep} moves the layer's output to the input's manager. Parameters go back to their own
 * managers on {@link #close()}.
 */
public final class ParamScope implements AutoCloseable {

    private final NDManager target;
    private final NDManager scope;

    private ParamScope(NDArray input, NDArray... params) {
        this.target = input.getManager();
        this.scope = target.newSubManager();
        for (NDArray p : params) {
            if (p != null) {
                p.tempAttach(scope);
            }
        }
    }

    /** Opens a scope for computing from {@code input} with {@code params} (nulls are skipped). */
    public static ParamScope of(NDArray input, NDArray... params) {
        return new ParamScope(input, params);
    }

    /** Moves {@code result} to the input's manager so it outlives the scope. */
    public NDArray keep(NDArray result) {
        result.attach(target);
        return result;
    }

    @Override
    public void close() {
        scope.close();
    }
}
