package dev.ganlab.models.fastgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.ganlab.models.Mix;
import dev.ganlab.nn.AdaptiveAvgPool2d;
import dev.ganlab.nn.Ops;
import dev.ganlab.nn.ScopedSequentialBlock;
import dev.ganlab.nn.SkipLayerExcitation;
import dev.ganlab.nn.WeightScaling;

import java.util.Map;
import java.util.Set;

/**
 * FastGAN's discriminator (Liu et al., ICLR 2021, self-supervised discriminator; laid out as the
 * official code's models.py), spectrally normalised throughout.
 *
 * <p>Big branch (the image at S px):
 * <ul>
 *   <li>From the image to a map of side {@code min(S, 256)}: conv 3x3 (S <= 256), conv 4x4 stride 2
 *       (512) or two of them with BN (1024); LeakyReLU 0.2 ({@code down_from_big}).
 *   <li>{@link DownBlock}s halve it down to 8x8; SLE lets the 256, 128, 64 px maps gate the 32, 16,
 *       8 px ones ({@link FastganConfig#D_SLE_SOURCES}; the pairs that fit; none with {@code sle} off).
 *   <li>{@code rf_big}: conv 1x1, BN, LeakyReLU, conv 4x4 on the 8x8 map -> 5x5 scores per image.
 * </ul>
 * Small branch ({@code smallBranch}, default; the image at s = {@link FastganConfig#smallSize} px,
 * 128 from 256 px up): conv 4x4 stride 2 and LeakyReLU, then plain down blocks [conv 4x4 stride 2,
 * BN, LeakyReLU] to 8x8 ({@code down_from_small}), and {@code rf_small}: conv 4x4 -> 5x5 scores.
 *
 * <p>Logits: the big branch's scores, then the small branch's ({@code torch.cat([rf_0, rf_1])}),
 * each flattened image-major ({@code patches}, 2 N * 25 values) or averaged per image ({@code mean},
 * 2 N values). Without the small branch only the first half exists.
 *
 * <p>Decoders for self-supervision on real images ({@link SimpleDecoder}): {@code decoder_big} from
 * the 8x8 map to the whole image, {@code decoder_part} from one 8x8 quadrant of the 16x16 map to that
 * quadrant of the image, {@code decoder_small} from the small branch's 8x8 map to the whole image.
 * Components of other families ({@link Mix}) go at the start of each logit head, on the 8x8 map it
 * scores: minibatch stddev (one more channel) and minibatch discrimination on the map averaged over
 * positions (its kernels' outputs as constant channels); the decoders read the map without them.
 * Targets: the (augmented) real image, or its quadrant, resized to the decoder's output side
 * ({@code resize}: nearest as the official {@code F.interpolate}, or area).
 *
 * <p>Inputs: one image batch {@code (N, C, S, S)} (the small copy is made by resizing it, as the
 * official forward does for a tensor input: real images), or two, {@code (image, small)} (G's two
 * outputs). Forward returns {@code (logits, features (N, C_8 * 64))}, the features being the big
 * branch's 8x8 map (for feature matching; the official code has no such output);
 * {@link FastganModel#discriminate} adds the reconstruction loss.
 *
 * <p>Deviations from the official code: sizes 64 and 128 px (the official code builds 256 to 1024
 * px), where the big branch starts at the image side and the small branch takes S/2 px images with
 * one or two down blocks fewer; the decoders' outputs are capped at the side they reconstruct
 * ({@code min(decoderSize, side)}), where the official ones always make 128 px.
 */
public final class FastganDiscriminator extends AbstractBlock {

    private static final byte VERSION = 2;
    /** The official code (256 to 1024 px) brings images to a 256 px map first; smaller images keep their size. */
    static final int TOP = 256;
    /** Logits and the whole-image decoders work on 8x8 maps. */
    static final int LAST = 8;
    /** The part decoder crops quadrants of the 16x16 map. */
    static final int PART_MAP = 16;
    /** The logit heads' last conv is 4x4 without padding: 8x8 -> 5x5 scores per image. */
    static final int HEAD_KERNEL = 4;
    /** Scores per image and branch in "patches" mode. */
    public static final int SCORES_PER_IMAGE = (LAST - HEAD_KERNEL + 1) * (LAST - HEAD_KERNEL + 1);

