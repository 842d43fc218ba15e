package dev.ganlab.latent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.cli.MainRunner;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.metrics.Evaluator;
import dev.ganlab.TinyRuns;
import dev.ganlab.train.TrainedGenerator;
import dev.ganlab.viz.PngFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Latent tools on tiny runs (one training step each): latents and images agree with {@code sample},
 * truncation at psi 0 and 1 for uniform (DCGAN default) and pixel-normalised (ProGAN) latents, the
 * arithmetic's result image, the interpolate and truncation commands.
 */
class LatentExplorerTest {

    @TempDir static Path tmp;

    static Path dcgan;
    static Path progan;

    @BeforeAll
    static void trainTinyRuns() {
        dcgan = tmp.resolve("dcgan");
        TinyRuns.trainOneStep(TinyRuns.dcgan(), dcgan);

        progan = tmp.resolve("progan");
        TinyRuns.trainOneStep(TinyRuns.progan(), progan);
    }

    private static int maxPixelDifference(ImageDataset a, int i, ImageDataset b, int j) {
        byte[] x = a.pixels(i);
        byte[] y = b.pixels(j);
        assertEquals(x.length, y.length);
        int m = 0;
        for (int k = 0; k < x.length; k++) {
            m = Math.max(m, Math.abs((x[k] & 0xFF) - (y[k] & 0xFF)));
        }
        return m;
    }

    private static void assertSameImages(ImageDataset a, ImageDataset b, int tolerance, String what) {
        assertEquals(a.size(), b.size(), what);
        for (int i = 0; i < a.size(); i++) {
            int d = maxPixelDifference(a, i, b, i);
            assertTrue(d <= tolerance, what + ": image " + i + " differs by " + d + " levels");
        }
    }

    @Test
    void theDcganDefaultsLatentsAreUniformAndReproduceSample() {
        try (TrainedGenerator g = TrainedGenerator.load(dcgan)) {
            LatentExplorer x = new LatentExplorer(g, false);
            assertEquals(LatentPrior.UNIFORM, x.prior());
            float[][] z = g.latents(70, 3); // crosses the 64-latent chunk boundary of sample()
            for (float[] v : z) {
                assertEquals(8, v.length);
                for (float f : v) {
                    assertTrue(f >= -1 && f <= 1, "uniform latent component " + f);
                }
            }
            assertSameImages(g.sample(70, false, 3), g.generate(z, false, "z"), 0, "generate(latents) vs sample");
            // The latent of a seed is the first image of sample --seed.
            assertArrayEquals(z[0], x.latent(3), 0f);
        }
    }

    @Test
    void truncationAtPsiOneChangesNothingAndAtPsiZeroGivesTheImageOfTheZeroLatent() {
        try (TrainedGenerator g = TrainedGenerator.load(dcgan)) {
            LatentExplorer x = new LatentExplorer(g, false);
            assertSameImages(g.sample(6, false, 11), x.truncated(6, 11, 1.0), 0, "psi 1");
            ImageDataset zero = x.truncated(6, 11, 0.0);
            ImageDataset g0 = x.images(new float[][] {new float[8]}, "G(0)");
            for (int i = 0; i < zero.size(); i++) {
                assertEquals(0, maxPixelDifference(zero, i, g0, 0), "psi 0, image " + i);
            }
            // In between, the uniform cube shrinks: the latents are psi times the drawn ones.
            float[][] z = g.latents(6, 11);
            ImageDataset half = x.truncated(6, 11, 0.5);
            float[][] zHalf = new float[6][8];
            for (int i = 0; i < 6; i++) {
                for (int k = 0; k < 8; k++) {
                    zHalf[i][k] = 0.5f * z[i][k];
                }
            }
            assertSameImages(x.images(zHalf, "half"), half, 0, "psi 0.5");
            assertThrows(UserError.class, () -> x.truncated(2, 1, 1.2));
        }
    }

    @Test
    void proganIgnoresTruncationAbovePsiZeroBecauseItNormalisesTheLatent() {
        try (TrainedGenerator g = TrainedGenerator.load(progan)) {
            LatentExplorer x = new LatentExplorer(g, false);
            assertEquals(LatentPrior.SPHERE, x.prior());
            ImageDataset one = x.truncated(6, 5, 1.0);
            assertSameImages(g.sample(6, false, 5), one, 0, "psi 1");
            // Pixel norm's epsilon (1e-8) is the only difference: at most one 8-bit level from rounding.
            assertSameImages(one, x.truncated(6, 5, 0.3), 1, "psi 0.3 vs 1");
            ImageDataset zero = x.truncated(6, 5, 0.0);
            for (int i = 1; i < zero.size(); i++) {
                assertEquals(0, maxPixelDifference(zero, 0, zero, i), "psi 0: one image, image " + i);
            }
            boolean differs = false;
            for (int i = 0; i < 6; i++) {
                differs |= maxPixelDifference(one, i, zero, 0) > 2;
            }
            assertTrue(differs, "G(0) should differ from the untruncated samples");
        }
    }

