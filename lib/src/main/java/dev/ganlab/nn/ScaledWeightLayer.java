package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * Shared machinery of {@link Conv2d}, {@link ConvTranspose2d} and {@link Linear}: a weight, an
 * optional bias, and a run-time weight transform ({@link WeightScaling}). Both transforms are a
 * scalar factor on the weight, applied to the weight before the operation ({@code f(x, W / sigma) + b}
 * and {@code f(x, c W) + b}, bias inside the operation), as PyTorch's {@code spectral_norm} and the
 * official ProGAN code do.
 *
 * <p>Why the weight and not the output (the two are the same function, since the layer is linear
 * in its weight; the rounding differs in the last bits): scaling the output costs two
 * output-sized passes forward and back plus a separate bias addition, and for spectral norm
 * autograd saves the unscaled output to differentiate the quotient with respect to sigma, one
 * output-sized tensor per layer for the whole step. At FastGAN's 1024 px blocks (32 channels at
 * 1024 x 1024, batch 8) that tensor is 1.1 GB per convolution. The weight side costs one pass over
 * the weight instead, 2.4 million values for a 512-channel 3x3 layer; only where the output is
 * smaller than that (ProGAN's 512-channel layers below 16 x 16 at batch 16) is it the larger pass,
 * and those layers are the step's cheapest. Measured on FastGAN at 1024 px and on the step times
 * of lib/BENCHMARKS.md.
 */
public abstract class ScaledWeightLayer extends AbstractBlock {

    private static final byte VERSION = 1;

    /** Epsilon of the spectral norm's vector normalisation (as PyTorch's spectral_norm). */
    static final float SN_EPS = 1e-12f;

    protected final long outFeatures;
    protected final WeightScaling scaling;
    protected final double gain;
    protected final Parameter weight;
    protected final Parameter bias;
    protected final Parameter snU;
    protected final Parameter snV;
    /** gain / sqrt(fan_in), set when the input shape is known. */
    protected float heScale = 1f;

    protected ScaledWeightLayer(long outFeatures, boolean useBias, WeightScaling scaling, double gain,
            Initializer weightInit, Initializer biasInit) {
        super(VERSION);
        if (outFeatures < 1) {
            throw new IllegalArgumentException("output features must be >= 1, got " + outFeatures);
        }
        this.outFeatures = outFeatures;
        this.scaling = scaling;
        this.gain = gain;
        Initializer wi = scaling == WeightScaling.EQUALIZED ? Init.normal(0, 1) : weightInit;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optInitializer(wi).build());
        bias = useBias ? addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                .optInitializer(biasInit).build()) : null;
        if (scaling == WeightScaling.SPECTRAL) {
            snU = addParameter(Parameter.builder().setName("sn_u").setType(Parameter.Type.OTHER)
                    .optRequiresGrad(false).optInitializer(Init.unitVector()).build());
            snV = addParameter(Parameter.builder().setName("sn_v").setType(Parameter.Type.OTHER)
                    .optRequiresGrad(false).optInitializer(Init.unitVector()).build());
        } else {
            snU = null;
            snV = null;
        }
    }

    /** The weight's shape for an input shape. */
    protected abstract Shape weightShape(Shape input);

    /** Fan-in of one output unit for an input shape. */
    protected abstract long fanIn(Shape input);

    /**
     * The engine operation {@code f(x, W) + b} on the already scaled weight, with b null for none;
     * the bias goes into the operation itself (no separate addition and backward).
     */
    protected abstract NDArray apply(NDArray input, NDArray w, NDArray b);

    /** Multiply-adds the layer performed for one forward (every output value sums fan-in products). */
    protected long multiplyAdds(NDArray input, NDArray w, NDArray y) {
        return y.getShape().size() * (w.getShape().size() / outFeatures);
    }

    /**
     * The weight as the matrix whose largest singular value spectral norm divides by: one row per
     * output feature (Miyato et al.: a conv kernel {@code (C_out, C_in, k, k)} becomes
     * {@code C_out x (C_in k k)}). Layers whose weight does not lead with the output axis override it.
     */
    protected NDArray spectralMatrix(NDArray w) {
        return w.reshape(outFeatures, -1);
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        Shape w = weightShape(inputShapes[0]);
        weight.setShape(w);
        if (bias != null) {
            bias.setShape(new Shape(outFeatures));
        }
        if (snU != null) {
            snU.setShape(new Shape(outFeatures));
            snV.setShape(new Shape(w.size() / outFeatures));
        }
        heScale = (float) (gain / Math.sqrt(fanIn(inputShapes[0])));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        NDArray u = snU == null ? null : ps.getValue(snU, x.getDevice(), training);
        NDArray v = snV == null ? null : ps.getValue(snV, x.getDevice(), training);
        if (scaling == WeightScaling.EQUALIZED) {
            // From the weight itself, so a block whose parameters were loaded without prepare() is right.
            heScale = (float) (gain / Math.sqrt((double) w.getShape().size() / outFeatures));
        }
        try (ParamScope scope = ParamScope.of(x, w, b, u, v)) {
            NDArray effective = switch (scaling) {
                case NONE -> w;
                case EQUALIZED -> w.mul(heScale);
                case SPECTRAL -> w.div(spectralSigma(spectralMatrix(w), u, v, training));
            };
            NDArray out = apply(x, effective, b);
            if (FlopCounter.active()) {
                FlopCounter.add(multiplyAdds(x, w, out), ai.djl.pytorch.jni.JniUtils.isGradMode());
            }
            return new NDList(scope.keep(out));
        }
    }

    /**
     * sigma = u^T W v after one power-iteration step (training only), with u and v updated in place
     * from the detached weight; the gradient flows through W in {@code u^T W v} only, as in Miyato et
     * al.'s algorithm 1.
     */
    static NDArray spectralSigma(NDArray wm, NDArray u, NDArray v, boolean training) {
        // wm: (out, in*k*k), see spectralMatrix
        if (training) {
            NDArray wd = wm.stopGradient();
            NDArray vNew = wd.transpose().matMul(u);
            vNew = vNew.div(vNew.norm().add(SN_EPS));
            NDArray uNew = wd.matMul(vNew);
            uNew = uNew.div(uNew.norm().add(SN_EPS));
            v.muli(0).addi(vNew);
            u.muli(0).addi(uNew);
            // sigma uses the fresh vectors, not u and v themselves: autograd keeps the operands of
            // this product for backward, and the next forward updates u and v in place (PyTorch's
            // spectral_norm clones them for the same reason).
            return uNew.matMul(wm.matMul(vNew));
        }
        return u.duplicate().matMul(wm.matMul(v.duplicate())); // scalar
    }

    /** The largest singular value estimate sigma the layer currently divides by (1 when not spectral). */
    public float spectralNorm() {
        if (snU == null) {
            return 1f;
        }
        NDArray w = weight.getArray();
        try (ParamScope scope = ParamScope.of(w, w, snU.getArray(), snV.getArray())) {
            return spectralSigma(spectralMatrix(w), snU.getArray(), snV.getArray(), false).getFloat();
        }
    }

    public WeightScaling scaling() {
        return scaling;
    }

    /** The run-time He factor gain / sqrt(fan_in) (1 unless equalized). */
    public float runtimeScale() {
        return scaling == WeightScaling.EQUALIZED ? heScale : 1f;
    }

    /** The stored weight parameter. */
    public Parameter weight() {
        return weight;
    }
}
