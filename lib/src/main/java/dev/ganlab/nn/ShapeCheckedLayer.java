package dev.ganlab.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;

/**
 * A one-input layer whose output shape follows from its input shape, with the input checked both at
 * initialisation and whenever a parent block asks for shapes. DJL calls {@code prepare} only for
 * blocks that have parameters, so a parameter-free layer would otherwise never see its input shape
 * before the first forward pass.
 */
abstract class ShapeCheckedLayer extends AbstractBlock {

    protected ShapeCheckedLayer(byte version) {
        super(version);
    }

    /** The output shape for {@code input}; throws IllegalArgumentException naming a bad input. */
    protected abstract Shape outputShape(Shape input);

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        outputShape(inputShapes[0]);
        super.beforeInitialize(inputShapes);
    }

    @Override
    public final Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {outputShape(inputShapes[0])};
    }

    /** Throws unless {@code s} has exactly (or, when not exact, at least) {@code rank} axes; the message names the layer and the layout it wants. */
    static Shape requireRank(Shape s, int rank, boolean exact, String layer, String layout) {
        if (exact ? s.dimension() != rank : s.dimension() < rank) {
            throw new IllegalArgumentException(layer + " expects " + layout + " input, got " + s);
        }
        return s;
    }
}