    /** The maps the heads and decoders read; {@code small8} is null without the small branch. */
    public record Features(NDArray map8, NDArray map16, NDArray small8) {
    }

    private final FastganConfig cfg;
    private final int imageChannels;
    private final int resolution;
    private final int top;
    private final int smallSize;
    private final SequentialBlock fromImage;
    private final SleLadder ladder = new SleLadder();
    private final SequentialBlock head;
    private final SimpleDecoder decoderFull;
    private final SimpleDecoder decoderPart;
    private final SequentialBlock fromSmall;
    private final SequentialBlock headSmall;
    private final SimpleDecoder decoderSmall;

    FastganDiscriminator(FastganConfig cfg, int imageChannels, int resolution) {
        this(cfg, imageChannels, resolution, Mix.NONE);
    }

    FastganDiscriminator(FastganConfig cfg, int imageChannels, int resolution, Mix mix) {
        super(VERSION);
        this.cfg = cfg;
        this.imageChannels = imageChannels;
        this.resolution = resolution;
        this.top = Math.min(resolution, TOP);
        this.smallSize = FastganConfig.smallSize(resolution);
        WeightScaling sn = WeightScaling.SPECTRAL;
        SequentialBlock from = new ScopedSequentialBlock();
        if (resolution == 1024) {
            from.add(FastganBlocks.conv(cfg.dChannels(512), 4, 2, 1, sn)).add(FastganBlocks.leaky())
                    .add(FastganBlocks.conv(cfg.dChannels(256), 4, 2, 1, sn)).add(FastganBlocks.bn())
                    .add(FastganBlocks.leaky());
        } else if (resolution == 512) {
            from.add(FastganBlocks.conv(cfg.dChannels(256), 4, 2, 1, sn)).add(FastganBlocks.leaky());
        } else {
            from.add(FastganBlocks.conv(cfg.dChannels(top), 3, 1, 1, sn)).add(FastganBlocks.leaky());
        }
        fromImage = addChildBlock("from_image", from);
        SkipLayerExcitation.Activation act = SkipLayerExcitation.Activation.parse(cfg.sleActivation);
        for (int r = top / 2; r >= LAST; r /= 2) {
            DownBlock down = addChildBlock("down_" + r, new DownBlock(cfg.dChannels(r), sn));
            Integer source = FastganConfig.D_SLE_SOURCES.get(r);
            boolean gated = cfg.sle && source != null && source <= top;
            SkipLayerExcitation sle = gated
                    ? addChildBlock("sle_" + source + "_" + r, new SkipLayerExcitation(cfg.dChannels(r), act, sn, false))
                    : null;
            ladder.add(r, down, sle, gated ? source : 0);
        }
        SequentialBlock logits = new ScopedSequentialBlock();
        mix.addMapParts(logits);                                        // (N, C_8 [+ 1] [+ B], 8, 8)
        head = addChildBlock("logits", logits
                .add(FastganBlocks.conv(cfg.dHeadChannels(), 1, 1, 0, sn)).add(FastganBlocks.bn()).add(FastganBlocks.leaky())
                .add(FastganBlocks.conv(1, HEAD_KERNEL, 1, 0, sn)));
        int fullSize = Math.min(cfg.decoderSize, resolution);
        int partSize = Math.min(cfg.decoderSize, resolution / 2);
        decoderFull = addChildBlock("decoder_full", new SimpleDecoder(cfg, imageChannels, fullSize));
        decoderPart = addChildBlock("decoder_part", new SimpleDecoder(cfg, imageChannels, partSize));
        if (cfg.smallBranch) {
            // The official down_from_small: conv 4x4 s2 + LeakyReLU, then plain down blocks to 8x8. Its
            // map of side m has nfc[4m] channels, which is D_CHANNELS at 2m.
            SequentialBlock small = new ScopedSequentialBlock()
                    .add(FastganBlocks.conv(cfg.dChannels(smallSize), 4, 2, 1, sn)).add(FastganBlocks.leaky());
            for (int m = smallSize / 4; m >= LAST; m /= 2) {
                small.add(FastganBlocks.conv(cfg.dChannels(2 * m), 4, 2, 1, sn)).add(FastganBlocks.bn())
                        .add(FastganBlocks.leaky());
            }
            fromSmall = addChildBlock("from_small", small);
            SequentialBlock logitsSmall = new ScopedSequentialBlock();
            mix.addMapParts(logitsSmall);
            headSmall = addChildBlock("logits_small", logitsSmall.add(FastganBlocks.conv(1, HEAD_KERNEL, 1, 0, sn)));
            decoderSmall = addChildBlock("decoder_small",
                    new SimpleDecoder(cfg, imageChannels, Math.min(cfg.decoderSize, smallSize)));
        } else {
            fromSmall = null;
            headSmall = null;
            decoderSmall = null;
        }
    }

