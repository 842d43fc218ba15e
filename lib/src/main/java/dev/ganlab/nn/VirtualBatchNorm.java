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
 * Virtual batch normalisation (Salimans et al., "Improved Techniques for Training GANs", NeurIPS
 * 2016, sec. 3.4): each example is normalised with statistics of a reference batch, chosen once at
 * the start of training, combined with the example itself, so an example's output does not depend on
 * the other examples of its minibatch. The reference batch is normalised with its own statistics.
 *
 * <p>The exact form is the authors' code (openai/improved-gan, imagenet/model.py, class {@code VBN}):
 * per channel c, with the reference batch's mean {@code m_r} and mean of squares {@code q_r} over its
 * R examples and all positions, and one example's own {@code m_x}, {@code q_x} over its positions,
 * <pre>
 *   a = 1 / (R + 1),  m = a m_x + (1 - a) m_r,  q = a q_x + (1 - a) q_r,
 *   y = gamma (x - m) / sqrt(eps + q - m^2) + beta
 * </pre>
 * (the reference examples use {@code m_r}, {@code q_r} alone). gamma starts N(1, 0.02), beta 0 and
 * eps is 1e-5, as there. The statistics are functions of the current weights, recomputed at every
 * forward pass with gradients through them, as in the authors' TensorFlow graph; there are no
 * running averages, so training and inference compute the same thing.
 *
 * <p>Input: the minibatch followed by the reference batch's activations, {@code (N + R, C, H, W)} or
 * {@code (N + R, F)} (features count as channels of a 1x1 map, as the code reshapes them). The
 * reference rows are the LAST R rows; {@link ReferenceBatch} appends them to the network's input and
 * removes them from its output, so all layers between see both. Output: the same shape. R must be
 * fixed for the network: the authors use the training batch size (64 in their ImageNet run).
 *
 * <p>Where: the authors use VBN in the generator only (sec. 3.4: it costs a second forward pass), on a
 * reference batch of latents ({@code dcgan.gNorm=vbn}). GAN Lab also offers it in the DCGAN
 * discriminators ({@code dcgan.dNorm=vbn}) on a reference batch of real training images drawn at the
 * start of training, its own extension (see {@code DcganModel}). Because each live example's
 * statistics mix only itself and the reference, {@code d y_i / d x_j = 0} for two examples
 * {@code i != j} of a minibatch: a gradient penalty's input gradient is each example's own.
 */
public final class VirtualBatchNorm extends AbstractBlock {

    private static final byte VERSION = 1;
    /** The authors' VBN eps. */
    public static final float EPS = 1e-5f;

    private final int reference;
    private final float eps;
    private final Parameter gamma;
    private final Parameter beta;

    /**
     * @param reference rows R of the reference batch at the end of every input
     * @param eps added to the variance
     * @param gammaInit initialiser of the scale (the authors: N(1, 0.02))
     */
    public VirtualBatchNorm(int reference, float eps, Initializer gammaInit) {
        super(VERSION);
        if (reference < 1 || !(eps > 0)) {
            throw new IllegalArgumentException("VirtualBatchNorm reference size " + reference + " must be >= 1, eps "
                    + eps + " > 0");
        }
        this.reference = reference;
        this.eps = eps;
        gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA)
                .optInitializer(gammaInit).build());
        beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA)
                .optInitializer(Init.zeros()).build());
    }

    /** Rows of the reference batch this layer expects at the end of its input. */
    public int referenceSize() {
        return reference;
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        if (s.dimension() != 2 && s.dimension() != 4) {
            throw new IllegalArgumentException("VirtualBatchNorm expects (N + R, F) or (N + R, C, H, W), got " + s);
        }
        gamma.setShape(new Shape(s.get(1)));
        beta.setShape(new Shape(s.get(1)));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape s = x.getShape();
        long rows = s.get(0);
        if (rows <= reference) {
            throw new IllegalArgumentException("VirtualBatchNorm needs a minibatch followed by the " + reference
                    + " reference rows, got " + rows + " rows");
        }
        long c = s.get(1);
        NDArray x4 = s.dimension() == 2 ? x.reshape(rows, c, 1, 1) : x;     // (N + R, C, H, W)
        long positions = x4.getShape().get(2) * x4.getShape().get(3);
        long n = rows - reference;
        NDArray live = x4.get("0:" + n);                                      // (N, C, H, W)
        NDArray ref = x4.get(n + ":");                                        // (R, C, H, W)
        int[] allButChannel = {0, 2, 3};
        int[] positionAxes = {2, 3};
        NDArray refMean = ref.sum(allButChannel, true).div(reference * positions);           // (1, C, 1, 1)
        NDArray refMeanSq = ref.square().sum(allButChannel, true).div(reference * positions);
        float a = 1f / (reference + 1);
        NDArray mean = live.sum(positionAxes, true).div(positions).mul(a).add(refMean.mul(1 - a)); // (N, C, 1, 1)
        NDArray meanSq = live.square().sum(positionAxes, true).div(positions).mul(a).add(refMeanSq.mul(1 - a));
        NDArray norm = normalise(live, mean, meanSq).concat(normalise(ref, refMean, refMeanSq), 0);
        NDArray g = ps.getValue(gamma, x.getDevice(), training);
        NDArray b = ps.getValue(beta, x.getDevice(), training);
        try (ParamScope scope = ParamScope.of(norm, g, b)) {
            NDArray y = norm.mul(g.reshape(1, c, 1, 1)).add(b.reshape(1, c, 1, 1));
            return new NDList(scope.keep(y.reshape(s)));
        }
    }

    private NDArray normalise(NDArray x, NDArray mean, NDArray meanSq) {
        return x.sub(mean).div(meanSq.sub(mean.square()).add(eps).sqrt());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return "VirtualBatchNorm(reference=" + reference + ")";
    }
}
