package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Per-pixel noise injection (StyleGAN, Karras et al. 2019; used in FastGAN's generator): adds
 * {@code w * noise} to a feature map, where {@code noise} is one N(0, 1) value per sample and pixel,
 * shared by all channels, and {@code w} is a learned scalar that starts at 0, so the layer begins as
 * the identity and the network learns how much stochastic detail to use.
 *
 * <p>Noise is drawn from the engine's generator (a seeded step replays it) in training and at
 * inference alike, as the official FastGAN code does. Input and output {@code (N, C, H, W)};
 * weight {@code (1)}.
 */
public final class NoiseInjection extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Parameter weight;

    public NoiseInjection() {
        super(VERSION);
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optInitializer(Init.zeros()).optShape(new Shape(1)).build());
    }

    /** {@code x + weight * noise} with {@code noise} of shape {@code (N, 1, H, W)} (the maths of the layer). */
    public static NDArray inject(NDArray x, NDArray noise, NDArray weight) {
        // noise comes first so that the product belongs to the batch's manager, not the parameter's.
        return x.add(noise.mul(weight));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape s = x.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("NoiseInjection expects (N, C, H, W) input, got " + s);
        }
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray noise = x.getManager().randomNormal(0f, 1f, new Shape(s.get(0), 1, s.get(2), s.get(3)),
                x.getDataType(), x.getDevice());
        return new NDList(inject(x, noise, w));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** The learned noise strength. */
    public Parameter weight() {
        return weight;
    }

    @Override
    public String toString() {
        return "NoiseInjection";
    }
}
