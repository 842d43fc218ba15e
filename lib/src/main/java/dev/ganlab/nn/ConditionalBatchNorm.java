package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Conditional batch normalisation (de Vries et al. 2017; the class-conditional generator of Miyato &amp;
 * Koyama 2018, "cGANs with Projection Discriminator", sec. 4, and of BigGAN): features are batch-normalised,
 * then scaled and shifted by a gain and bias of the image's class, {@code y = gamma_c * bn(x) + beta_c}.
 *
 * <p>Inputs: {@code x (N, C)} or {@code (N, C, H, W)} and class weights {@code (N, K)} (a one-hot row per
 * image; a mixture of one-hots interpolates between classes, as BigGAN's class interpolations). Weights:
 * {@code gamma (K, C)} starting at 1 and {@code beta (K, C)} at 0, as the official chainer code
 * (sngan_projection's CategoricalConditionalBatchNormalization). Output: the shape of x.
 *
 * <p>Deviation, by design: the normalisation is a GAN Lab {@link BatchNorm} with its own shared gain and
 * bias (starting at 1 and 0) before the class-dependent ones, so that {@link BatchNorm#reestimate} (the EMA
 * generator's statistics) finds this layer's statistics like any other. It adds 2C parameters and no
 * expressive power: {@code gamma_c (g bn + b) + beta_c} is again a class-dependent affine map of bn(x).
 */
public final class ConditionalBatchNorm extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int classes;
    private final BatchNorm norm;
    private final Parameter gamma;
    private final Parameter beta;

    /** Conditional batch norm over {@code classes} classes with {@link BatchNorm}'s defaults. */
    public ConditionalBatchNorm(int classes) {
        super(VERSION);
        if (classes < 1) {
            throw new IllegalArgumentException("conditional batch norm needs at least 1 class, got " + classes);
        }
        this.classes = classes;
        this.norm = addChildBlock("norm", new BatchNorm());
        gamma = addParameter(Parameter.builder().setName("classGamma").setType(Parameter.Type.WEIGHT)
                .optInitializer(Init.ones()).build());
        beta = addParameter(Parameter.builder().setName("classBeta").setType(Parameter.Type.WEIGHT)
                .optInitializer(Init.zeros()).build());
    }

    /** The maths on plain arrays: {@code (w gamma) * xhat + (w beta)}, broadcast over spatial axes. */
    public static NDArray modulate(NDArray xhat, NDArray classWeights, NDArray gamma, NDArray beta) {
        NDArray g = classWeights.matMul(gamma);                                 // (N, C)
        NDArray b = classWeights.matMul(beta);                                  // (N, C)
        if (xhat.getShape().dimension() == 4) {
            long n = xhat.getShape().get(0);
            long c = xhat.getShape().get(1);
            g = g.reshape(n, c, 1, 1);
            b = b.reshape(n, c, 1, 1);
        }
        return xhat.mul(g).add(b);
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        long c = inputShapes[0].get(1);
        gamma.setShape(new Shape(classes, c));
        beta.setShape(new Shape(classes, c));
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        norm.initialize(manager, dataType, inputShapes[0]);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (inputs.size() != 2) {
            throw new IllegalArgumentException("conditional batch norm takes (x, class weights), got " + inputs.size()
                    + " inputs");
        }
        NDArray x = inputs.get(0);
        NDArray w = inputs.get(1);
        if (w.getShape().dimension() != 2 || w.getShape().get(1) != classes) {
            throw new IllegalArgumentException("conditional batch norm: class weights must be (N, " + classes + "), got "
                    + w.getShape());
        }
        NDArray xhat = norm.forward(ps, new NDList(x), training).singletonOrThrow();
        var d = x.getDevice();
        return new NDList(modulate(xhat, w, ps.getValue(gamma, d, training), ps.getValue(beta, d, training)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return "ConditionalBatchNorm(classes=" + classes + ")";
    }
}
