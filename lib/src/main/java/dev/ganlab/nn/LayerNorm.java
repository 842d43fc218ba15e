package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Layer normalisation of {@code (N, C, H, W)} over (C, H, W) per sample, with a per-channel scale
 * and shift. The WGAN-GP paper (Gulrajani et al., 2017) recommends it over batch norm in a critic
 * trained with a gradient penalty: the penalty is defined per sample, and batch norm couples samples.
 */
public final class LayerNorm extends AbstractBlock {

    private static final byte VERSION = 1;
    public static final float EPS = 1e-5f;

    private final float eps;
    private final Parameter gamma;
    private final Parameter beta;

    public LayerNorm() {
        this(EPS);
    }

    /**
     * @param eps added to the variance (default {@value #EPS}, PyTorch's; TensorFlow's
     *     {@code tf.contrib.layers.layer_norm}, which compare_gan uses, adds 1e-12)
     */
    public LayerNorm(float eps) {
        super(VERSION);
        if (!(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm eps " + eps + " must be > 0");
        }
        this.eps = eps;
        gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA)
                .optInitializer(Init.ones()).build());
        beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA)
                .optInitializer(Init.zeros()).build());
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        if (inputShapes[0].dimension() != 4) {
            throw new IllegalArgumentException("LayerNorm expects (N, C, H, W), got " + inputShapes[0]);
        }
        gamma.setShape(new Shape(inputShapes[0].get(1)));
        beta.setShape(new Shape(inputShapes[0].get(1)));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray g = ps.getValue(gamma, x.getDevice(), training);
        NDArray b = ps.getValue(beta, x.getDevice(), training);
        long c = x.getShape().get(1);
        NDArray d = x.sub(Ops.meanPerSample(x));
        NDArray norm = d.div(Ops.meanPerSample(d.square()).add(eps).sqrt());
        try (ParamScope scope = ParamScope.of(norm, g, b)) {
            return new NDList(scope.keep(norm.mul(g.reshape(1, c, 1, 1)).add(b.reshape(1, c, 1, 1))));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return "LayerNorm";
    }
}
