package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Gated linear unit over channels (Dauphin et al., ICML 2017), the activation of FastGAN's
 * generator: the input's channels are split into halves {@code a} and {@code b} and the output is
 * {@code a * sigmoid(b)}. The engine has no GLU op, hence the split and multiply.
 *
 * <p>Input {@code (N, 2C, ...)}; output {@code (N, C, ...)}.
 */
public final class Glu extends AbstractBlock {

    private static final byte VERSION = 1;

    public Glu() {
        super(VERSION);
    }

    /** {@code x[:, :C] * sigmoid(x[:, C:])} for {@code x} with 2C channels on axis 1. */
    public static NDArray glu(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() < 2 || s.get(1) % 2 != 0) {
            throw new IllegalArgumentException("GLU needs an even channel count on axis 1, got shape " + s);
        }
        NDList halves = x.split(2, 1);
        // With a graph the product saves its operands for backward, and the first half, a view, would
        // keep all of x (both halves) alive until then; a copy keeps half of it (issue 18, item 4). The
        // copy is a product with 1, exact in value and gradient and recorded by autograd (duplicate()
        // would cut the graph: DJL's clone is detached). Without a graph the view is enough.
        NDArray a = JniUtils.isGradMode() ? halves.get(0).mul(1f) : halves.get(0);
        return a.mul(Activation.sigmoid(halves.get(1)));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(glu(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        if (s.dimension() < 2 || s.get(1) % 2 != 0) {
            throw new IllegalArgumentException("GLU needs an even channel count on axis 1, got shape " + s);
        }
        long[] dims = s.getShape();
        dims[1] /= 2;
        return new Shape[] {new Shape(dims)};
    }

    @Override
    public String toString() {
        return "GLU";
    }
}
