package dev.ganlab.models.fastgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.ganlab.nn.SkipLayerExcitation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shape both FastGAN networks share: a chain of blocks, one per resolution (up in G, down in D),
 * where some blocks' outputs are gated by a skip-layer excitation from an earlier resolution's map.
 * The owner registers the blocks as its children; the ladder runs and initialises them in order
 * and keeps every resolution's map for the SLEs.
 */
final class SleLadder {

    private record Rung(int resolution, Block block, SkipLayerExcitation sle, int source) {
    }

    private final List<Rung> rungs = new ArrayList<>();

    /** Appends the block producing {@code resolution}, optionally gated by {@code sle} from {@code source}. */
    void add(int resolution, Block block, SkipLayerExcitation sle, int source) {
        rungs.add(new Rung(resolution, block, sle, source));
    }

    /** Runs the chain from {@code start} (the map at {@code startResolution}); every map by resolution. */
    Map<Integer, NDArray> forward(ParameterStore ps, int startResolution, NDArray start, boolean training) {
        Map<Integer, NDArray> maps = new HashMap<>();
        maps.put(startResolution, start);
        NDArray x = start;
        for (Rung r : rungs) {
            x = r.block().forward(ps, new NDList(x), training).singletonOrThrow(); // (N, c_r, r, r)
            if (r.sle() != null) {
                x = r.sle().forward(ps, new NDList(maps.get(r.source()), x), training).singletonOrThrow();
            }
            maps.put(r.resolution(), x);
        }
        return maps;
    }

    /** Initialises the chain from the start map's shape; every map's shape by resolution. */
    Map<Integer, Shape> initialize(NDManager manager, DataType dataType, int startResolution, Shape start) {
        Map<Integer, Shape> shapes = new HashMap<>();
        shapes.put(startResolution, start);
        Shape cur = start;
        for (Rung r : rungs) {
            r.block().initialize(manager, dataType, cur);
            cur = r.block().getOutputShapes(new Shape[] {cur})[0];
            if (r.sle() != null) {
                r.sle().initialize(manager, dataType, shapes.get(r.source()), cur);
            }
            shapes.put(r.resolution(), cur);
        }
        return shapes;
    }

    /** The SLE pairs, gated resolution to source resolution. */
    Map<Integer, Integer> slePairs() {
        Map<Integer, Integer> m = new TreeMap<>();
        for (Rung r : rungs) {
            if (r.sle() != null) {
                m.put(r.resolution(), r.source());
            }
        }
        return m;
    }
}
