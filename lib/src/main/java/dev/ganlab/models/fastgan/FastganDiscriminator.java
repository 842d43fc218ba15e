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
import dev.ganlab.nn.AdaptiveAvgPool2d;
import dev.ganlab.nn.Ops;
import dev.ganlab.nn.SkipLayerExcitation;
import dev.ganlab.nn.WeightScaling;

import java.util.Map;

/**
 * FastGAN's discriminator (Liu et al., ICLR 2021, self-supervised discriminator; laid out as the
 * official code's main branch), spectrally normalised throughout.
 *
 * <ul>
 *   <li>From the image to a map of side {@code min(S, 256)}: conv 3x3 (S <= 256), conv 4x4 stride 2
 *       (512) or two of them with BN (1024); LeakyReLU 0.2.
 *   <li>{@link DownBlock}s halve it down to 8x8; SLE lets the 256, 128, 64 px maps gate the 32, 16,
 *       8 px ones ({@link FastganConfig#D_SLE_SOURCES}; the pairs that fit; none with {@code sle} off).
 *   <li>Logits from the 8x8 map: conv 1x1, BN, LeakyReLU, conv 4x4 -> a 5x5 map of scores, returned
 *       flattened ({@code patches}, N*25 values, image-major, as the official {@code view(-1)}) or
 *       averaged per image ({@code mean}, N values).
 *   <li>Two {@link SimpleDecoder}s for self-supervision on real images: one decodes the whole image
 *       from the 8x8 map, one decodes a quadrant of the image from the matching 8x8 quarter of the
 *       16x16 map.
 * </ul>
 * Forward returns {@code (logits, features (N, C_8 * 64))}; {@link FastganModel#discriminate} adds
 * the reconstruction loss.
 *
 * <p>Not built: the official code's second branch, which scores a 128 px copy of the image
 * (the generator's extra 128 px output for fakes) and decodes it with a third decoder.
 */
public final class FastganDiscriminator extends AbstractBlock {

    private static final byte VERSION = 1;
    /** The official code (256 to 1024 px) brings images to a 256 px map first; smaller images keep their size. */
    static final int TOP = 256;
    /** Logits and the whole-image decoder work on the 8x8 map. */
    static final int LAST = 8;
    /** The part decoder crops quadrants of the 16x16 map. */
    static final int PART_MAP = 16;
    /** The logit head's last conv is 4x4 without padding: 8x8 -> 5x5 scores per image. */
    static final int HEAD_KERNEL = 4;
    /** Scores per image in "patches" mode. */
    public static final int SCORES_PER_IMAGE = (LAST - HEAD_KERNEL + 1) * (LAST - HEAD_KERNEL + 1);

    /** The maps the heads and decoders read. */
    public record Features(NDArray map8, NDArray map16) {
    }

    private final FastganConfig cfg;
    private final int imageChannels;
    private final int resolution;
    private final int top;
    private final SequentialBlock fromImage;
    private final SleLadder ladder = new SleLadder();
    private final SequentialBlock head;
    private final SimpleDecoder decoderFull;
    private final SimpleDecoder decoderPart;

    FastganDiscriminator(FastganConfig cfg, int imageChannels, int resolution) {
        super(VERSION);
        this.cfg = cfg;
        this.imageChannels = imageChannels;
        this.resolution = resolution;
        this.top = Math.min(resolution, TOP);
        WeightScaling sn = WeightScaling.SPECTRAL;
        SequentialBlock from = new SequentialBlock();
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
        head = addChildBlock("logits", new SequentialBlock()
                .add(FastganBlocks.conv(cfg.dHeadChannels(), 1, 1, 0, sn)).add(FastganBlocks.bn()).add(FastganBlocks.leaky())
                .add(FastganBlocks.conv(1, HEAD_KERNEL, 1, 0, sn)));
        int fullSize = Math.min(cfg.decoderSize, resolution);
        int partSize = Math.min(cfg.decoderSize, resolution / 2);
        decoderFull = addChildBlock("decoder_full", new SimpleDecoder(cfg, imageChannels, fullSize));
        decoderPart = addChildBlock("decoder_part", new SimpleDecoder(cfg, imageChannels, partSize));
    }

