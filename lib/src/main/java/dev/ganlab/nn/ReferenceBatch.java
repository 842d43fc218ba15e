package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * Runs a network with {@link VirtualBatchNorm} layers: a fixed reference input of R rows is drawn
 * once, when the network is initialised, appended to every input and removed from the output, so
 * each VBN layer finds the reference batch's activations - computed with the current weights - in its
 * last R rows. This is what Salimans et al.'s code does with a second generator pass on a
 * non-trainable latent variable ({@code make_z(..., is_ref=True)} in openai/improved-gan,
 * imagenet/generator.py), written as one pass over the joined batch: every other layer treats rows
 * independently, so the values and gradients are the same.
 *
 * <p>The reference input is a non-trainable parameter (type OTHER, saved with the network, so a
 * resumed run keeps its reference batch; copied, not averaged in effect, by the generator EMA).
 * Its initialiser draws it: latents for a generator, real training images for a discriminator
 * ({@code dcgan.dNorm=vbn}; the wrapper then holds the convolutions only, see
 * {@code DcganDiscriminator}). It is not an input, so no gradient with respect to the inputs (a
 * gradient penalty's) reaches it. Input {@code (N, ...)}; output the network's output for those N rows.
 */
public final class ReferenceBatch extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int size;
    private final Block net;
    private final Parameter reference;

    /**
     * @param net the network, whose VBN layers expect {@code size} reference rows
     * @param size rows R of the reference input
     * @param referenceInit draws the reference input (e.g. the model's latent distribution)
     */
    public ReferenceBatch(Block net, int size, Initializer referenceInit) {
        super(VERSION);
        if (size < 1) {
            throw new IllegalArgumentException("reference batch size " + size + " must be >= 1");
        }
        this.size = size;
        this.net = addChildBlock("net", net);
        reference = addParameter(Parameter.builder().setName("reference").setType(Parameter.Type.OTHER)
                .optRequiresGrad(false).optInitializer(referenceInit).build());
    }

    /** The wrapped network. */
    public Block net() {
        return net;
    }

    /** Rows of the reference input. */
    public int size() {
        return size;
    }

    private Shape joint(Shape input) {
        return new Shape(input.get(0) + size).addAll(input.slice(1));
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        reference.setShape(new Shape(size).addAll(inputShapes[0].slice(1)));
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        net.initialize(manager, dataType, joint(inputShapes[0]));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long n = x.getShape().get(0);
        NDArray ref = ps.getValue(reference, x.getDevice(), training);
        // x first: the joined batch belongs to the input's manager, not the parameter's.
        NDArray out = net.forward(ps, new NDList(x.concat(ref, 0)), training, params).singletonOrThrow();
        return new NDList(out.get("0:" + n));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape out = net.getOutputShapes(new Shape[] {joint(inputShapes[0])})[0];
        return new Shape[] {new Shape(inputShapes[0].get(0)).addAll(out.slice(1))};
    }

    @Override
    public String toString() {
        return "ReferenceBatch(" + size + ")";
    }
}
