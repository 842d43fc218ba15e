package dev.ganlab.models.progan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.ganlab.core.StepScope;
import dev.ganlab.models.Mix;
import dev.ganlab.models.progan.ProganSchedule.Stage;
import dev.ganlab.nn.Conv2d;
import dev.ganlab.nn.Init;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.Linear;
import dev.ganlab.nn.MinibatchDiscrimination;
import dev.ganlab.nn.MinibatchStdDev;
import dev.ganlab.nn.Ops;
import dev.ganlab.nn.ScopedSequentialBlock;
import dev.ganlab.nn.WeightScaling;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * ProGAN's discriminator (Karras et al., ICLR 2018, table 2), the generator's mirror image, built
 * for the target resolution T from the start; a {@link Stage} picks the active part.
 *
 * <p>Layers (nf(r) = {@link ProganConfig#featureMapsAt}; every conv and dense is equalized with zero
 * bias and followed by leaky ReLU 0.2 unless said; no normalisation):
 * <ul>
 *   <li>fromRGB r (r = 4 .. T): conv 1x1 to nf(r), act: {@code (N, C, r, r) -> (N, nf(r), r, r)}.
 *   <li>block r (r = 8 .. T): conv 3x3 to nf(r), act, conv 3x3 to nf(r/2), act, 2x2 average pool:
 *       {@code (N, nf(r), r, r) -> (N, nf(r/2), r/2, r/2)}.
 *   <li>final block at 4x4: minibatch stddev (when the group size is >= 2) -> {@code (N, nf(4) + 1, 4, 4)},
 *       conv 3x3 to nf(4), act, dense to F = {@code featureMaps(0)} (512 in the paper), act: the
 *       features; head: dense to 1, gain 1, linear.
 * </ul>
 *
 * <p>Deviation from the official TensorFlow code's default: there ({@code D_paper(fused_scale=True)}) each
 * block's second convolution and the pooling are one 4x4 stride-2 convolution, with bias and activation
 * after the pooling; here, as in the paper's table 2 and that code's {@code fused_scale=False} path, the
 * activation comes first and the pooling after it. The two are different networks (the activation does not
 * commute with the average); the fused one does 2.25x fewer multiply-adds in that layer (lib/BENCHMARKS.md).
 *
 * <p>At stage (R, alpha) the input is {@code (N, C, R, R)}: {@code h = block_R(fromRGB_R(x))}, during
 * a fade-in {@code h = lerp(fromRGB_{R/2}(avgpool(x)), h, alpha)}, then blocks R/2 .. 8 and the final
 * block. Forward returns {@code (logits (N), features (N, F))}.
 *
 * <p>Components of other families ({@link Mix}): with spectral norm every conv and dense layer above is
 * spectrally normalised instead of equalized (spectral norm divides out any constant factor, so the He
 * constant would have no effect); the weights still start N(0, 1), so Adam's steps keep their size
 * relative to the weights as under equalized learning rate. Minibatch discrimination (Salimans et al.,
 * 2016) reads the features {@code (N, F)} and the head scores {@code (N, F + B)}; the features returned
 * stay {@code (N, F)}.
 */
public final class ProganDiscriminator extends AbstractBlock {

    private static final byte VERSION = 1;

    /** Official code (D_paper): the last dense layer (the score) has gain 1 and no activation. */
    public static final double HEAD_GAIN = 1.0;

    private final ProganConfig cfg;
    private final Map<Integer, SequentialBlock> fromRgb = new TreeMap<>();
    private final Map<Integer, SequentialBlock> blocks = new TreeMap<>();
    private final SequentialBlock finalBlock;
    private final Linear head;
    private final MinibatchDiscrimination minibatch;
    private final boolean spectral;

    /** A discriminator for a validated config (made by {@link ProganModel}). */
    ProganDiscriminator(ProganConfig cfg) {
        this(cfg, Mix.NONE);
    }

    /** The same with spectral norm and minibatch discrimination as {@code mix} says (see the class comment). */
    ProganDiscriminator(ProganConfig cfg, Mix mix) {
        super(VERSION);
        this.cfg = cfg;
        this.spectral = mix.dSpectralNorm();
        for (int r = cfg.targetResolution; r >= 8; r /= 2) {
            fromRgb.put(r, addChildBlock("fromRGB" + r, fromRgbLayer(r)));
            SequentialBlock b = new ScopedSequentialBlock();
            b.add(conv(cfg.featureMapsAt(r), 3));
            b.add(Lambda.leakyRelu(cfg.leakySlope));
            b.add(conv(cfg.featureMapsAt(r / 2), 3));
            b.add(Lambda.leakyRelu(cfg.leakySlope));
            b.add(Lambda.avgPool2x());                                    // (N, nf(r/2), r/2, r/2)
            blocks.put(r, addChildBlock("block" + r, b));
        }
        fromRgb.put(4, addChildBlock("fromRGB4", fromRgbLayer(4)));
        SequentialBlock f = new ScopedSequentialBlock();
        if (cfg.mbstdEnabled()) {
            f.add(new MinibatchStdDev(cfg.mbstdGroupSize));             // (N, nf(4) + 1, 4, 4)
        }
        f.add(conv(cfg.featureMapsAt(4), 3));
        f.add(Lambda.leakyRelu(cfg.leakySlope));
        f.add(dense(cfg.featureMaps(0), ProganLayers.RELU_GAIN));          // flattens (N, nf(4) * 16)
        f.add(Lambda.leakyRelu(cfg.leakySlope));                          // (N, F): the features
        finalBlock = addChildBlock("final4", f);
        head = addChildBlock("head", dense(1, HEAD_GAIN));
        minibatch = mix.minibatchDiscrimination() ? addChildBlock("minibatch", mix.minibatchLayer()) : null;
    }

    /** An equalized conv (ProGAN), or with spectral norm a spectral one (weights N(0, 1), see the class comment). */
    private Conv2d conv(int channels, int kernel) {
        if (!spectral) {
            return ProganLayers.conv(channels, kernel, ProganLayers.RELU_GAIN);
        }
        return Conv2d.builder().setChannels(channels).setKernel(kernel).optPadding(kernel / 2)
                .optScaling(WeightScaling.SPECTRAL).optWeightInit(Init.normal(0, 1)).build();
    }

    /** An equalized dense layer with bias, or a spectral one. */
    private Linear dense(int units, double gain) {
        if (!spectral) {
            return ProganLayers.dense(units, gain, true);
        }
        return Linear.builder().setUnits(units).optScaling(WeightScaling.SPECTRAL).optWeightInit(Init.normal(0, 1))
                .build();
    }

    private SequentialBlock fromRgbLayer(int r) {
        SequentialBlock s = new ScopedSequentialBlock();
        s.add(conv(cfg.featureMapsAt(r), 1));
        s.add(Lambda.leakyRelu(cfg.leakySlope));
        return s;
    }

    /**
     * Scores images {@code (N, C, R, R)} at {@code stage}; returns {@code (logits (N), features (N, F))}
     * in the images' manager.
     */
    public NDList forward(ParameterStore ps, NDArray x, boolean training, Stage stage) {
        int res = stage.resolution();
        Shape s = x.getShape();
        if (res > cfg.targetResolution) {
            throw new IllegalArgumentException("stage " + stage.describe() + " is beyond this discriminator's "
                    + cfg.targetResolution + "px");
        }
        if (s.dimension() != 4 || s.get(1) != cfg.channels || s.get(2) != res || s.get(3) != res) {
            throw new IllegalArgumentException("ProGAN discriminator at " + stage.describe() + " expects images (N, "
                    + cfg.channels + ", " + res + ", " + res + "), got " + s + " (prepareReals brings reals there)");
        }
        NDArray h = run(fromRgb.get(res), ps, x, training);                    // (N, nf(R), R, R)
        if (res > 4) {
            h = runAndRelease(blocks.get(res), ps, h, training);                // (N, nf(R/2), R/2, R/2)
            if (stage.fadingIn()) {
                NDArray sharp = h;
                h = StepScope.keepOne(() -> FadeIn.lerp(
                        run(fromRgb.get(res / 2), ps, Ops.avgPool2x(x), training), sharp, stage.alpha()));
                StepScope.release(sharp);
            }
            for (int r = res / 2; r >= 8; r /= 2) {
                h = runAndRelease(blocks.get(r), ps, h, training);              // (N, nf(r/2), r/2, r/2)
            }
        }
        NDArray features = runAndRelease(finalBlock, ps, h, training);         // (N, F)
        NDArray logits = StepScope.keepOne(() -> {
            NDArray scored = minibatch == null ? features : run(minibatch, ps, features, training); // (N, F + B)
            return run(head, ps, scored, training).reshape(-1);                // (N)
        });
        return new NDList(logits, features);
    }

    private static NDArray run(Block b, ParameterStore ps, NDArray x, boolean training) {
        return b.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /**
     * {@link #run}, then closes its input, an intermediate map no later layer reads (autograd keeps
     * its own reference to what the backward needs), as PyTorch frees it by reference counting; without
     * this a forward keeps every block's output until the caller's scope ends.
     */
    private static NDArray runAndRelease(Block b, ParameterStore ps, NDArray x, boolean training) {
        NDArray y = run(b, ps, x, training);
        if (y != x) {
            StepScope.release(x);
        }
        return y;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Object s = params == null ? null : params.get(ProganGenerator.STAGE_PARAM);
        Stage stage = s instanceof Stage st ? st : Stage.stable(cfg.targetResolution);
        return forward(ps, inputs.singletonOrThrow(), training, stage);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        int t = cfg.targetResolution;
        if (in.dimension() != 4 || in.get(1) != cfg.channels || in.get(2) != t || in.get(3) != t) {
            throw new IllegalArgumentException("ProGAN discriminator is initialised with (N, " + cfg.channels + ", "
                    + t + ", " + t + ") images, got " + in);
        }
        long n = in.get(0);
        for (int r = t; r >= 4; r /= 2) {
            fromRgb.get(r).initialize(manager, dataType, new Shape(n, cfg.channels, r, r));
        }
        Shape h = fromRgb.get(t).getOutputShapes(new Shape[] {new Shape(n, cfg.channels, t, t)})[0];
        for (int r = t; r >= 8; r /= 2) {
            blocks.get(r).initialize(manager, dataType, h);
            h = blocks.get(r).getOutputShapes(new Shape[] {h})[0];            // (N, nf(r/2), r/2, r/2)
        }
        finalBlock.initialize(manager, dataType, h);
        Shape features = finalBlock.getOutputShapes(new Shape[] {h})[0];
        if (minibatch != null) {
            minibatch.initialize(manager, dataType, features);
            features = minibatch.getOutputShapes(new Shape[] {features})[0];
        }
        head.initialize(manager, dataType, features);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        return new Shape[] {new Shape(n), new Shape(n, cfg.featureMaps(0))};
    }

    /** The fromRGB layer (1x1 conv + act) at {@code resolution} (4 .. T). */
    public Block fromRgb(int resolution) {
        return ProganGenerator.require(fromRgb, resolution, "fromRGB");
    }

    /** The block that halves {@code resolution} (8 .. T). */
    public Block block(int resolution) {
        return ProganGenerator.require(blocks, resolution, "block");
    }

    /** The 4x4 block: mbstd, conv 3x3, dense; outputs the features. */
    public Block finalBlock() {
        return finalBlock;
    }

    /** The last dense layer: features to one score. */
    public Linear head() {
        return head;
    }

    /** All fromRGB layers by resolution. */
    public Map<Integer, Block> fromRgbLayers() {
        return Collections.unmodifiableMap(fromRgb);
    }

    /** All halving blocks by resolution. */
    public Map<Integer, Block> blocks() {
        return Collections.unmodifiableMap(blocks);
    }

    @Override
    public String toString() {
        return "ProganDiscriminator(" + cfg.targetResolution + "px, mbstd group " + cfg.mbstdGroupSize + ")";
    }
}
