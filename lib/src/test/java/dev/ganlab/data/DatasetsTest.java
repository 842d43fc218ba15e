package dev.ganlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The packaged data sets (installed by environment/setup.sh) and spec parsing. */
class DatasetsTest {

    static boolean installed(String name) {
        return Datasets.catalog().stream().anyMatch(s -> s.name().equals(name) && s.installed());
    }

    @Test
    void fashionMnistSplitsAndLabels() {
        assumeTrue(installed("fashion-mnist"), "dataset-fashion-mnist is installed by environment/setup.sh");
        ImageDataset test = Datasets.load("fashion-mnist:test");
        assertEquals(10_000, test.size());
        assertEquals(28, test.width());
        assertEquals(1, test.channels());
        int[] counts = new int[10];
        for (int i = 0; i < test.size(); i++) {
            counts[test.label(i)]++;
        }
        for (int c : counts) {
            assertEquals(1000, c, "Fashion-MNIST test has 1000 images per class");
        }
        assertEquals("Ankle boot", test.classNames().get(9));
        ImageDataset head = Datasets.load("fashion-mnist?limit=100");
        assertEquals(100, head.size());
        assertEquals("fashion-mnist:train[:100]".substring(0, 19), head.name().substring(0, 19));
        ImageDataset bags = Datasets.load("fashion-mnist:test?classes=8");
        assertEquals(1000, bags.size());
        // a class subset is relabelled from 0: bags are class 0 of a one-class set
        assertTrue(java.util.stream.IntStream.range(0, bags.size()).allMatch(i -> bags.label(i) == 0));
        assertEquals(java.util.List.of("Bag"), bags.classNames());
    }

