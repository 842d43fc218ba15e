package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.function.UnaryOperator;

/**
 * A parameter-free layer given by a function of one array and a function of its shape. Unlike DJL's
 * LambdaBlock it states its output shape instead of running the function on a dummy input.
 */
public final class Lambda extends AbstractBlock {

    private static final byte VERSION = 1;

    private final String name;
    private final UnaryOperator<NDArray> fn;
    private final UnaryOperator<Shape> shapeFn;

    public Lambda(String name, UnaryOperator<NDArray> fn, UnaryOperator<Shape> shapeFn) {
        super(VERSION);
        this.name = name;
        this.fn = fn;
        this.shapeFn = shapeFn;
    }

    /** LeakyReLU with negative slope {@code alpha} (DCGAN: 0.2). */
    public static Lambda leakyRelu(float alpha) {
        return new Lambda("LeakyReLU(" + alpha + ")", x -> Activation.leakyRelu(x, alpha), s -> s);
    }

    public static Lambda relu() {
        return new Lambda("ReLU", Activation::relu, s -> s);
    }

    public static Lambda tanh() {
        return new Lambda("Tanh", Activation::tanh, s -> s);
    }

    /** Nearest-neighbour 2x upsampling of {@code (N, C, H, W)}: {@link Ops#upsample2x}. */
    public static Lambda upsample2x() {
        return new Lambda("Upsample2x", Ops::upsample2x,
                s -> new Shape(s.get(0), s.get(1), s.get(2) * 2, s.get(3) * 2));
    }

    /** 2x2 average pooling of {@code (N, C, H, W)}: {@link Ops#avgPool2x}. */
    public static Lambda avgPool2x() {
        return new Lambda("AvgPool2x", Ops::avgPool2x,
                s -> new Shape(s.get(0), s.get(1), s.get(2) / 2, s.get(3) / 2));
    }

    /** Reshapes {@code (N, ...)} to {@code (N, dims...)}. */
    public static Lambda reshape(long... dims) {
        return new Lambda("Reshape" + new Shape(dims), x -> x.reshape(new Shape(x.getShape().get(0)).addAll(new Shape(dims))),
                s -> new Shape(s.get(0)).addAll(new Shape(dims)));
    }

    /** Flattens {@code (N, ...)} to {@code (N, F)}. */
    public static Lambda flatten() {
        return new Lambda("Flatten", x -> x.reshape(x.getShape().get(0), -1), s -> new Shape(s.get(0), s.size() / s.get(0)));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(fn.apply(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {shapeFn.apply(inputShapes[0])};
    }

    @Override
    public String toString() {
        return name;
    }
}