    /** Runs the backbone: the 8x8 and 16x16 maps. */
    public Features features(ParameterStore ps, NDArray images, boolean training) {
        checkImages(images.getShape());
        NDArray x = fromImage.forward(ps, new NDList(images), training).singletonOrThrow(); // (N, c_top, top, top)
        Map<Integer, NDArray> maps = ladder.forward(ps, top, x, training);
        return new Features(maps.get(LAST), maps.get(PART_MAP));
    }

    /** Scores from the 8x8 map: {@code (N * 25)} for "patches", {@code (N)} for "mean". */
    public NDArray logits(ParameterStore ps, NDArray map8, boolean training) {
        NDArray scores = head.forward(ps, new NDList(map8), training).singletonOrThrow(); // (N, 1, 5, 5)
        return cfg.logits.equals("mean") ? Ops.rowMean(scores) : scores.reshape(-1);
    }

    /**
     * Decodes the whole image and quadrant {@code quadrant} of it from {@code f}, the features of
     * {@code images}; targets are the images (detached) area-downsampled to the decoders' sizes.
     */
    public Reconstructions reconstruct(ParameterStore ps, NDArray images, Features f, int quadrant, boolean training) {
        if (quadrant < 0 || quadrant > 3) {
            throw new IllegalArgumentException("quadrant must be 0..3, got " + quadrant);
        }
        NDArray target = images.stopGradient();
        NDArray full = decoderFull.forward(ps, new NDList(f.map8()), training).singletonOrThrow();
        NDArray part = decoderPart.forward(ps, new NDList(quadrant(f.map16(), quadrant)), training).singletonOrThrow();
        NDArray fullTarget = AdaptiveAvgPool2d.pool(target, decoderFull.outputSize());
        NDArray partTarget = AdaptiveAvgPool2d.pool(quadrant(target, quadrant), decoderPart.outputSize());
        return new Reconstructions(full, fullTarget, part, partTarget, quadrant);
    }

    /**
     * Quadrant {@code q} of {@code (N, C, H, W)}: 0 top-left, 1 top-right, 2 bottom-left, 3
     * bottom-right, as the official {@code crop_image_by_part}.
     */
    public static NDArray quadrant(NDArray x, int q) {
        long h = x.getShape().get(2) / 2;
        long w = x.getShape().get(3) / 2;
        long r0 = (q / 2) * h;
        long c0 = (q % 2) * w;
        return x.get(new NDIndex(":, :, {}:{}, {}:{}", r0, r0 + h, c0, c0 + w));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray images = inputs.singletonOrThrow();
        Features f = features(ps, images, training);
        NDArray logits = logits(ps, f.map8(), training);
        return new NDList(logits, f.map8().reshape(images.getShape().get(0), -1));
    }

    private void checkImages(Shape s) {
        if (s.dimension() != 4 || s.get(1) != imageChannels || s.get(2) != resolution || s.get(3) != resolution) {
            throw new IllegalArgumentException("FastGAN discriminator expects images (N, " + imageChannels + ", "
                    + resolution + ", " + resolution + "), got " + s);
        }
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        checkImages(inputShapes[0]);
        fromImage.initialize(manager, dataType, inputShapes[0]);
        Map<Integer, Shape> shapes = ladder.initialize(manager, dataType, top, fromImage.getOutputShapes(inputShapes)[0]);
        head.initialize(manager, dataType, shapes.get(LAST));
        decoderFull.initialize(manager, dataType, shapes.get(LAST));
        Shape s16 = shapes.get(PART_MAP);
        decoderPart.initialize(manager, dataType, new Shape(s16.get(0), s16.get(1), s16.get(2) / 2, s16.get(3) / 2));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        long scores = cfg.logits.equals("mean") ? n : n * SCORES_PER_IMAGE;
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

    @Override
    public String toString() {
        return "FastganDiscriminator(" + resolution + " px, SLE " + (cfg.sle ? slePairs() : "off") + ", logits="
                + cfg.logits + ")";
    }
}
