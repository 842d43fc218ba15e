package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Minibatch discrimination (Salimans et al., "Improved Techniques for Training GANs", 2016, sec. 3.2)
 * for a discriminator that scores a feature map with convolutions (FastGAN's patch heads) rather than
 * flat features with a dense layer. The paper's layer ({@link MinibatchDiscrimination}) reads the
 * features of a hidden layer, flattened; here it reads the map averaged over positions, {@code (N, C)}
 * (flattening FastGAN's 8x8 maps of 64 dw channels would give a T of {@code 64 * 64 * dw x 500}
 * weights), and its B outputs are appended to the map as B constant channels, as minibatch stddev
 * appends its statistic.
 *
 * <p>Input {@code (N, C, H, W)}; parameter {@code T (C, B*K)}; output {@code (N, C + B, H, W)}: the
 * input, then {@code o(i)_b = sum_{j != i} exp(-||M_i,b - M_j,b||_1)} with {@code M = mean_hw(x) T}
 * viewed as {@code (N, B, K)}, broadcast over {@code H x W}.
 */
public final class MinibatchDiscriminationMap extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int kernels;
    private final MinibatchDiscrimination layer;

    public MinibatchDiscriminationMap(int kernels, int kernelDim) {
        super(VERSION);
        this.kernels = kernels;
        this.layer = addChildBlock("minibatch", new MinibatchDiscrimination(kernels, kernelDim));
    }

    /** The dense form inside, whose parameter is T. */
    public MinibatchDiscrimination layer() {
        return layer;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape s = ShapeCheckedLayer.requireRank(x.getShape(), 4, true, "MinibatchDiscriminationMap", "(N, C, H, W)");
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        NDArray pooled = x.sum(new int[] {2, 3}).div(h * w);                           // (N, C)
        NDArray withO = layer.forward(ps, new NDList(pooled), training).singletonOrThrow(); // (N, C + B)
        NDArray o = withO.get(":, {}:", c).reshape(n, kernels, 1, 1);                 // (N, B, 1, 1)
        return new NDList(x.concat(o.tile(new long[] {1, 1, h, w}), 1));               // (N, C + B, H, W)
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        layer.initialize(manager, dataType, new Shape(s.get(0), s.get(1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), s.get(1) + kernels, s.get(2), s.get(3))};
    }

    @Override
    public String toString() {
        return "MinibatchDiscriminationMap(" + layer + ")";
    }
}
