package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Batch normalisation over axis 1 of {@code (N, C)} or {@code (N, C, H, W)} (Ioffe and Szegedy,
 * 2015), calling PyTorch's batch_norm directly. Momentum has PyTorch's meaning: the weight of the
 * new batch statistic in the running average (default 0.1); eps defaults to 1e-5 (PyTorch-GAN's
 * DCGAN passes 0.8 there by accident, which all but disables the normalisation; not copied).
 */
public final class BatchNorm extends AbstractBlock {

    private static final byte VERSION = 1;

    /** PyTorch's default momentum: running = 0.9 running + 0.1 batch. */
    public static final float DEFAULT_MOMENTUM = 0.1f;
    public static final float DEFAULT_EPS = 1e-5f;

    private final float momentum;
    private final float eps;
    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;
    /** -1: running statistics follow {@code momentum}; n >= 0 while {@link #reestimate} runs: batches averaged. */
    private int averagedBatches = -1;

    public BatchNorm() {
        this(DEFAULT_MOMENTUM, DEFAULT_EPS, Init.ones());
    }

    /**
     * @param momentum weight of the batch statistic in the running statistics
     * @param eps added to the variance
     * @param gammaInit initialiser of the scale (DCGAN uses N(1, 0.02))
     */
    public BatchNorm(float momentum, float eps, Initializer gammaInit) {
        super(VERSION);
        if (!(momentum > 0 && momentum <= 1) || !(eps > 0)) {
            throw new IllegalArgumentException("BatchNorm momentum " + momentum + " must be in (0, 1], eps " + eps + " > 0");
        }
        this.momentum = momentum;
        this.eps = eps;
        gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA)
                .optInitializer(gammaInit).build());
        beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA)
                .optInitializer(Init.zeros()).build());
        runningMean = addParameter(Parameter.builder().setName("runningMean").setType(Parameter.Type.RUNNING_MEAN)
                .optRequiresGrad(false).optInitializer(Init.zeros()).build());
        runningVar = addParameter(Parameter.builder().setName("runningVar").setType(Parameter.Type.RUNNING_VAR)
                .optRequiresGrad(false).optInitializer(Init.ones()).build());
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        Shape c = new Shape(inputShapes[0].get(1));
        gamma.setShape(c);
        beta.setShape(c);
        runningMean.setShape(c);
        runningVar.setShape(c);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        var d = x.getDevice();
        float m = momentum;
        if (training && averagedBatches >= 0) {
            averagedBatches++;
            m = 1f / averagedBatches; // the n-th batch gets weight 1/n: a plain mean of all batches so far
        }
        // DJL's static batchNorm takes MXNet's momentum (weight of the old value); axis -1 selects the
        // direct PyTorch call without axis swaps.
        return ai.djl.nn.norm.BatchNorm.batchNorm(x, ps.getValue(runningMean, d, training),
                ps.getValue(runningVar, d, training), ps.getValue(gamma, d, training), ps.getValue(beta, d, training),
                -1, 1f - m, eps, training);
    }

    /**
     * Re-estimates the running statistics of every {@code BatchNorm} inside {@code net} ("precise BN",
     * Wu and Johnson 2021, "Rethinking 'Batch' in BatchNorm", sec. 3): each layer's running mean and
     * variance become the plain means, over {@code batches} forward passes, of its batch mean and
     * unbiased batch variance - what PyTorch's {@code momentum=None} (cumulative average) gives after
     * {@code reset_running_stats()}. {@code forwardBatch.accept(i)} must run batch {@code i} through
     * {@code net} in training mode (so each layer normalises with its batch's statistics, as in
     * training). The layers' own momentum applies again afterwards.
     *
     * @return the number of batch-norm layers found (0: nothing was run)
     */
    public static int reestimate(Block net, int batches, IntConsumer forwardBatch) {
        if (batches < 1) {
            throw new IllegalArgumentException("batch-norm re-estimation needs at least 1 batch, got " + batches);
        }
        List<BatchNorm> layers = new ArrayList<>();
        collect(net, layers);
        if (layers.isEmpty()) {
            return 0;
        }
        try {
            for (BatchNorm bn : layers) {
                // Weight 1 for the first batch would drop the old values, but not a NaN among them.
                bn.runningMean.getArray().set(new NDIndex(":"), 0f);
                bn.runningVar.getArray().set(new NDIndex(":"), 1f);
                bn.averagedBatches = 0;
            }
            for (int i = 0; i < batches; i++) {
                forwardBatch.accept(i);
            }
            for (BatchNorm bn : layers) {
                if (bn.averagedBatches != batches) {
                    throw new IllegalStateException("batch-norm re-estimation: a layer saw " + bn.averagedBatches
                            + " training-mode batches instead of " + batches);
                }
            }
        } finally {
            layers.forEach(bn -> bn.averagedBatches = -1);
        }
        return layers.size();
    }

    private static void collect(Block b, List<BatchNorm> out) {
        if (b instanceof BatchNorm bn) {
            out.add(bn);
        }
        for (Block child : b.getChildren().values()) {
            collect(child, out);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return "BatchNorm(momentum=" + momentum + ", eps=" + eps + ")";
    }
}
