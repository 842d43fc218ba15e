package dev.ganlab.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.MinibatchDiscrimination;
import dev.ganlab.nn.MinibatchDiscriminationMap;
import dev.ganlab.nn.MinibatchStdDev;
import dev.ganlab.nn.WeightScaling;

/**
 * The components a model takes from other families, as resolved for one model (built by
 * {@link Models} from {@link MixConfig} and {@code tricks.minibatchDiscrimination}), and the helpers
 * every model calls to put them into its networks, so each component sits in the same place in
 * every model:
 * <ul>
 *   <li>spectral norm: every weight layer of D ({@link #dScaling});
 *   <li>minibatch stddev: on D's last feature map, just before the layers that score it: before the
 *       flatten and final dense layer (dcgan, sndcgan), before each logit head (fastgan), before the
 *       output layer on the features seen as an {@code (N, F, 1, 1)} map (gan); ProGAN has it at 4x4
 *       before its last conv (the paper's place), {@code progan.mbstdGroupSize};
 *   <li>minibatch discrimination (Salimans et al., 2016): on D's last features before the output
 *       layer (dcgan, sndcgan, gan, progan); FastGAN scores 5x5 patches with convolutions, so there it
 *       works on the 8x8 map averaged over positions and adds its kernels' outputs as constant maps
 *       before each logit head ({@link MinibatchDiscriminationMap});
 *   <li>skip-layer excitation in the generator: see {@link SlePlacement}.
 * </ul>
 *
 * @param dSpectralNorm spectral norm on every weight layer of D
 * @param dMbstdGroup minibatch-stddev group size (below 2 = off)
 * @param dMinibatchKernels minibatch-discrimination kernels (0 = off)
 * @param dMinibatchKernelDim their dimension
 * @param gSle skip-layer excitation in the generator
 */
public record Mix(boolean dSpectralNorm, int dMbstdGroup, int dMinibatchKernels, int dMinibatchKernelDim,
        boolean gSle) {

    /** Nothing mixed in: every model as its paper has it. */
    public static final Mix NONE = new Mix(false, 0, 0, MinibatchDiscrimination.DEFAULT_KERNEL_DIM, false);

    public Mix {
        if (dMinibatchKernels < 0 || dMinibatchKernelDim < 1) {
            throw new IllegalArgumentException("minibatch discrimination needs kernels >= 0 and dim >= 1, got "
                    + dMinibatchKernels + " x " + dMinibatchKernelDim);
        }
    }

    /** Whether D gets a minibatch-stddev layer. */
    public boolean mbstd() {
        return dMbstdGroup >= 2;
    }

    /** Whether D gets minibatch discrimination. */
    public boolean minibatchDiscrimination() {
        return dMinibatchKernels > 0;
    }

    /** The weight transform of D's layers: spectral when asked for, else the model's own. */
    public WeightScaling dScaling(WeightScaling own) {
        return dSpectralNorm ? WeightScaling.SPECTRAL : own;
    }

    /** Adds minibatch stddev ({@code (N, C, H, W) -> (N, C + 1, H, W)}) to a D map block, when asked for. */
    public void addMbstd(SequentialBlock maps) {
        if (mbstd()) {
            maps.add(new MinibatchStdDev(dMbstdGroup));
        }
    }

    /**
     * Minibatch stddev on flat features {@code (N, F) -> (N, F + 1)}: the features as an
     * {@code (N, F, 1, 1)} map, so the statistic is the per-feature standard deviation over the group,
     * averaged over the features.
     */
    public Block mbstdOnFeatures() {
        int g = dMbstdGroup;
        return new Lambda("MinibatchStdDev(group=" + g + ", features)", x -> {
            long n = x.getShape().get(0);
            long f = x.getShape().get(1);
            return MinibatchStdDev.minibatchStdDev(x.reshape(n, f, 1, 1), g).reshape(n, f + 1);
        }, s -> new Shape(s.get(0), s.get(1) + 1));
    }

    /** Minibatch discrimination on flat features {@code (N, A) -> (N, A + B)}. */
    public MinibatchDiscrimination minibatchLayer() {
        return new MinibatchDiscrimination(dMinibatchKernels, dMinibatchKernelDim);
    }

    /**
     * Adds to a conv head what goes on its input map, in this order: minibatch stddev, then minibatch
     * discrimination on the map ({@link MinibatchDiscriminationMap}); each when asked for.
     */
    public void addMapParts(SequentialBlock head) {
        addMbstd(head);
        if (minibatchDiscrimination()) {
            head.add(new MinibatchDiscriminationMap(dMinibatchKernels, dMinibatchKernelDim));
        }
    }
}
