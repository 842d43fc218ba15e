package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;

/**
 * Layers in sequence with a condition beside them: inputs {@code (x, c)}; each {@link ConditionalBatchNorm}
 * gets {@code (x, c)}, every other layer {@code x} alone. Output: the last layer's {@code x}.
 */
public final class ConditionalSequential extends AbstractBlock {

    private final List<Block> layers = new ArrayList<>();

    public ConditionalSequential() {
        super((byte) 1);
    }

    /** Appends a layer. */
    public ConditionalSequential add(Block layer) {
        layers.add(addChildBlock(layer.getClass().getSimpleName(), layer));
        return this;
    }

    private static boolean conditional(Block b) {
        return b instanceof ConditionalBatchNorm;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray c = inputs.get(1);
        for (Block b : layers) {
            NDList in = conditional(b) ? new NDList(x, c) : new NDList(x);
            x = b.forward(ps, in, training).singletonOrThrow();
        }
        return new NDList(x);
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape c = inputShapes[1];
        for (Block b : layers) {
            Shape[] in = conditional(b) ? new Shape[] {x, c} : new Shape[] {x};
            b.initialize(manager, dataType, in);
            x = b.getOutputShapes(in)[0];
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        for (Block b : layers) {
            x = b.getOutputShapes(conditional(b) ? new Shape[] {x, inputShapes[1]} : new Shape[] {x})[0];
        }
        return new Shape[] {x};
    }
}