    @Test
    void interpolationEndsAtTheSeedsImagesAndArithmeticRendersTheResultOfTheMeans() {
        try (TrainedGenerator g = TrainedGenerator.load(dcgan)) {
            LatentExplorer x = new LatentExplorer(g, false);
            for (boolean slerp : new boolean[] {false, true}) {
                ImageDataset s = x.interpolation(1, 2, 5, slerp);
                assertEquals(5, s.size());
                assertEquals(0, maxPixelDifference(s, 0, g.sample(1, false, 1), 0), "start, slerp=" + slerp);
                assertEquals(0, maxPixelDifference(s, 4, g.sample(1, false, 2), 0), "end, slerp=" + slerp);
            }
            LatentExplorer.Arithmetic a = x.arithmetic(new long[] {1, 2, 3}, new long[] {4, 5}, new long[] {6}, 3, 9);
            float[] expected = new float[8];
            for (int k = 0; k < 8; k++) {
                expected[k] = (x.latent(1)[k] + x.latent(2)[k] + x.latent(3)[k]) / 3
                        - (x.latent(4)[k] + x.latent(5)[k]) / 2 + x.latent(6)[k];
            }
            assertArrayEquals(expected, a.vector(), 1e-5f);
            assertEquals(4, a.a().size(), "three exemplars and their mean");
            assertEquals(4, a.result().size(), "the result and three variations");
            assertEquals(0, maxPixelDifference(a.result(), 0, x.images(new float[][] {expected}, "e"), 0));
            BufferedImage grid = a.grid();
            assertTrue(grid.getHeight() > 4 * 28 && grid.getWidth() > 4 * 28, grid.getWidth() + "x" + grid.getHeight());
        }
    }

    @Test
    void aTruncationSweepScoresEachPsiAndAtPsiZeroAllFakesAreOneImage() {
        try (TrainedGenerator g = TrainedGenerator.load(dcgan);
                Evaluator ev = TruncationSweep.evaluatorFor(g, "", "fmnist", 16, 1)) {
            TruncationSweep.Result r = TruncationSweep.run(new LatentExplorer(g, false), ev, new double[] {0, 1}, 16, 1);
            assertEquals("fid_fmnist", r.fidKey());
            assertEquals(2, r.rows().size());
            assertEquals(1.0, r.rows().get(0).msssimFake(), 1e-9, "psi 0: every pair is the same image");
            assertTrue(r.rows().get(1).msssimFake() < 1.0, r.table());
            assertTrue(r.rows().get(0).fid() > 0 && Double.isFinite(r.rows().get(1).fid()), r.table());
            assertTrue(r.table().contains("[-psi, psi]^d"), r.table());
            assertTrue(r.chart().getHeight() > 300);
        }
    }

    @Test
    void theCommandsWriteAStripAndPrintOneLinePerPsi() {
        Path strip = tmp.resolve("strip.png");
        String[] o = MainRunner.run("interpolate", "--run", dcgan.toString(), "--from", "1", "--to", "2", "--steps",
                "6", "--out", strip.toString(), "--slerp");
        assertEquals("0", o[0], o[2]);
        BufferedImage img = PngFiles.read(strip);
        assertTrue(img.getWidth() > 6 * img.getHeight() - 20, "one row of 6: " + img.getWidth() + "x" + img.getHeight());
        String[] t = MainRunner.run("truncation", "--run", dcgan.toString(), "--psi", "0.5,1.0", "--n", "16",
                "--features", "fmnist", "--out", tmp.resolve("trunc").toString());
        assertEquals("0", t[0], t[2]);
        assertTrue(t[1].contains(" 0.500 ") && t[1].contains(" 1.000 "), t[1]);
        assertTrue(tmp.resolve("trunc/chart.png").toFile().isFile() && tmp.resolve("trunc/grid.png").toFile().isFile());
        String[] bad = MainRunner.run("truncation", "--run", dcgan.toString(), "--psi", "2", "--n", "16");
        assertEquals("2", bad[0]);
        assertTrue(bad[2].contains("psi 2.0 must be in [0, 1]"), bad[2]);
    }
}
