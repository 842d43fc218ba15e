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
import dev.ganlab.nn.Glu;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.ScopedSequentialBlock;
import dev.ganlab.nn.SkipLayerExcitation;
import dev.ganlab.nn.WeightScaling;

import java.util.Map;
import java.util.Set;

/**
 * FastGAN's generator (Liu et al., ICLR 2021; laid out as the official code's models.py), for outputs
 * of 64 to 1024 px.
 *
 * <ul>
 *   <li>Initial block: latent {@code (N, d)} -> Linear to {@code 2 c_4 x 4 x 4} -> BN -> GLU -> the 4x4
 *       map. The official code uses a 4x4 transposed convolution on the latent viewed as {@code (N, d,
 *       1, 1)}; on a 1x1 input that is exactly a linear map, and the engine has no transposed
 *       convolution.
 *   <li>One {@link UpBlock} per resolution 8, 16, ..., S: by default the official alternation, two
 *       convs with noise (UpBlockComp) at 8, 32, 128, 512 px and one conv without noise (UpBlock) at
 *       16, 64, 256, 1024 px; {@code upBlocks = single} puts one conv with noise at every resolution.
 *   <li>Skip-layer excitation: the 4, 8, 16, 32 px maps gate the 64, 128, 256, 512 px maps
 *       ({@link FastganConfig#G_SLE_SOURCES}; the pairs that fit the output size); none with
 *       {@code sle} off.
 *   <li>Outputs: conv 3x3 of the S px map to the image ({@code to_big}) and, with {@code smallBranch}
 *       (default), conv 1x1 of the 128 px map to a 128 px image ({@code to_128}) for the
 *       discriminator's second branch; forward returns {@code [image (N, C, S, S), small (N, C, s, s)]}
 *       with s = {@link FastganConfig#smallSize}. tanh on both as {@code outputTanh} says: the official
 *       forward applies it at 1024 px only.
 * </ul>
 * Every conv (and the initial Linear) is spectrally normalised when {@code gSpectralNorm}, as in the
 * official code; no layer has a bias. Channels per resolution: {@link FastganConfig#G_CHANNELS}.
 *
 * <p>Deviations from the official code: the Linear in place of the transposed conv (same map, same
 * parameter count); sizes 64 and 128 px, where the small output is taken from the S/2 map (the
 * official code builds 256, 512 and 1024 px only); nearest upsampling fused into the following conv
 * ({@code Conv2d.optUpsample2x}, the same function).
 */
public final class FastganGenerator extends AbstractBlock {

    private static final byte VERSION = 2;
    /** The initial block's map side. */
    static final int START = 4;

    private final FastganConfig cfg;
    private final int imageChannels;
    private final int resolution;
    private final SequentialBlock init;
    private final SleLadder ladder = new SleLadder();
    private final SequentialBlock toImage;
    /** {@code to_128}; null without the small branch. */
    private final SequentialBlock toSmall;
    private final int smallSize;

    FastganGenerator(FastganConfig cfg, int imageChannels, int resolution) {
        super(VERSION);
        this.cfg = cfg;
        this.imageChannels = imageChannels;
        this.resolution = resolution;
        WeightScaling ws = cfg.gSpectralNorm ? WeightScaling.SPECTRAL : WeightScaling.NONE;
        SkipLayerExcitation.Activation act = SkipLayerExcitation.Activation.parse(cfg.sleActivation);
        int c4 = cfg.gChannels(START);
        init = addChildBlock("init", new ScopedSequentialBlock()
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
        boolean tanh = cfg.tanhAt(resolution);
        toImage = addChildBlock("to_image", outputLayer(imageChannels, 3, 1, ws, tanh));
        smallSize = FastganConfig.smallSize(resolution);
        toSmall = cfg.smallBranch ? addChildBlock("to_small", outputLayer(imageChannels, 1, 0, ws, tanh)) : null;
    }

    private static SequentialBlock outputLayer(int channels, int kernel, int pad, WeightScaling ws, boolean tanh) {
        SequentialBlock b = new ScopedSequentialBlock().add(FastganBlocks.conv(channels, kernel, 1, pad, ws));
        return tanh ? b.add(Lambda.tanh()) : b;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray z = inputs.singletonOrThrow();
        checkLatent(z.getShape());
        NDArray x = init.forward(ps, new NDList(z), training).singletonOrThrow(); // (N, c_4, 4, 4)
        Map<Integer, NDArray> maps = ladder.forward(ps, START, x, training, Set.of(resolution, smallSize));
        NDArray image = toImage.forward(ps, new NDList(maps.get(resolution)), training).singletonOrThrow(); // (N, C, S, S)
        StepScope.release(maps.get(resolution)); // read by nothing else (autograd keeps its own reference)
        if (toSmall == null) {
            return new NDList(image);
        }
        NDArray small = toSmall.forward(ps, new NDList(maps.get(smallSize)), training).singletonOrThrow(); // (N, C, s, s)
        StepScope.release(maps.get(smallSize));
        return new NDList(image, small);
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
        Map<Integer, Shape> shapes = ladder.initialize(manager, dataType, START, start);
        toImage.initialize(manager, dataType, shapes.get(resolution));
        if (toSmall != null) {
            toSmall.initialize(manager, dataType, shapes.get(smallSize));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        Shape image = new Shape(n, imageChannels, resolution, resolution);
        return toSmall == null ? new Shape[] {image} : new Shape[] {image, new Shape(n, imageChannels, smallSize, smallSize)};
    }

    /** Side of the small output (see {@link FastganConfig#smallSize}); its images exist only with {@code smallBranch}. */
    public int smallSize() {
        return smallSize;
    }

    /** Whether forward returns the small image as a second output. */
    public boolean hasSmallOutput() {
        return toSmall != null;
    }

    /** The resolutions whose maps are gated by SLE, with their sources ({@code target -> source}). */
    public Map<Integer, Integer> slePairs() {
        return ladder.slePairs();
    }

    @Override
    public String toString() {
        return "FastganGenerator(" + resolution + " px" + (toSmall == null ? "" : " + " + smallSize + " px")
                + ", upBlocks=" + cfg.upBlocks + ", SLE "
                + (cfg.sle ? slePairs() : "off") + ")";
    }
}