    /** Whether the second (small-image) branch is built. */
    public boolean hasSmallBranch() {
        return fromSmall != null;
    }

    /** Side of the small branch's images. */
    public int smallSize() {
        return smallSize;
    }

    /**
     * Runs both backbones: the big branch on {@code images}, the small one on {@code small} (null:
     * {@code images} resized to the small side, as the official forward does for real images).
     */
    public Features features(ParameterStore ps, NDArray images, NDArray small, boolean training) {
        checkImages(images.getShape(), resolution, "images");
        NDArray x = fromImage.forward(ps, new NDList(images), training).singletonOrThrow(); // (N, c_top, top, top)
        Map<Integer, NDArray> maps = ladder.forward(ps, top, x, training, Set.of(LAST, PART_MAP));
        NDArray small8 = null;
        if (fromSmall != null) {
            NDArray s = small != null ? small : resize(images, smallSize, cfg.resize);
            checkImages(s.getShape(), smallSize, "small images");
            small8 = fromSmall.forward(ps, new NDList(s), training).singletonOrThrow(); // (N, c_8s, 8, 8)
        } else if (small != null) {
            throw new IllegalArgumentException("this FastGAN discriminator has no small branch (smallBranch = false)"
                    + " but was given small images " + small.getShape());
        }
        return new Features(maps.get(LAST), maps.get(PART_MAP), small8);
    }

    /**
     * Scores: the big branch's, then the small branch's; {@code (2 N * 25)} for "patches",
     * {@code (2 N)} for "mean" (half of that without the small branch).
     */
    public NDArray logits(ParameterStore ps, Features f, boolean training) {
        NDArray big = scores(head.forward(ps, new NDList(f.map8()), training).singletonOrThrow()); // (N, 1, 5, 5)
        if (f.small8() == null) {
            return big;
        }
        NDArray small = scores(headSmall.forward(ps, new NDList(f.small8()), training).singletonOrThrow());
        return big.concat(small, 0);
    }

    private NDArray scores(NDArray map) {
        return cfg.logits.equals("mean") ? Ops.rowMean(map) : map.reshape(-1);
    }

    /**
     * Decodes, from {@code f} (the features of {@code images}), the whole image, its quadrant
     * {@code quadrant}, and with the small branch the whole image again from that branch; the targets
     * are {@code images} (detached) or their quadrant resized to each decoder's output side.
     */
    public Reconstructions reconstruct(ParameterStore ps, NDArray images, Features f, int quadrant, boolean training) {
        if (quadrant < 0 || quadrant > 3) {
            throw new IllegalArgumentException("quadrant must be 0..3, got " + quadrant);
        }
        NDArray target = images.stopGradient();
        NDArray full = decoderFull.forward(ps, new NDList(f.map8()), training).singletonOrThrow();
        NDArray part = decoderPart.forward(ps, new NDList(quadrant(f.map16(), quadrant)), training).singletonOrThrow();
        NDArray fullTarget = resize(target, decoderFull.outputSize(), cfg.resize);
        NDArray partTarget = resize(quadrant(target, quadrant), decoderPart.outputSize(), cfg.resize);
        NDArray small = null;
        NDArray smallTarget = null;
        if (decoderSmall != null) {
            small = decoderSmall.forward(ps, new NDList(f.small8()), training).singletonOrThrow();
            smallTarget = resize(target, decoderSmall.outputSize(), cfg.resize);
        }
        return new Reconstructions(full, fullTarget, part, partTarget, quadrant, small, smallTarget);
    }

