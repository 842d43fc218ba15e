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
import dev.ganlab.models.SlePlacement;
import dev.ganlab.models.progan.ProganSchedule.Stage;
import dev.ganlab.nn.ChannelBias;
import dev.ganlab.nn.Conv2d;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.Ops;
import dev.ganlab.nn.PixelNorm;
import dev.ganlab.nn.ScopedSequentialBlock;
import dev.ganlab.nn.SkipLayerExcitation;
import dev.ganlab.nn.WeightScaling;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * ProGAN's generator (Karras et al., ICLR 2018, table 2), built for the target resolution T from the
 * start; a {@link Stage} picks the active part, so every layer is the same object (with the same
 * weights) before and after a growth step.
 *
 * <p>Layers (nf(r) = {@link ProganConfig#featureMapsAt}; every conv and dense is equalized, zero
 * bias; "act" is leaky ReLU 0.2 followed by pixel norm, as in the official code's PN(act(x))):
 * <ul>
 *   <li>stem: latent {@code (N, latent)} -> pixel norm -> dense to {@code nf(4) * 16} (gain
 *       sqrt(2)/4, bias per channel after the reshape) -> {@code (N, nf(4), 4, 4)} -> act -> conv 3x3
 *       -> act.
 *   <li>block r (r = 8 .. T): nearest upsample 2x -> conv 3x3 to nf(r) -> act -> conv 3x3 -> act:
 *       {@code (N, nf(r/2), r/2, r/2) -> (N, nf(r), r, r)}.
 *   <li>toRGB r (r = 4 .. T): conv 1x1 to C channels, gain 1, linear: {@code (N, nf(r), r, r) ->
 *       (N, C, r, r)}. The output is not squashed (paper: the last layer is linear); data live in [-1, 1].
 * </ul>
 *
 * <p>At stage (R, alpha): the stem and blocks 8..R run; the output is toRGB_R of the last block;
 * during a fade-in it is {@code lerp(upsample(toRGB_{R/2}(h_{R/2})), toRGB_R(block_R(h_{R/2})), alpha)}.
 * A plain {@link #forward(ParameterStore, NDList, boolean)} runs the full network at T; pass a stage
 * with {@link #forward(ParameterStore, NDArray, boolean, Stage)} or in the params under
 * {@link #STAGE_PARAM}.
 *
 * <p>With skip-layer excitation ({@code mix.gSle}; FastGAN, Liu et al., ICLR 2021) the output of
 * block r is gated by an SLE from the output of an earlier, smaller map before it goes on to block 2r
 * and to toRGB_r; the pairs are {@link SlePlacement}'s over the maps 4 (the stem), 8, ..., T: 4 -> T
 * up to 32 px, 4 -> 64 at 64 px and FastGAN's 4 -> 64, 8 -> 128, ... above. A gate acts from the stage
 * whose resolution reaches its target on (during that resolution's fade-in too). Its two convolutions
 * are equalized like every ProGAN layer (N(0, 1) weights, He constant at run time), without bias, with
 * Swish between them (FastGAN's official code).
 */
public final class ProganGenerator extends AbstractBlock {

    private static final byte VERSION = 1;

    /** Official code (G_paper): the latent-to-4x4 dense layer uses gain sqrt(2)/4, to match the original Theano code. */
    public static final double DENSE_GAIN = Math.sqrt(2) / 4;
    /** Official code: toRGB is a linear 1x1 convolution with gain 1. */
    public static final double TO_RGB_GAIN = 1.0;
    /** Key of a {@link Stage} in the params of {@code forward(ps, inputs, training, params)}. */
    public static final String STAGE_PARAM = "progan.stage";

    private final ProganConfig cfg;
    private final SequentialBlock stem;
    private final Map<Integer, SequentialBlock> blocks = new TreeMap<>();
    private final Map<Integer, Conv2d> toRgb = new TreeMap<>();
    /** SLE gates by the resolution of the map they scale, and that map's source resolution. */
    private final Map<Integer, SkipLayerExcitation> sle = new TreeMap<>();
    private final Map<Integer, Integer> sleSource = new HashMap<>();

    /** A generator for a validated config (use {@link ProganModel#newGenerator()}). */
    ProganGenerator(ProganConfig cfg) {
        this(cfg, false);
    }

    /** The same, with skip-layer excitation when {@code withSle} (see the class comment). */
    ProganGenerator(ProganConfig cfg, boolean withSle) {
        super(VERSION);
        this.cfg = cfg;
        int nf4 = cfg.featureMapsAt(4);
        SequentialBlock s = new ScopedSequentialBlock();
        s.add(new PixelNorm());                                           // latent onto the hypersphere
        s.add(ProganLayers.dense(nf4 * 16, DENSE_GAIN, false));           // (N, nf4 * 16)
        s.add(Lambda.reshape(nf4, 4, 4));                                 // (N, nf4, 4, 4)
        s.add(new ChannelBias());
        addActivation(s);
        s.add(ProganLayers.conv(nf4, 3, ProganLayers.RELU_GAIN));
        addActivation(s);
        stem = addChildBlock("stem", s);
        toRgb.put(4, addChildBlock("toRGB4", ProganLayers.conv(cfg.channels, 1, TO_RGB_GAIN)));
        for (int r = 8; r <= cfg.targetResolution; r *= 2) {
            int nf = cfg.featureMapsAt(r);
            SequentialBlock b = new ScopedSequentialBlock();
            b.add(ProganLayers.conv(nf, 3, ProganLayers.RELU_GAIN, true)); // upsample to r, conv
            addActivation(b);
            b.add(ProganLayers.conv(nf, 3, ProganLayers.RELU_GAIN));
            addActivation(b);                                             // (N, nf(r), r, r)
            blocks.put(r, addChildBlock("block" + r, b));
            toRgb.put(r, addChildBlock("toRGB" + r, ProganLayers.conv(cfg.channels, 1, TO_RGB_GAIN)));
        }
        if (withSle) {
            List<Integer> sides = new ArrayList<>(toRgb.keySet());
            List<SlePlacement.Pair> pairs = SlePlacement.pairs(sides);
            if (pairs.isEmpty()) {
                throw new IllegalArgumentException("ProGAN at " + cfg.targetResolution + " px has no pair of maps for"
                        + " skip-layer excitation (mix.gSle needs a target resolution of at least 16)");
            }
            for (SlePlacement.Pair p : pairs) {
                sle.put(p.target(), addChildBlock("sle" + p.source() + "to" + p.target(), new SkipLayerExcitation(
                        cfg.featureMapsAt(p.target()), SkipLayerExcitation.Activation.SWISH, WeightScaling.EQUALIZED,
                        false)));
                sleSource.put(p.target(), p.source());
            }
        }
    }

    private void addActivation(SequentialBlock b) {
        b.add(Lambda.leakyRelu(cfg.leakySlope));
        b.add(new PixelNorm());
    }

    /**
     * Runs the generator at {@code stage}: latents {@code (N, latentSize)} to images
     * {@code (N, C, R, R)}. Results belong to z's manager.
     */
    public NDArray forward(ParameterStore ps, NDArray z, boolean training, Stage stage) {
        checkStage(stage);
        Shape zs = z.getShape();
        if (zs.dimension() != 2 || zs.get(1) != cfg.latentSize) {
            throw new IllegalArgumentException("ProGAN generator expects latents (N, " + cfg.latentSize + "), got " + zs);
        }
        int res = stage.resolution();
        NDArray h = stem.forward(ps, new NDList(z), training).singletonOrThrow(); // (N, nf(4), 4, 4)
        Map<Integer, NDArray> maps = new HashMap<>();                            // SLE sources
        if (sleSource.containsValue(4)) {
            maps.put(4, h);
        }
        NDArray previous = null;
        for (int r = 8; r <= res; r *= 2) {
            release(previous, maps);                                              // read by no later layer
            previous = h;
            h = blocks.get(r).forward(ps, new NDList(h), training).singletonOrThrow(); // (N, nf(r), r, r)
            SkipLayerExcitation gate = sle.get(r);
            if (gate != null) {
                NDArray ungated = h;
                NDArray source = maps.get(sleSource.get(r));
                h = StepScope.keepOne(() -> ungated.mul(gate.gate(ps, source, training))); // * (N, nf(r), 1, 1)
                release(ungated, maps);
            }
            if (sleSource.containsValue(r)) {
                maps.put(r, h);
            }
        }
        NDArray last = h;
        NDArray img = StepScope.keepOne(() -> rgb(ps, res, last, training));    // (N, C, R, R)
        if (stage.fadingIn()) {
            NDArray coarse = previous;
            NDArray sharp = img;
            img = StepScope.keepOne(() -> FadeIn.lerp(
                    Ops.upsample2x(rgb(ps, res / 2, coarse, training)), sharp, stage.alpha())); // (N, C, R, R)
            release(sharp, maps);
        }
        release(previous, maps);
        release(h, maps);
        for (NDArray kept : maps.values()) {
            release(kept, Map.of());
        }
        return img;
    }

    /**
     * Closes an intermediate map nothing later reads, as PyTorch frees it by reference counting
     * (autograd keeps its own reference to what the backward needs); maps an SLE gate still reads stay.
     * Why: a DJL array lives until closed, so without this a forward keeps every block's output until
     * the caller's scope ends (2.1 GB per sample-grid chunk at 256 px, lib/BENCHMARKS.md).
     */
    private static void release(NDArray a, Map<Integer, NDArray> kept) {
        if (a != null && !kept.containsValue(a)) {
            StepScope.release(a);
        }
    }

    private NDArray rgb(ParameterStore ps, int res, NDArray h, boolean training) {
        return toRgb.get(res).forward(ps, new NDList(h), training).singletonOrThrow();
    }

    private void checkStage(Stage stage) {
        if (stage == null || stage.resolution() > cfg.targetResolution) {
            throw new IllegalArgumentException("stage " + (stage == null ? null : stage.describe())
                    + " is not within this generator's 4.." + cfg.targetResolution + "px");
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Object s = params == null ? null : params.get(STAGE_PARAM);
        Stage stage = s instanceof Stage st ? st : Stage.stable(cfg.targetResolution);
        return new NDList(forward(ps, inputs.singletonOrThrow(), training, stage));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape z = inputShapes[0];
        if (z.dimension() != 2 || z.get(1) != cfg.latentSize) {
            throw new IllegalArgumentException("ProGAN generator expects latents (N, " + cfg.latentSize + "), got " + z);
        }
        stem.initialize(manager, dataType, z);
        Shape h = stem.getOutputShapes(new Shape[] {z})[0];              // (N, nf(4), 4, 4)
        toRgb.get(4).initialize(manager, dataType, h);
        Map<Integer, Shape> maps = new HashMap<>();
        maps.put(4, h);
        for (int r = 8; r <= cfg.targetResolution; r *= 2) {
            blocks.get(r).initialize(manager, dataType, h);
            h = blocks.get(r).getOutputShapes(new Shape[] {h})[0];       // (N, nf(r), r, r)
            toRgb.get(r).initialize(manager, dataType, h);
            maps.put(r, h);
        }
        for (Map.Entry<Integer, SkipLayerExcitation> e : sle.entrySet()) {
            e.getValue().initialize(manager, dataType, maps.get(sleSource.get(e.getKey())), maps.get(e.getKey()));
        }
    }

    /** Output shape at the target resolution (the shape at a stage is {@code (N, C, R, R)}). */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        int t = cfg.targetResolution;
        return new Shape[] {new Shape(inputShapes[0].get(0), cfg.channels, t, t)};
    }

    /** The config the generator was built for. */
    ProganConfig config() {
        return cfg;
    }

    /** Latent to 4x4 features: pixel norm, dense, reshape, bias, act, conv 3x3, act. */
    public Block stem() {
        return stem;
    }

    /** The block that doubles to {@code resolution} (8 .. T). */
    public Block block(int resolution) {
        return require(blocks, resolution, "block");
    }

    /** The 1x1 toRGB layer at {@code resolution} (4 .. T). */
    public Conv2d toRgb(int resolution) {
        return require(toRgb, resolution, "toRGB");
    }

    /** All growth blocks by resolution. */
    public Map<Integer, Block> blocks() {
        return Collections.unmodifiableMap(blocks);
    }

    /** The SLE gates by the resolution of the map each scales (empty without {@code mix.gSle}). */
    public Map<Integer, SkipLayerExcitation> sleGates() {
        return Collections.unmodifiableMap(sle);
    }

    /** All toRGB layers by resolution. */
    public Map<Integer, Conv2d> toRgbLayers() {
        return Collections.unmodifiableMap(toRgb);
    }

    static <B> B require(Map<Integer, ? extends B> map, int resolution, String what) {
        B b = map.get(resolution);
        if (b == null) {
            throw new IllegalArgumentException("no " + what + " at resolution " + resolution + "; have " + map.keySet());
        }
        return b;
    }

    @Override
    public String toString() {
        return "ProganGenerator(" + cfg.targetResolution + "px, latent " + cfg.latentSize + ")";
    }
}
