package dev.ganlab.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.cli.MainRunner;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.TinyRuns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memorisation check finds planted copies in feature and pixel space; the neighbours command. */
class MemorisationTest {

    @TempDir Path tmp;

    /** Smooth random blobs, 28 x 28 grey, so the feature network sees varied shapes. */
    private static List<byte[]> blobs(int n, long seed) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] p = new byte[28 * 28];
            double cx = 6 + 16 * r.nextDouble();
            double cy = 6 + 16 * r.nextDouble();
            double s = 2 + 6 * r.nextDouble();
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    double v = Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * s * s));
                    p[y * 28 + x] = (byte) Math.round(255 * Math.min(1, v + 0.1 * r.nextDouble()));
                }
            }
            out.add(p);
        }
        return out;
    }

    private static ImageDataset set(String name, List<byte[]> px) {
        return new ImageDataset(name, 1, 28, 28, px, null, List.of());
    }

    @Test
    void plantedCopiesAreFoundAtDistanceZeroAndCountedAsClose() {
        ImageDataset train = set("train", blobs(300, 1));
        ImageDataset held = set("held", blobs(60, 2));
        List<byte[]> fakePx = new ArrayList<>(blobs(6, 3));
        int[] copied = {5, 77, 250};
        for (int c : copied) {
            fakePx.add(train.pixels(c).clone());
        }
        ImageDataset fakes = set("fakes", fakePx);
        try (FeatureExtractor fx = Extractors.open("fmnist")) {
            Memorisation.Report r = Memorisation.check(fakes, train, held, fx, 3, 1);
            assertEquals(2, r.spaces().size());
            assertEquals("pixels", r.spaces().get(1).name());
            for (Memorisation.Space s : r.spaces()) {
                for (int i = 0; i < copied.length; i++) {
                    int f = 6 + i;
                    assertEquals(copied[i], s.fakes().indices()[f][0], s.name() + ": copy " + i);
                    assertEquals(0, s.fakes().distances()[f][0], 1e-4, s.name() + ": copy " + i);
                }
                // Held-out blobs are never exact copies, so the copies (3 of 9) sit under the 1% quantile.
                assertTrue(s.closeFraction() >= 3 / 9.0, s.summary());
                assertTrue(s.copyThreshold() > 0, s.summary());
            }
            assertTrue(r.summary().contains("60 of held"), r.summary());
            assertTrue(r.grid(4).getWidth() > 7 * 28, "fake + 3 + 3 neighbours per row");
            assertTrue(r.chart().getHeight() > 2 * 200, "one chart per space");
        }
    }

    @Test
    void withoutAHeldOutSetAFifthOfTheTrainingSetIsHeldOutAndLeftOutOfTheReferences() {
        ImageDataset train = set("train", blobs(50, 4));
        ImageDataset[] split = Memorisation.splitHeldOut(train, 7);
        assertEquals(40, split[0].size());
        assertEquals(10, split[1].size());
        Memorisation.Report r = Memorisation.check(set("fakes", blobs(4, 5)), train, null, null, 2, 7);
        assertEquals(40, r.train().size());
        assertEquals(1, r.spaces().size(), "pixels only without a feature network");
        // Held-out images are not their own neighbours: none is at distance 0.
        assertTrue(java.util.Arrays.stream(r.spaces().get(0).heldOutNearest()).allMatch(d -> d > 0));
        UserError e = assertThrows(UserError.class,
                () -> Memorisation.check(set("fakes", blobs(2, 5)), train, set("h", blobs(3, 6)), null, 51, 1));
        assertTrue(e.getMessage().contains("k 51 must be in 1..50"), e.getMessage());
    }

    @Test
    void theNeighboursCommandWritesAGridAndTheDistanceCharts() {
        Path run = tmp.resolve("run");
        TinyRuns.trainOneStep(TinyRuns.dcgan(), run);
        Path out = tmp.resolve("nn.png");
        String[] o = MainRunner.run("neighbours", "--run", run.toString(), "--n", "6", "--k", "2", "--out",
                out.toString(), "--features", "none");
        assertEquals("0", o[0], o[2]);
        assertTrue(o[1].contains("6 fakes") && o[1].contains("pixels"), o[1]);
        assertTrue(out.toFile().isFile() && tmp.resolve("nn-distances.png").toFile().isFile());
    }
}
