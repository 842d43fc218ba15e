package dev.ganlab.models;

import dev.ganlab.models.fastgan.FastganConfig;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Where skip-layer excitation (SLE; Liu et al., "Towards Faster and Stabilized GAN Training for
 * High-fidelity Few-shot Image Synthesis", ICLR 2021, sec. 3.1) goes in a generator that was not
 * built with it (DCGAN, SNDCGAN, ProGAN; {@code mix.gSle}).
 *
 * <p>FastGAN lets the 4, 8, 16 and 32 px maps gate the channels of the 64, 128, 256 and 512 px maps
 * ({@link FastganConfig#G_SLE_SOURCES}): a map 16 times smaller, where the layout is settled, scales
 * the channels of a large map, where texture is drawn, so the low-resolution structure reaches the
 * high resolutions through a multiplication (the paper's point: a long skip at the cost of a
 * channel-wise gate, and a style/content split it shows by swapping the small map). The same pairs
 * are used here wherever the generator has both maps. The generators of this project at 16 to 32 px
 * (the sizes a CPU trains) have no 64 px map, so for a generator without any FastGAN pair the one pair
 * that keeps the idea is taken: its smallest map gates its largest, when the largest is at least 4
 * times larger (a skip over at least one block; a gate from the next block up would be an ordinary
 * squeeze-and-excitation). The source must be a multiple of 4 px (SLE pools it to 4x4).
 *
 * <p>A "map" here is a hidden feature map after its block's activation, up to and including the
 * last one before the layer that makes the image; the gate multiplies it before it goes on (to the
 * next block and, in ProGAN, to its toRGB layer), as FastGAN gates {@code feat_64} before it goes on
 * to {@code feat_128} and to the image.
 */
public final class SlePlacement {

    private SlePlacement() {}

    /** One gate: the map of side {@code source} gates the channels of the map of side {@code target}. */
    public record Pair(int source, int target) {}

    /**
     * The SLE pairs for a generator whose hidden maps have these sides (see the class comment), in
     * increasing target order; empty when none fits.
     */
    public static List<Pair> pairs(Collection<Integer> mapSides) {
        TreeSet<Integer> sides = new TreeSet<>(mapSides);
        List<Pair> pairs = new ArrayList<>();
        for (int target : sides) {
            Integer source = FastganConfig.G_SLE_SOURCES.get(target);
            if (source != null && sides.contains(source)) {
                pairs.add(new Pair(source, target));
            }
        }
        if (pairs.isEmpty() && !sides.isEmpty()) {
            int smallest = sides.first();
            int largest = sides.last();
            if (largest >= 4 * smallest && smallest % 4 == 0) {
                pairs.add(new Pair(smallest, largest));
            }
        }
        return pairs;
    }
}
