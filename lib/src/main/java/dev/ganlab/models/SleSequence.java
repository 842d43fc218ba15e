package dev.ganlab.models;

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
import dev.ganlab.nn.Conv2d;
import dev.ganlab.nn.ConvTranspose2d;
import dev.ganlab.nn.SkipLayerExcitation;
import dev.ganlab.nn.WeightScaling;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sequential generator with skip-layer excitation added ({@code mix.gSle}; FastGAN, Liu et al., ICLR
 * 2021): the same layers in the same order, and after the layer that completes each target map, that
 * map times the gate computed from an earlier, smaller map ({@link SkipLayerExcitation}); the pairs
 * are {@link SlePlacement}'s.
 *
 * <p>The maps are found from the layers' output shapes: the map of side r is the output of the last
 * layer with a 4-d output of that side that comes before the generator's last convolution (the layer
 * that makes the image). For DCGAN's paper generator at 32 px these are the reshaped projection (4
 * px) and the two ReLUs after the 8 and 16 px transposed convolutions; the 4 px map gates the 16 px
 * one. The gates' convolutions carry no bias and use Swish between them, as FastGAN's official code,
 * and are initialised as the generator's other layers (N(0, 0.02), DCGAN).
 *
 * <p>Input and output are those of the wrapped generator.
 */
public final class SleSequence extends AbstractBlock {

    private static final byte VERSION = 1;

    private final List<Block> layers = new ArrayList<>();
    /** Layer index -> SLE gating that layer's output, and the index of the layer whose output it reads. */
    private final Map<Integer, SkipLayerExcitation> gates = new TreeMap<>();
    private final Map<Integer, Integer> sourceOf = new HashMap<>();
    private final List<SlePlacement.Pair> pairs;

    private SleSequence(List<Block> blocks, Shape input, WeightScaling scaling, String what) {
        super(VERSION);
        Map<Integer, Integer> mapLayer = new LinkedHashMap<>();    // side -> index of the layer completing it
        Map<Integer, Long> mapChannels = new HashMap<>();
        int last = lastConvolution(blocks, what);
        Shape s = input;
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            layers.add(addChildBlock(b.getClass().getSimpleName(), b));
            s = b.getOutputShapes(new Shape[] {s})[0];
            if (i < last && s.dimension() == 4 && s.get(2) == s.get(3)) {
                mapLayer.put((int) s.get(2), i);
                mapChannels.put((int) s.get(2), s.get(1));
            }
        }
        this.pairs = SlePlacement.pairs(mapLayer.keySet());
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException(what + " has no pair of feature maps for skip-layer excitation (maps of "
                    + mapLayer.keySet() + " px; SLE needs a map at least 4 times the side of a smaller one that is a"
                    + " multiple of 4 px)");
        }
        for (SlePlacement.Pair p : pairs) {
            int target = mapLayer.get(p.target());
            SkipLayerExcitation sle = new SkipLayerExcitation(mapChannels.get(p.target()),
                    SkipLayerExcitation.Activation.SWISH, scaling, false);
            gates.put(target, addChildBlock("sle" + p.source() + "to" + p.target(), sle));
            sourceOf.put(target, mapLayer.get(p.source()));
        }
    }

    /**
     * {@code generator}'s layers with SLE added.
     *
     * @param latent the shape of the generator's input, to find its maps' sides
     * @param scaling the weight transform of the gates' convolutions
     * @param what the generator's name, for the error when no pair fits
     * @throws IllegalArgumentException when the generator has no pair of maps SLE can join
     */
    public static SleSequence wrap(SequentialBlock generator, Shape latent, WeightScaling scaling, String what) {
        return new SleSequence(new ArrayList<>(generator.getChildren().values()), latent, scaling, what);
    }

    private static int lastConvolution(List<Block> blocks, String what) {
        for (int i = blocks.size() - 1; i >= 0; i--) {
            if (blocks.get(i) instanceof Conv2d || blocks.get(i) instanceof ConvTranspose2d) {
                return i;
            }
        }
        throw new IllegalArgumentException(what + " has no convolution, so no feature maps for skip-layer excitation");
    }

    /** The pairs of map sides joined by a gate. */
    public List<SlePlacement.Pair> pairs() {
        return pairs;
    }

    /** The gates, by the side of the map each one scales. */
    public Map<Integer, SkipLayerExcitation> gatesByTarget() {
        Map<Integer, SkipLayerExcitation> m = new TreeMap<>();
        int k = 0;
        for (SkipLayerExcitation g : gates.values()) {
            m.put(pairs.get(k++).target(), g);
        }
        return m;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Map<Integer, NDArray> kept = new HashMap<>();
        NDArray h = inputs.singletonOrThrow();
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).forward(ps, new NDList(h), training).singletonOrThrow();
            if (sourceOf.containsValue(i)) {
                kept.put(i, h);
            }
            SkipLayerExcitation gate = gates.get(i);
            if (gate != null) {
                h = h.mul(gate.gate(ps, kept.get(sourceOf.get(i)), training));        // (N, C, r, r) * (N, C, 1, 1)
            }
        }
        return new NDList(h);
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Map<Integer, Shape> shapes = new HashMap<>();
        Shape s = inputShapes[0];
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).initialize(manager, dataType, s);
            s = layers.get(i).getOutputShapes(new Shape[] {s})[0];
            shapes.put(i, s);
        }
        for (Map.Entry<Integer, SkipLayerExcitation> e : gates.entrySet()) {
            e.getValue().initialize(manager, dataType, shapes.get(sourceOf.get(e.getKey())), shapes.get(e.getKey()));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        for (Block b : layers) {
            s = b.getOutputShapes(new Shape[] {s})[0];
        }
        return new Shape[] {s};
    }

    @Override
    public String toString() {
        return "SleSequence(" + layers.size() + " layers, SLE " + pairs + ")";
    }
}
