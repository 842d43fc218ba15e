package dev.ganlab.metrics;

import dev.ganlab.Slow;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlicedWassersteinTest {

    @Test
    void laplacianPyramidMatchesScipyMirrorConvolution() {
        Npy.Array img = Fixtures.npy("pyramid_image.npy");
        List<SlicedWasserstein.Level> levels = SlicedWasserstein.laplacianPyramid(img.values(), 3, 64, 64, 3);
        for (int i = 0; i < 3; i++) {
            Npy.Array ref = Fixtures.npy("pyramid_level" + i + ".npy");
            assertEquals(ref.shape()[1], levels.get(i).h());
            assertArrayEquals(ref.values(), levels.get(i).values(), 1e-9, "level " + i);
        }
    }

    @Test
    void levelsRunFromFullSizeDownTo16() {
        assertArrayEquals(new int[] {64, 32, 16}, SlicedWasserstein.resolutions(64, 64));
        assertArrayEquals(new int[] {28}, SlicedWasserstein.resolutions(28, 28));
        assertArrayEquals(new int[] {50, 25}, SlicedWasserstein.resolutions(50, 50));
        assertEquals(0, SlicedWasserstein.resolutions(15, 15).length);
    }

    @Test
    void descriptorsAtFixedCornersMatchNumpy() {
        float[] got = SlicedWasserstein.descriptors(Fixtures.images("swd_real.npy"), 3, 0, 2, corners("real", 0));
        double[] expected = Fixtures.npy("swd_desc_real_level0.npy").values();
        assertEquals(expected.length, got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], 1e-5, "component " + i);
        }
    }

    @Test
    void levelDistancesAtFixedDrawsMatchNumpy() {
        ImageDataset real = Fixtures.images("swd_real.npy");
        ImageDataset fake = Fixtures.images("swd_fake.npy");
        JsonArray expected = Fixtures.reference().getAsJsonObject("swd").getAsJsonArray("per_level");
        for (int level = 0; level < 2; level++) {
            double got = SlicedWasserstein.levelDistance(real, fake, 3, level, 2, corners("real", level),
                    corners("fake", level), directions(level));
            double want = expected.get(level).getAsDouble();
            assertEquals(want, got, 1e-5 * want, "level " + level);
        }
    }

    @Test
    void oneDimensionalGaussiansGiveTheClosedFormW1() {
        // In one dimension the only directions are +1 and -1, and SWD is W1: |mu| between N(0,1) and
        // N(mu,1), |1 - s| sqrt(2/pi) between N(0,1) and N(0,s^2). 200,000 samples: error about 0.003.
        JsonObject ref = Fixtures.reference().getAsJsonObject("swd_1d");
        Random r = new Random(4);
        int n = 200_000;
        float[] z = new float[n];
        float[] shifted = new float[n];
        float[] scaled = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = (float) r.nextGaussian();
            double w = r.nextGaussian();
            shifted[i] = (float) (w + 0.7);
            scaled[i] = (float) (1.5 * w);
        }
        float[][] dirs = {{1f, -1f}};
        assertEquals(ref.get("mean_shift_0.7").getAsDouble(), SlicedWasserstein.slicedDistance(z, shifted, 1, dirs),
                0.01);
        assertEquals(ref.get("scale_1.5").getAsDouble(), SlicedWasserstein.slicedDistance(z, scaled, 1, dirs), 0.01);
    }

    @Slow
    @Test
    void aSetAgainstItselfMeasuresOnlyTheDrawsAndGrowsWithNoise() {
        ImageDataset base = smoothImages(new Random(1), 64, 32);
        SlicedWasserstein.Result self = SlicedWasserstein.compute(base, base, 7);
        assertArrayEquals(new int[] {32, 16}, self.resolutions());
        // The two sides' positions are drawn independently (ProGAN): the same images give different
        // descriptor samples, so the distance is positive, and it stays below any real difference.
        assertTrue(self.meanX1e3() > 0, "identical positions for both sets: " + self.meanX1e3());
        double previous = self.meanX1e3();
        for (double sigma : new double[] {4, 16, 48}) {
            SlicedWasserstein.Result r = SlicedWasserstein.compute(base, noisy(base, sigma, new Random(2)), 7);
            assertTrue(r.meanX1e3() > previous, "noise " + sigma + ": " + r.meanX1e3() + " <= " + previous);
            previous = r.meanX1e3();
        }
    }

    @Test
    void cornersAreDrawnWhereTheNeighbourhoodFitsAndDifferBySeed() {
        int[] a = SlicedWasserstein.randomCorners(5000, 16, 20, 1);
        int[] b = SlicedWasserstein.randomCorners(5000, 16, 20, 2);
        int maxY = 0;
        int maxX = 0;
        for (int i = 0; i < a.length; i += 2) {
            assertTrue(a[i] >= 0 && a[i + 1] >= 0 && a[i] <= 16 - 7 && a[i + 1] <= 20 - 7, a[i] + ", " + a[i + 1]);
            maxY = Math.max(maxY, a[i]);
            maxX = Math.max(maxX, a[i + 1]);
        }
        assertEquals(9, maxY);     // every fitting position is reachable: 0..H-7
        assertEquals(13, maxX);
        assertFalse(java.util.Arrays.equals(a, b));
    }

    private static int[] corners(String set, int level) {
        double[] v = Fixtures.npy("swd_corners_" + set + "_level" + level + ".npy").values();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (int) v[i];
        }
        return out;
    }

    private static float[][] directions(int level) {
        Npy.Array a = Fixtures.npy("swd_dirs_level" + level + ".npy");
        int repeats = a.shape()[0];
        int per = a.shape()[1] * a.shape()[2];
        float[][] out = new float[repeats][per];
        for (int r = 0; r < repeats; r++) {
            for (int k = 0; k < per; k++) {
                out[r][k] = (float) a.values()[r * per + k];
            }
        }
        return out;
    }

    @Test
    void mismatchedSizesAreAUserError() {
        ImageDataset a = smoothImages(new Random(1), 4, 32);
        ImageDataset b = smoothImages(new Random(1), 4, 16);
        UserError e = assertThrows(UserError.class, () -> SlicedWasserstein.compute(a, b, 1));
        assertTrue(e.getMessage().contains("same size"), e.getMessage());
    }

    /** Smooth random RGB images: sums of a few random sinusoids. */
    static ImageDataset smoothImages(Random r, int n, int size) {
        List<byte[]> px = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[3 * size * size];
            for (int c = 0; c < 3; c++) {
                double fx = r.nextDouble() * 0.4;
                double fy = r.nextDouble() * 0.4;
                double ph = r.nextDouble() * 6;
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        double v = 128 + 90 * Math.sin(fx * x + fy * y + ph);
                        b[(c * size + y) * size + x] = (byte) Math.round(v);
                    }
                }
            }
            px.add(b);
        }
        return new ImageDataset("smooth", 3, size, size, px, null, List.of());
    }

    static ImageDataset noisy(ImageDataset src, double sigma, Random r) {
        List<byte[]> px = new ArrayList<>();
        for (int i = 0; i < src.size(); i++) {
            byte[] b = src.pixels(i).clone();
            for (int k = 0; k < b.length; k++) {
                long v = Math.round((b[k] & 0xFF) + sigma * r.nextGaussian());
                b[k] = (byte) Math.max(0, Math.min(255, v));
            }
            px.add(b);
        }
        return new ImageDataset("noisy", src.channels(), src.height(), src.width(), px, null, List.of());
    }
}
