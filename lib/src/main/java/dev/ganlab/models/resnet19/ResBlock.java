package dev.ganlab.models.resnet19;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A residual block: {@code residual(x) + shortcut(x)}, both branches built by {@link Resnet19Model}
 * (compare_gan's {@code ResNetBlock}: the shortcut is a 3x3 convolution with the block's up- or
 * down-sampling, the residual branch norm, ReLU, conv, norm, ReLU, conv).
 */
final class ResBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Block residual;
    private final Block shortcut;

    ResBlock(Block residual, Block shortcut) {
        super(VERSION);
        this.residual = addChildBlock("residual", residual);
        this.shortcut = addChildBlock("shortcut", shortcut);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray r = residual.forward(ps, inputs, training).singletonOrThrow();
        NDArray s = shortcut.forward(ps, inputs, training).singletonOrThrow();
        return new NDList(r.add(s));
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        residual.initialize(manager, dataType, inputShapes);
        shortcut.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape r = residual.getOutputShapes(inputShapes)[0];
        Shape s = shortcut.getOutputShapes(inputShapes)[0];
        if (!r.equals(s)) {
            throw new IllegalStateException("residual branch " + r + " and shortcut " + s + " differ");
        }
        return new Shape[] {r};
    }
}
