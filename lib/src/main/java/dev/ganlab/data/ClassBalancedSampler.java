package dev.ganlab.data;

import dev.ganlab.core.UserError;

import java.util.ArrayList;
import java.util.List;

/**
 * Batches in which every class is equally frequent, whatever the class sizes (emoji categories range
 * from a few dozen to hundreds of images): positions come in rounds of K (the number of classes), each
 * round a seeded permutation of the classes, and the r-th draw from a class takes the next image of
 * that class's own seeded permutation (a fresh one each time the class is used up). Like
 * {@link BatchSampler} it is a pure function of (seed, position), so resumed runs see the same batches.
 * Small classes are repeated more often than large ones; an epoch is no longer one pass over the data.
 */
public final class ClassBalancedSampler extends BatchSampler {

    private final int[][] members;
    private final long balanceSeed;

    /**
     * @throws UserError when the data has no labels or a class has no images (naming set and class)
     */
    public ClassBalancedSampler(ImageDataset data, long seed, boolean hflip) {
        super(data, seed, hflip);
        ClassLabels.requireLabelled(data, "class-balanced sampling");
        ClassLabels.requireEveryClass(data, "class-balanced sampling");
        int k = data.classNames().size();
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < data.size(); i++) {
            byClass.get(data.label(i)).add(i);
        }
        this.members = new int[k][];
        for (int c = 0; c < k; c++) {
            members[c] = byClass.get(c).stream().mapToInt(Integer::intValue).toArray();
        }
        this.balanceSeed = Permutations.mix(seed, 0xBA1A4CEL);
    }

    /** The class drawn at a position. */
    public int classAt(long position) {
        int k = members.length;
        long round = position / k;
        int[] order = Permutations.of(k, Permutations.mix(balanceSeed, round));
        return order[(int) (position % k)];
    }

    @Override
    public int indexAt(long position) {
        int c = classAt(position);
        long draw = position / members.length; // each round draws every class once
        int n = members[c].length;
        long epoch = draw / n;
        int[] perm = Permutations.of(n, Permutations.mix(Permutations.mix(balanceSeed, c + 1), epoch));
        return members[c][perm[(int) (draw % n)]];
    }
}
