package dev.ganlab.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import dev.ganlab.core.CodeOnlyModules;

/**
 * Differentiable input gradients: {@code d(sum scores) / d inputs} with a graph for a second
 * derivative, the core of every gradient penalty.
 *
 * <p>The engine's only create-graph route, {@code JniUtils.backward(..., createGraph=true)}, also
 * writes graph-attached tensors into every parameter's {@code .grad}; PyTorch then holds a reference
 * cycle per parameter and memory grows by megabytes per step. This class instead calls a small
 * TorchScript module ({@code input_gradient.pt}, built by {@code environment/torchscript/input_gradient.py})
 * that runs {@code torch.autograd.grad(sum(scores), [inputs], create_graph=True)}: parameters' gradients
 * are untouched, the result carries the double-backward graph, and the penalty's ordinary backward
 * gives exact parameter gradients. Memory stays flat (see GradientPenaltyTest).
 *
 * <p>(A finite-difference Hessian-vector product with first-order autograd only was tried first: it
 * agrees with double backward for smooth critics, but for (leaky) ReLU critics every unit whose kink
 * falls between the two evaluation points adds an O(1/eps) term, and the parameter gradient was off by
 * several times its norm in tests.)
 */
public final class InputGradient {

    /** Classpath location of the TorchScript helper. */
    public static final String RESOURCE = "/dev/ganlab/loss/input_gradient.pt";

    private InputGradient() {}

    /**
     * {@code d(sum scores) / d inputs}, shaped like {@code inputs}, differentiable. {@code inputs} must
     * require gradients and {@code scores} must have been computed from them with grad mode on (inside
     * a gradient collector).
     */
    public static NDArray of(NDArray scores, NDArray inputs) {
        if (!inputs.hasGradient()) {
            throw new IllegalArgumentException("inputs must require gradients (call setRequiresGradient(true) first)");
        }
        PtSymbolBlock module = CodeOnlyModules.get(RESOURCE, inputs.getDevice());
        return IValueUtils.forward(module, new NDList(scores, inputs), true).singletonOrThrow();
    }
}
