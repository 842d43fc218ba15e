package dev.ganlab.metrics;

import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void setWithItselfIsNearZeroAndGrowsWithNoise() {
        ImageDataset base = smoothImages(new Random(1), 64, 32);
        SlicedWasserstein.Result self = SlicedWasserstein.compute(base, base, 7);
        assertArrayEquals(new int[] {32, 16}, self.resolutions());
        assertEquals(0.0, self.meanX1e3(), 1e-9);
        double previous = self.meanX1e3();
        for (double sigma : new double[] {4, 16, 48}) {
            SlicedWasserstein.Result r = SlicedWasserstein.compute(base, noisy(base, sigma, new Random(2)), 7);
            assertTrue(r.meanX1e3() > previous, "noise " + sigma + ": " + r.meanX1e3() + " <= " + previous);
            previous = r.meanX1e3();
        }
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
