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
import dev.ganlab.nn.Glu;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.SkipLayerExcitation;
import dev.ganlab.nn.WeightScaling;

import java.util.Map;

/**
 * FastGAN's generator (Liu et al., ICLR 2021; laid out as the official code), for outputs of 64 to
 * 1024 px.
 *
 * <ul>
 *   <li>Initial block: latent {@code (N, d)} -> Linear to {@code 2 c_4 x 4 x 4} -> BN -> GLU -> the 4x4
 *       map. The official code uses a 4x4 transposed convolution on the latent viewed as {@code (N, d,
 *       1, 1)}; on a 1x1 input that is exactly a linear map, and the engine has no transposed
 *       convolution.
 *   <li>One {@link UpBlock} per resolution 8, 16, ..., S (one conv with noise injection, or the
 *       official alternation of two-conv and one-conv blocks: {@code upBlocks}).
 *   <li>Skip-layer excitation: the 4, 8, 16, 32 px maps gate the 64, 128, 256, 512 px maps
 *       ({@link FastganConfig#G_SLE_SOURCES}; the pairs that fit the output size); none with
 *       {@code sle} off.
 *   <li>Output: conv 3x3 to the image channels, tanh.
 * </ul>
 * Every conv (and the initial Linear) is spectrally normalised when {@code gSpectralNorm}, as in the
 * official code; no layer has a bias. Channels per resolution: {@link FastganConfig#G_CHANNELS}.
 */
public final class FastganGenerator extends AbstractBlock {

    private static final byte VERSION = 1;
    /** The initial block's map side. */
    static final int START = 4;

    private final FastganConfig cfg;
    private final int imageChannels;
    private final int resolution;
    private final SequentialBlock init;
    private final SleLadder ladder = new SleLadder();
    private final SequentialBlock toImage;

    FastganGenerator(FastganConfig cfg, int imageChannels, int resolution) {
        super(VERSION);
        this.cfg = cfg;
        this.imageChannels = imageChannels;
        this.resolution = resolution;
        WeightScaling ws = cfg.gSpectralNorm ? WeightScaling.SPECTRAL : WeightScaling.NONE;
        SkipLayerExcitation.Activation act = SkipLayerExcitation.Activation.parse(cfg.sleActivation);
        int c4 = cfg.gChannels(START);
        init = addChildBlock("init", new SequentialBlock()
                .add(FastganBlocks.linear(2 * c4 * START * START, ws))
                .add(Lambda.reshape(2L * c4, START, START))
                .add(FastganBlocks.bn())
                .add(new Glu()));
        boolean official = cfg.upBlocks.equals("official");
        for (int r = 2 * START; r <= resolution; r *= 2) {
            // Official: UpBlockComp (two convs, noise) at 8, 32, 128, 512; UpBlock (one conv) at 16, 64, 256, 1024.
            boolean comp = Integer.numberOfTrailingZeros(r) % 2 == 1;
            int convs = official && comp ? 2 : 1;
            boolean noise = !official || comp;
            UpBlock up = addChildBlock("up_" + r, new UpBlock(cfg.gChannels(r), convs, noise, ws));
            Integer source = cfg.sle ? FastganConfig.G_SLE_SOURCES.get(r) : null;
            SkipLayerExcitation sle = source == null ? null
                    : addChildBlock("sle_" + source + "_" + r, new SkipLayerExcitation(cfg.gChannels(r), act, ws, false));
            ladder.add(r, up, sle, source == null ? 0 : source);
        }
        toImage = addChildBlock("to_image", new SequentialBlock()
                .add(FastganBlocks.conv(imageChannels, 3, 1, 1, ws))
                .add(Lambda.tanh()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray z = inputs.singletonOrThrow();
        checkLatent(z.getShape());
        NDArray x = init.forward(ps, new NDList(z), training).singletonOrThrow(); // (N, c_4, 4, 4)
        NDArray last = ladder.forward(ps, START, x, training).get(resolution); // (N, c_S, S, S)
        return toImage.forward(ps, new NDList(last), training); // (N, C, S, S)
    }

    private void checkLatent(Shape s) {
        if (s.dimension() < 2 || s.size() / s.get(0) != cfg.latentDim) {
            throw new IllegalArgumentException("FastGAN generator expects latents (N, " + cfg.latentDim + ") or (N, "
                    + cfg.latentDim + ", 1, 1), got " + s);
        }
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        checkLatent(inputShapes[0]);
        init.initialize(manager, dataType, inputShapes[0]);
        Shape start = init.getOutputShapes(inputShapes)[0];
        toImage.initialize(manager, dataType, ladder.initialize(manager, dataType, START, start).get(resolution));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), imageChannels, resolution, resolution)};
    }

    /** The resolutions whose maps are gated by SLE, with their sources ({@code target -> source}). */
    public Map<Integer, Integer> slePairs() {
        return ladder.slePairs();
    }

    @Override
    public String toString() {
        return "FastganGenerator(" + resolution + " px, upBlocks=" + cfg.upBlocks + ", SLE "
                + (cfg.sle ? slePairs() : "off") + ")";
    }
}