    @Test
    void aClassSubsetIsRelabelledZeroToKMinusOneInTheListedOrderAndSaysSo() {
        ImageDataset all = Datasets.load("synthetic:4?perMode=5");
        ImageDataset sub = Datasets.load("synthetic:4?perMode=5&classes=3,1");
        assertEquals(10, sub.size());
        assertEquals(java.util.List.of(all.classNames().get(3), all.classNames().get(1)), sub.classNames());
        assertTrue(sub.name().endsWith("?classes=3,1 as labels 0,1"), sub.name());
        // each kept image keeps its pixels and gets the new number of its old class
        java.util.List<Integer> old = new java.util.ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (all.label(i) == 3 || all.label(i) == 1) {
                old.add(i);
            }
        }
        assertEquals(old.size(), sub.size());
        for (int j = 0; j < sub.size(); j++) {
            int i = old.get(j);
            assertEquals(all.label(i) == 3 ? 0 : 1, sub.label(j), "image " + j);
            assertTrue(java.util.Arrays.equals(all.pixels(i), sub.pixels(j)), "pixels of image " + j);
        }
        DatasetException twice = assertThrows(DatasetException.class, () -> Datasets.load("synthetic:4?classes=1,1"));
        assertTrue(twice.getMessage().contains("class 1 is listed twice"), twice.getMessage());
        DatasetException outside = assertThrows(DatasetException.class, () -> Datasets.load("synthetic:4?classes=4"));
        assertTrue(outside.getMessage().contains("class 4 is outside 0..3"), outside.getMessage());
    }

    @Test
    void emojiCategoriesAndCompositing() {
        assumeTrue(installed("emoji"), "the emoji npm package is installed by environment/setup.sh");
        ImageDataset smileys = Datasets.load("emoji:smileys");
        assertTrue(smileys.size() >= 100 && smileys.size() <= 250, "smileys: " + smileys.size());
        assertEquals(3, smileys.channels());
        assertEquals(64, smileys.width());
        assertTrue(java.util.stream.IntStream.range(0, smileys.size()).allMatch(i -> smileys.label(i) == 0));
        // corners of an emoji are transparent in the PNG: composited on white.
        byte[] p = smileys.pixels(0);
        assertEquals(255, p[0] & 0xFF);
        assertEquals(255, p[64 * 64 * 2] & 0xFF);
        ImageDataset two = Datasets.load("emoji:smileys,animals");
        assertTrue(two.size() > smileys.size());
        ImageDataset small = Datasets.load("emoji:food", LoadOptions.defaults().withResolution(32));
        assertEquals(32, small.height());
        // the same through the spec (what `ganlab metrics --real` can pass), overriding the options' size
        ImageDataset viaSpec = Datasets.load("emoji:food?resolution=32", LoadOptions.defaults().withResolution(48));
        assertEquals(32, viaSpec.height());
        assertEquals(32, viaSpec.width());
        assertEquals(small.size(), viaSpec.size());
        assertArrayEquals(small.pixels(0), viaSpec.pixels(0));
        DatasetException bad = assertThrows(DatasetException.class, () -> Datasets.load("emoji:food?resolution=0"));
        assertTrue(bad.getMessage().contains("emoji:food?resolution=0") && bad.getMessage().contains("positive"),
                bad.getMessage());
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.load("emoji:puppies"));
        assertTrue(e.getMessage().contains("puppies") && e.getMessage().contains("smileys"), e.getMessage());
    }

    @Test
    void unknownNamesAndOptionsAreRejectedWithTheFix() {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.load("celeba"));
        assertTrue(e.getMessage().contains("celeba") && e.getMessage().contains("fashion-mnist"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> Datasets.load("fashion-mnist?size=3"));
        assertTrue(e.getMessage().contains("unknown option 'size'"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> Datasets.load("fashion-mnist:validation"));
        assertTrue(e.getMessage().contains("validation"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> Datasets.load("mnist"));
        assertTrue(e.getMessage().contains("needs a path"), e.getMessage());
    }

    @Test
    void aSplitGivenTwiceMustAgree() {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.load("fashion-mnist:test?split=train"));
        assertTrue(e.getMessage().contains("the split is given twice, ':test' and 'split=train'"), e.getMessage());
        assertEquals(Datasets.load("fashion-mnist:test?split=test&limit=5").name(),
                Datasets.load("fashion-mnist?split=test&limit=5").name());
    }

    @Test
    void checkSpecFindsWhatLoadingWouldWithoutLoading(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        Datasets.checkSpec("fashion-mnist:test");
        Datasets.checkSpec("emoji:smileys?limit=100&resolution=64");
        Datasets.checkSpec("folder:" + tmp + "?labels=dirs");
        Datasets.checkSpec(tmp.toString());
        for (String[] bad : new String[][] {
                {"celeba", "unknown data set 'celeba'"},
                {"fashion-mnist:validation", "split 'validation'"},
                {"fashion-mnist?split=dev", "split=dev"},
                {"emoji?limit=ten", "limit=ten is not a number"},
                {"emoji?resolution=0", "resolution=0 must be a positive number"},
                {"folder:" + tmp.resolve("absent"), "folder " + tmp.resolve("absent") + " does not exist"},
                {"cifar10", "needs a path"},
                {"emoji:smiley", "unknown emoji category 'smiley'"}}) {
            DatasetException e = assertThrows(DatasetException.class, () -> Datasets.checkSpec(bad[0]), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
    }

    @Test
    void missingPackagedDataSetSaysWhichCommandInstallsIt() throws Exception {
        String old = System.getProperty("ganlab.fashion_mnist");
        System.setProperty("ganlab.fashion_mnist", Files.createTempDirectory("empty").toString());
        try {
            DatasetException e = assertThrows(DatasetException.class, () -> Datasets.load("fashion-mnist"));
            assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
            // A run's eval.real is checked where the run starts: the same words, before anything loads.
            DatasetException early = assertThrows(DatasetException.class, () -> Datasets.checkSpec("fashion-mnist:test"));
            assertTrue(early.getMessage().contains("lacks t10k-images-idx3-ubyte"), early.getMessage());
            assertTrue(early.getMessage().contains("apt-get install dataset-fashion-mnist"), early.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty("ganlab.fashion_mnist");
            } else {
                System.setProperty("ganlab.fashion_mnist", old);
            }
        }
        String oldEmoji = System.getProperty("ganlab.emoji");
        System.setProperty("ganlab.emoji", "/nonexistent/emoji");
        try {
            DatasetException e = assertThrows(DatasetException.class, () -> Datasets.load("emoji"));
            assertTrue(e.getMessage().contains("environment/setup.sh"), e.getMessage());
            DatasetException early = assertThrows(DatasetException.class, () -> Datasets.checkSpec("emoji:smileys"));
            assertTrue(early.getMessage().contains("emoji data not found at /nonexistent/emoji"), early.getMessage());
        } finally {
            if (oldEmoji == null) {
                System.clearProperty("ganlab.emoji");
            } else {
                System.setProperty("ganlab.emoji", oldEmoji);
            }
        }
    }
}
