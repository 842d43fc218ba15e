package dev.ganlab.models.fastgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.ganlab.core.StepScope;
import dev.ganlab.nn.SkipLayerExcitation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /**
     * Runs the chain from {@code start} (the map at {@code startResolution}); returns the maps at the
     * resolutions in {@code wanted}. Every other map, {@code start} included, is closed as soon as no
     * later block or SLE reads it, and each block runs in its own scope ({@link StepScope#keepOne}):
     * the arithmetic is unchanged, only handles nobody reads go early (autograd keeps its own).
     */
    Map<Integer, NDArray> forward(ParameterStore ps, int startResolution, NDArray start, boolean training,
            Set<Integer> wanted) {
        Map<Integer, NDArray> maps = new HashMap<>();
        maps.put(startResolution, start);
        NDArray x = start;
        for (int i = 0; i < rungs.size(); i++) {
            Rung r = rungs.get(i);
            NDArray in = x;
            NDArray y = StepScope.keepOne(() -> r.block().forward(ps, new NDList(in), training).singletonOrThrow());
            if (r.sle() != null) {
                NDArray high = y;
                y = StepScope.keepOne(() -> r.sle().forward(ps, new NDList(maps.get(r.source()), high), training)
                        .singletonOrThrow()); // (N, c_r, r, r)
                if (y != high) {
                    StepScope.release(high);
                }
            }
            NDArray made = y;
            maps.put(r.resolution(), made);
            x = made;
            int done = i;
            maps.entrySet().removeIf(e -> {
                boolean drop = e.getValue() != made && !wanted.contains(e.getKey()) && !readLater(done, e.getKey());
                if (drop) {
                    StepScope.release(e.getValue());
                }
                return drop;
            });
        }
        return maps;
    }

    /** Whether an SLE after rung {@code i} reads the map at {@code resolution}. */
    private boolean readLater(int i, int resolution) {
        for (int j = i + 1; j < rungs.size(); j++) {
            if (rungs.get(j).sle() != null && rungs.get(j).source() == resolution) {
                return true;
            }
        }
        return false;
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
