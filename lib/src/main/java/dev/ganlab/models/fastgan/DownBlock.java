package dev.ganlab.models.fastgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.ganlab.core.StepScope;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.ScopedSequentialBlock;
import dev.ganlab.nn.WeightScaling;

/**
 * FastGAN's downsampling block (the official DownBlockComp): the average of a main path [conv 4x4
 * stride 2, BN, LeakyReLU, conv 3x3, BN, LeakyReLU] and a shortcut [avg pool 2x2, conv 1x1, BN,
 * LeakyReLU], a residual-style block that halves the resolution.
 *
 * <p>Input {@code (N, C_in, H, W)}; output {@code (N, channels, H/2, W/2)}.
 */
public final class DownBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int channels;
    private final SequentialBlock main;
    private final SequentialBlock direct;

    public DownBlock(int channels, WeightScaling scaling) {
        super(VERSION);
        this.channels = channels;
        main = addChildBlock("main", new ScopedSequentialBlock()
                .add(FastganBlocks.conv(channels, 4, 2, 1, scaling)).add(FastganBlocks.bn()).add(FastganBlocks.leaky())
                .add(FastganBlocks.conv(channels, 3, 1, 1, scaling)).add(FastganBlocks.bn()).add(FastganBlocks.leaky()));
        direct = addChildBlock("direct", new ScopedSequentialBlock()
                .add(Lambda.avgPool2x())
                .add(FastganBlocks.conv(channels, 1, 1, 0, scaling)).add(FastganBlocks.bn()).add(FastganBlocks.leaky()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        // Only the mean stays open: the two paths' outputs and their sum are read by no backward (a
        // sum and a division by a constant save no operand), so their handles are all that kept them.
        return new NDList(StepScope.keepOne(() -> {
            NDArray a = main.forward(ps, inputs, training).singletonOrThrow();
            NDArray b = direct.forward(ps, inputs, training).singletonOrThrow();
            return a.add(b).div(2f);
        }));
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        main.initialize(manager, dataType, inputShapes);
        direct.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return main.getOutputShapes(inputShapes);
    }

    @Override
    public String toString() {
        return "DownBlock(" + channels + ")";
    }
}
