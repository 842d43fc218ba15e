package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Minibatch discrimination (Salimans et al., "Improved Techniques for Training GANs", 2016, sec. 3.2):
 * lets the discriminator see how similar a sample is to the others in its batch, so a generator that
 * collapses to one mode is easy to spot.
 *
 * <p>Input features {@code f (N, A)}; parameter {@code T (A, B*C)}; {@code M = f T} viewed as
 * {@code (N, B, C)}; {@code c_b(i, j) = exp(-||M_i,b - M_j,b||_1)}; {@code o(i)_b = sum_{j != i} c_b(i, j)};
 * output {@code [f, o] (N, A + B)}. The paper's sizes are B = 100 kernels of dimension C = 5.
 */
public final class MinibatchDiscrimination extends AbstractBlock {

    private static final byte VERSION = 1;
    /** Salimans et al. 2016: number of kernels B. */
    public static final int DEFAULT_KERNELS = 100;
    /** Salimans et al. 2016: kernel dimension C. */
    public static final int DEFAULT_KERNEL_DIM = 5;

    private final int kernels;
    private final int kernelDim;
    private final Parameter t;

    public MinibatchDiscrimination(int kernels, int kernelDim) {
        super(VERSION);
        if (kernels < 1 || kernelDim < 1) {
            throw new IllegalArgumentException("minibatch discrimination needs kernels and dim >= 1, got "
                    + kernels + " x " + kernelDim);
        }
        this.kernels = kernels;
        this.kernelDim = kernelDim;
        t = addParameter(Parameter.builder().setName("T").setType(Parameter.Type.WEIGHT)
                .optInitializer(Init.normal(0, 0.1)).build());
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        t.setShape(new Shape(inputShapes[0].get(1), (long) kernels * kernelDim));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray f = inputs.singletonOrThrow();
        NDArray tw = ps.getValue(t, f.getDevice(), training);
        long n = f.getShape().get(0);
        NDArray m = f.matMul(tw).reshape(n, kernels, kernelDim);          // (N, B, C)
        NDArray diff = m.expandDims(1).sub(m.expandDims(0)).abs()          // (N, N, B, C)
                .sum(new int[] {3});                                       // (N, N, B)
        NDArray o = diff.neg().exp().sum(new int[] {1}).sub(1f);           // (N, B), self term exp(0) = 1 removed
        return new NDList(f.concat(o, 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), s.get(1) + kernels)};
    }

    @Override
    public String toString() {
        return "MinibatchDiscrimination(" + kernels + "x" + kernelDim + ")";
    }
}
