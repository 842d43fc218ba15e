package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.models.fastgan.FastganDiscriminator;
import dev.ganlab.models.fastgan.FastganModel;
import dev.ganlab.models.fastgan.ReconstructionLoss;
import dev.ganlab.models.fastgan.Reconstructions;
import dev.ganlab.viz.ImageGrid;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * What FastGAN's self-supervised discriminator makes of real images, for a figure: the inputs, the
 * whole images decoded from D's 8x8 map, one quadrant of each input, and that quadrant decoded from
 * the matching quarter of D's 16x16 map, with the two distances the training loss uses. All tiles
 * are drawn at the input's size: a smaller decoder output is enlarged by pixel repetition, so what
 * the decoder could not resolve shows as blocks instead of being smoothed over.
 *
 * <p>D runs in inference mode (batch norm on its running statistics), on the images as stored
 * (no DiffAugment), as {@link FastganModel#reconstruct(ParameterStore, NDArray)} documents.
 *
 * <p>Not shown: the third decoder (the small branch's, {@link Reconstructions#small()}); its
 * distance is logged in training as {@code recon_small}.
 *
 * @param inputs the real images
 * @param full their reconstructions from the 8x8 map
 * @param quadrants quadrant {@code quadrant} of each input
 * @param parts that quadrant's reconstructions from the 16x16 map
 * @param quadrant 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right
 * @param distance the reconstruction distance's spec (fastgan.reconLoss, e.g. "mse")
 * @param fullDistance that distance between the whole-image reconstructions and their targets
 * @param partDistance that distance between the quadrant reconstructions and their targets
 */
public record ReconstructionPanel(List<BufferedImage> inputs, List<BufferedImage> full, List<BufferedImage> quadrants,
        List<BufferedImage> parts, int quadrant, String distance, double fullDistance, double partDistance) {

    /** Names of the quadrants by number (the official crop_image_by_part order). */
    public static final List<String> QUADRANT_NAMES = List.of("top-left", "top-right", "bottom-left", "bottom-right");

    /** The reconstructions of the first {@code n} training images of a FastGAN run, by its discriminator now. */
    public static ReconstructionPanel of(GanTrainer run, int n, int quadrant) {
        if (!(run.model() instanceof FastganModel model)) {
            throw new UserError("reconstructions come from FastGAN's discriminator; the run in " + run.dir()
                    + " trains " + run.model().name());
        }
        return of(model, run.data(), n, quadrant);
    }

    /** The reconstructions of the first {@code n} images of {@code images} by {@code model}'s discriminator. */
    public static ReconstructionPanel of(FastganModel model, ImageDataset images, int n, int quadrant) {
        if (n < 1 || n > images.size()) {
            throw new IllegalArgumentException("n " + n + " must be in 1.." + images.size() + " (the images of "
                    + images.name() + ")");
        }
        if (quadrant < 0 || quadrant > 3) {
            throw new IllegalArgumentException("quadrant " + quadrant + " must be 0..3 (" + QUADRANT_NAMES + ")");
        }
        GanLab.noGradOnThisThread();
        try (NDManager m = GanLab.newManager()) {
            int side = images.height();
            NDArray x = images.toTensor(m, 0, n); // (n, C, S, S)
            Reconstructions r = model.reconstruct(new ParameterStore(m, false), x, quadrant, false);
            ReconstructionLoss loss = model.reconstructionLoss();
            return new ReconstructionPanel(tiles(x, side), tiles(r.full(), side),
                    tiles(FastganDiscriminator.quadrant(x, quadrant), side), tiles(r.part(), side), quadrant, loss.spec(),
                    loss.distance(r.full(), r.fullTarget()).getFloat(), loss.distance(r.part(), r.partTarget()).getFloat());
        }
    }

    /** A batch {@code (N, C, s, s)} in [-1, 1] as pictures of side {@code side} (s divides side). */
    private static List<BufferedImage> tiles(NDArray batch, int side) {
        int f = (int) (side / batch.getShape().get(2));
        NDArray big = f == 1 ? batch : batch.repeat(2, f).repeat(3, f); // nearest: repeat is repeat_interleave
        ImageDataset ds = ImageDataset.fromTensor(big, "tiles");
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < ds.size(); i++) {
            out.add(ds.image(i));
        }
        return out;
    }

    /** Four labelled rows: inputs, whole-image reconstructions, input quadrants, quadrant reconstructions. */
    public BufferedImage render() {
        List<BufferedImage> all = new ArrayList<>(inputs);
        all.addAll(full);
        all.addAll(quadrants);
        all.addAll(parts);
        return ImageGrid.of(all).cols(inputs.size()).rowLabels(List.of("input", "decoded from 8x8",
                QUADRANT_NAMES.get(quadrant) + " quarter", "decoded from 16x16")).render();
    }

    @Override
    public String toString() {
        return String.format("reconstruction %s: whole image %.4f (from the 8x8 map), %s quarter %.4f (from the 16x16"
                + " map), %d images", distance, fullDistance, QUADRANT_NAMES.get(quadrant), partDistance, inputs.size());
    }
}
