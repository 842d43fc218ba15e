package dev.ganlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Class-balanced batches and the errors of conditioning on data without usable labels. */
class ClassBalancedSamplerTest {

    /** Classes of 2, 10 and 48 images (label = class), each image's first pixel its index. */
    private static ImageDataset unbalanced() {
        List<byte[]> px = new ArrayList<>();
        int[] sizes = {2, 10, 48};
        int[] labels = new int[60];
        int i = 0;
        for (int c = 0; c < sizes.length; c++) {
            for (int k = 0; k < sizes[c]; k++) {
                px.add(new byte[] {(byte) i, 0, 0, 0});
                labels[i++] = c;
            }
        }
        return new ImageDataset("unbalanced", 1, 2, 2, px, labels, List.of("small", "middle", "large"));
    }

    @Test
    void everyRoundOfKPositionsDrawsEachClassOnceAndEachClassCyclesThroughItsImages() {
        ImageDataset ds = unbalanced();
        ClassBalancedSampler s = new ClassBalancedSampler(ds, 3, false);
        int[] counts = new int[3];
        List<Set<Integer>> seen = List.of(new HashSet<>(), new HashSet<>(), new HashSet<>());
        for (long p = 0; p < 3 * 48; p++) {
            int idx = s.indexAt(p);
            int c = ds.label(idx);
            assertEquals(s.classAt(p), c);
            counts[c]++;
            seen.get(c).add(idx);
            if (p % 3 == 2) {
                assertEquals(counts[0], counts[1], "after round " + p / 3);
                assertEquals(counts[1], counts[2], "after round " + p / 3);
            }
        }
        assertArrayEquals(new int[] {48, 48, 48}, counts);
        assertEquals(2, seen.get(0).size());
        assertEquals(10, seen.get(1).size());
        assertEquals(48, seen.get(2).size(), "48 draws of the large class are one pass over it");
        // A pure function of (seed, position): a new sampler (a resumed run) draws the same.
        ClassBalancedSampler again = new ClassBalancedSampler(ds, 3, false);
        assertArrayEquals(s.labels(100, 16), again.labels(100, 16));
        int[] batch = s.labels(7, 5);
        for (int i = 0; i < 5; i++) {
            assertEquals(s.classAt(7 + i), batch[i]);
        }
    }

    @Test
    void conditioningOnUnlabelledDataOrAnEmptyClassOrABadLabelIsRejectedByName() {
        ImageDataset plain = new ImageDataset("plain", 1, 2, 2, List.of(new byte[4], new byte[4]), null, List.of());
        UserError e = assertThrows(UserError.class, () -> new ClassBalancedSampler(plain, 1, false));
        assertTrue(e.getMessage().contains("data set plain has none"), e.getMessage());
        ImageDataset gap = new ImageDataset("gap", 1, 2, 2, List.of(new byte[4], new byte[4]), new int[] {0, 2},
                List.of("a", "b", "c"));
        e = assertThrows(UserError.class, () -> ClassLabels.requireEveryClass(gap, "cond=projection"));
        assertTrue(e.getMessage().contains("class 1 ('b') of data set gap has no images"), e.getMessage());
        e = assertThrows(UserError.class, () -> ClassLabels.checkLabel(gap, 3, "sample --class"));
        assertTrue(e.getMessage().contains("class 3 is outside 0..2 of data set gap (0=a, 1=b, 2=c)"), e.getMessage());
        ClassLabels.checkLabel(gap, 2, "sample --class");
        assertArrayEquals(new int[] {1, 0, 1}, ClassLabels.counts(gap));
    }
}
