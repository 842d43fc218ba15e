package dev.ganlab.models;

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
 * A discriminator as a feature extractor and a head in one block. Forward takes images and returns
 * {@code (logits (N), features (N, F))}: the head's output flattened to one score per image, and the
 * extractor's output, the last hidden layer that feature matching and the class-conditional heads use.
 * The children are named {@code "features"} and {@code "head"}; checkpoints store parameters under
 * those names, so they stay.
 */
public class FeatureHeadDiscriminator extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Block features;
    private final Block head;

    /** {@code features}: images to {@code (N, F)}; {@code head}: {@code (N, F)} to {@code (N, 1)}. */
    public FeatureHeadDiscriminator(Block features, Block head) {
        super(VERSION);
        this.features = addChildBlock("features", features);
        this.head = addChildBlock("head", head);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray f = features.forward(ps, inputs, training).singletonOrThrow();           // (N, F)
        NDArray logits = head.forward(ps, new NDList(f), training).singletonOrThrow();  // (N, 1)
        return new NDList(logits.reshape(-1), f);
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        features.initialize(manager, dataType, inputShapes);
        head.initialize(manager, dataType, features.getOutputShapes(inputShapes));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] f = features.getOutputShapes(inputShapes);
        return new Shape[] {new Shape(inputShapes[0].get(0)), f[0]};
    }
}