    /**
     * Quadrant {@code q} of {@code (N, C, H, W)}: 0 top-left, 1 top-right, 2 bottom-left, 3
     * bottom-right, as the official {@code crop_image_by_part} (and its crops of the 16x16 map).
     */
    public static NDArray quadrant(NDArray x, int q) {
        long h = x.getShape().get(2) / 2;
        long w = x.getShape().get(3) / 2;
        long r0 = (q / 2) * h;
        long c0 = (q % 2) * w;
        return x.get(new NDIndex(":, :, {}:{}, {}:{}", r0, r0 + h, c0, c0 + w));
    }

    /**
     * {@code x (N, C, H, H)} brought down to {@code size x size}, H a multiple of size: "nearest"
     * keeps pixel {@code k i} of every k (PyTorch's {@code F.interpolate} in its default nearest mode
     * picks {@code floor(i H / size)}), "area" averages each k x k block.
     */
    public static NDArray resize(NDArray x, int size, String mode) {
        long h = x.getShape().get(2);
        if (h == size) {
            return x;
        }
        if (h < size || h % size != 0) {
            throw new IllegalArgumentException("cannot resize side " + h + " to " + size + ": a divisor of it is needed");
        }
        if (mode.equals("area")) {
            return AdaptiveAvgPool2d.pool(x, size);
        }
        long k = h / size;
        return x.get(new NDIndex(":, :, ::{}, ::{}", k, k));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray images = inputs.get(0);
        Features f = features(ps, images, inputs.size() > 1 ? inputs.get(1) : null, training);
        return new NDList(logits(ps, f, training), f.map8().reshape(images.getShape().get(0), -1));
    }

    private void checkImages(Shape s, int side, String what) {
        if (s.dimension() != 4 || s.get(1) != imageChannels || s.get(2) != side || s.get(3) != side) {
            throw new IllegalArgumentException("FastGAN discriminator expects " + what + " (N, " + imageChannels + ", "
                    + side + ", " + side + "), got " + s);
        }
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        checkImages(inputShapes[0], resolution, "images");
        fromImage.initialize(manager, dataType, inputShapes[0]);
        Map<Integer, Shape> shapes = ladder.initialize(manager, dataType, top, fromImage.getOutputShapes(inputShapes)[0]);
        head.initialize(manager, dataType, shapes.get(LAST));
        decoderFull.initialize(manager, dataType, shapes.get(LAST));
        Shape s16 = shapes.get(PART_MAP);
        decoderPart.initialize(manager, dataType, new Shape(s16.get(0), s16.get(1), s16.get(2) / 2, s16.get(3) / 2));
        if (fromSmall != null) {
            Shape small = new Shape(inputShapes[0].get(0), imageChannels, smallSize, smallSize);
            fromSmall.initialize(manager, dataType, small);
            Shape s8 = fromSmall.getOutputShapes(new Shape[] {small})[0];
            headSmall.initialize(manager, dataType, s8);
            decoderSmall.initialize(manager, dataType, s8);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        long perBranch = cfg.logits.equals("mean") ? n : n * SCORES_PER_IMAGE;
        long scores = hasSmallBranch() ? 2 * perBranch : perBranch;
        return new Shape[] {new Shape(scores), new Shape(n, (long) cfg.dChannels(LAST) * LAST * LAST)};
    }

    /** The SLE pairs, gated resolution to source resolution. */
    public Map<Integer, Integer> slePairs() {
        return ladder.slePairs();
    }

    /** Side of the whole-image reconstructions. */
    public int fullReconstructionSize() {
        return decoderFull.outputSize();
    }

    /** Side of the quadrant reconstructions. */
    public int partReconstructionSize() {
        return decoderPart.outputSize();
    }

    /** Side of the small branch's reconstructions; 0 without the small branch. */
    public int smallReconstructionSize() {
        return decoderSmall == null ? 0 : decoderSmall.outputSize();
    }

    @Override
    public String toString() {
        return "FastganDiscriminator(" + resolution + " px" + (hasSmallBranch() ? " + " + smallSize + " px" : "")
                + ", SLE " + (cfg.sle ? slePairs() : "off") + ", logits=" + cfg.logits + ")";
    }
}
