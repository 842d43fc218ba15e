package dev.ganlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.ganlab.core.GanLab;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DiffAugmentTest {

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    private static float[] randoms(long seed, int n, double lo, double hi) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return v;
    }

    /** Gradient of sum(f(x) * r) with respect to x. */
    private static float[] gradient(NDArray x, UnaryOperator<NDArray> f, NDArray r) {
        NDArray xg = x.duplicate();
        xg.setRequiresGradient(true);
        try (dev.ganlab.core.StepScope autogradScope = new dev.ganlab.core.StepScope(); GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            gc.backward(f.apply(xg).mul(r).sum());
        }
        return xg.getGradient().toFloatArray();
    }

    // ---- colour ----

    @Test
    void colourFormulasMatchHandComputations() {
        try (NDManager m = GanLab.newManager()) {
            int n = 2, c = 3, p = 4; // 2x2 pixels
            float[] v = randoms(1, n * c * p, -1, 1);
            NDArray x = m.create(v, new Shape(n, c, 2, 2));
            float[] u = {0.2f, 0.9f};
            NDArray ua = m.create(u);
            float[] b = DiffAugment.brightness(x, ua).toFloatArray();
            float[] s = DiffAugment.saturation(x, ua).toFloatArray();
            float[] k = DiffAugment.contrast(x, ua).toFloatArray();
            for (int i = 0; i < n; i++) {
                double imageMean = 0;
                for (int j = 0; j < c * p; j++) {
                    imageMean += v[i * c * p + j];
                }
                imageMean /= c * p;
                for (int ch = 0; ch < c; ch++) {
                    for (int q = 0; q < p; q++) {
                        int at = (i * c + ch) * p + q;
                        double pixelMean = 0;
                        for (int ch2 = 0; ch2 < c; ch2++) {
                            pixelMean += v[(i * c + ch2) * p + q];
                        }
                        pixelMean /= c;
                        assertEquals(v[at] + u[i] - 0.5, b[at], 1e-6, "brightness");
                        assertEquals((v[at] - pixelMean) * 2 * u[i] + pixelMean, s[at], 1e-6, "saturation");
                        assertEquals((v[at] - imageMean) * (u[i] + 0.5) + imageMean, k[at], 1e-6, "contrast");
                    }
                }
            }
        }
    }

    @Test
    void randomColourDrawsOneUniformPerImageFromTheEngineInOrder() {
        try (NDManager m = GanLab.newManager()) {
            NDArray x = m.create(randoms(2, 4 * 3 * 16, -1, 1), new Shape(4, 3, 4, 4));
            Shape draw = new Shape(4, 1, 1, 1);
            GanLab.seedEngine(21);
            NDArray y = DiffAugment.parse("color").apply(x);
            GanLab.seedEngine(21);
            NDArray u1 = m.randomUniform(0f, 1f, draw, DataType.FLOAT32);
            NDArray u2 = m.randomUniform(0f, 1f, draw, DataType.FLOAT32);
            NDArray u3 = m.randomUniform(0f, 1f, draw, DataType.FLOAT32);
            NDArray expected = DiffAugment.contrast(DiffAugment.saturation(DiffAugment.brightness(x, u1), u2), u3);
            assertArrayEquals(expected.toFloatArray(), y.toFloatArray(), 1e-6f);
            assertTrue(u1.toFloatArray()[0] != u1.toFloatArray()[1], "a draw per image");
        }
    }

    @Test
    void colourOpsPassGradientsToTheInput() {
        try (NDManager m = GanLab.newManager()) {
            Shape s = new Shape(2, 3, 4, 4);
            NDArray x = m.create(randoms(3, (int) s.size(), -1, 1), s);
            NDArray r = m.create(randoms(4, (int) s.size(), -1, 1), s);
            NDArray u = m.create(new float[] {0.3f, 0.8f});
            assertArrayEquals(r.toFloatArray(), gradient(x, v -> DiffAugment.brightness(v, u), r), 1e-6f);
            // saturation and contrast: directional finite differences of sum(f(x) * r)
            NDArray d = m.create(randoms(5, (int) s.size(), -1, 1), s);
            List<UnaryOperator<NDArray>> ops = List.of(v -> DiffAugment.saturation(v, u), v -> DiffAugment.contrast(v, u));
            for (UnaryOperator<NDArray> f : ops) {
                float[] g = gradient(x, f, r);
                double analytic = 0;
                float[] dv = d.toFloatArray();
                for (int i = 0; i < g.length; i++) {
                    assertTrue(Float.isFinite(g[i]));
                    analytic += g[i] * dv[i];
                }
                double eps = 1e-2;
                double plus = f.apply(x.add(d.mul(eps))).mul(r).sum().getFloat();
                double minus = f.apply(x.sub(d.mul(eps))).mul(r).sum().getFloat();
                assertEquals((plus - minus) / (2 * eps), analytic, 1e-3 * Math.max(1, Math.abs(analytic)));
                assertTrue(Math.abs(analytic) > 1e-3, "non-zero gradient");
            }
        }
    }

    // ---- translation ----

    private static float[] shiftedByHand(float[] v, int n, int c, int h, int w, int[] dy, int[] dx) {
        float[] out = new float[v.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int r = 0; r < h; r++) {
                    for (int q = 0; q < w; q++) {
                        int sr = r + dy[i];
                        int sq = q + dx[i];
                        boolean inside = sr >= 0 && sr < h && sq >= 0 && sq < w;
                        out[((i * c + ch) * h + r) * w + q] = inside ? v[((i * c + ch) * h + sr) * w + sq] : 0f;
                    }
                }
            }
        }
        return out;
    }

    @Test
    void translateShiftsByTheGivenWholePixelsAndFillsWithZeros() {
        try (NDManager m = GanLab.newManager()) {
            int n = 2, c = 2, h = 5, w = 6;
            float[] v = randoms(6, n * c * h * w, 0.5, 1);
            NDArray x = m.create(v, new Shape(n, c, h, w));
            int[] dy = {1, -2};
            int[] dx = {-1, 3};
            NDArray y = DiffAugment.translate(x, m.create(dy), m.create(dx));
            assertEquals(x.getShape(), y.getShape());
            assertArrayEquals(shiftedByHand(v, n, c, h, w, dy, dx), y.toFloatArray(), 0f);
        }
    }

    @Test
    void translationMovesTheGradientWithTheImage() {
        try (NDManager m = GanLab.newManager()) {
            int n = 2, c = 1, h = 6, w = 6;
            NDArray x = m.create(randoms(7, n * c * h * w, -1, 1), new Shape(n, c, h, w));
            float[] rv = randoms(8, n * c * h * w, 0.5, 1);
            NDArray r = m.create(rv, x.getShape());
            int[] dy = {2, 0};
            int[] dx = {-1, 1};
            float[] g = gradient(x, v -> DiffAugment.translate(v, m.create(dy), m.create(dx)), r);
            // out[i, j] = x[i + dy, j + dx], so d/dx[a, b] = r[a - dy, b - dx] where that is inside, else 0
            float[] expected = shiftedByHand(rv, n, c, h, w, new int[] {-dy[0], -dy[1]}, new int[] {-dx[0], -dx[1]});
            assertArrayEquals(expected, g, 1e-6f);
            int zeros = 0;
            for (float gi : g) {
                zeros += gi == 0f ? 1 : 0;
            }
            assertEquals((h * w - (h - 2) * (w - 1)) + (h * w - h * (w - 1)), zeros, "pixels shifted out get no gradient");
        }
    }

    @Test
    void randomTranslationShiftsEachImageByAtMostAnEighthOfItsSide() {
        try (NDManager m = GanLab.newManager()) {
            int n = 8, h = 16, w = 16;
            float[] v = randoms(9, n * h * w, 1, 2);
            NDArray x = m.create(v, new Shape(n, 1, h, w));
            GanLab.seedEngine(4);
            float[] y = DiffAugment.translation(x, DiffAugment.TRANSLATION_RATIO).toFloatArray();
            GanLab.seedEngine(4);
            assertArrayEquals(y, DiffAugment.translation(x, DiffAugment.TRANSLATION_RATIO).toFloatArray(), 0f,
                    "a seeded call replays");
            int s = DiffAugment.maxShift(h, DiffAugment.TRANSLATION_RATIO);
            assertEquals(2, s);
            Set<String> shifts = new HashSet<>();
            for (int i = 0; i < n; i++) {
                float[] img = java.util.Arrays.copyOfRange(v, i * h * w, (i + 1) * h * w);
                float[] out = java.util.Arrays.copyOfRange(y, i * h * w, (i + 1) * h * w);
                String found = null;
                for (int a = -s; a <= s; a++) {
                    for (int b = -s; b <= s; b++) {
                        if (java.util.Arrays.equals(out, shiftedByHand(img, 1, 1, h, w, new int[] {a}, new int[] {b}))) {
                            found = a + "," + b;
                        }
                    }
                }
                assertTrue(found != null, "image " + i + " is a shift of at most " + s + " pixels");
                shifts.add(found);
            }
            assertTrue(shifts.size() > 1, "shifts are drawn per image: " + shifts);
        }
    }

    // ---- cutout ----

    @Test
    void cutoutZeroesTheGivenSquareInEveryChannelAndItsGradient() {
        try (NDManager m = GanLab.newManager()) {
            int n = 2, c = 3, h = 8, w = 8;
            NDArray x = m.create(randoms(10, n * c * h * w, 1, 2), new Shape(n, c, h, w));
            int[] cy = {4, 0};
            int[] cx = {4, 7};
            int size = DiffAugment.cutoutSize(h, DiffAugment.CUTOUT_RATIO);
            assertEquals(4, size);
            NDArray y = DiffAugment.cutout(x, m.create(cy), m.create(cx), size, size);
            float[] xv = x.toFloatArray();
            float[] yv = y.toFloatArray();
            NDArray r = m.ones(x.getShape());
            float[] g = gradient(x, v -> DiffAugment.cutout(v, m.create(cy), m.create(cx), size, size), r);
            int[] cutPerChannel = new int[n];
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int a = 0; a < h; a++) {
                        for (int b = 0; b < w; b++) {
                            int at = ((i * c + ch) * h + a) * w + b;
                            boolean cut = a >= cy[i] - size / 2 && a < cy[i] - size / 2 + size
                                    && b >= cx[i] - size / 2 && b < cx[i] - size / 2 + size;
                            assertEquals(cut ? 0f : xv[at], yv[at], 0f);
                            assertEquals(cut ? 0f : 1f, g[at], 0f, "gradient zero exactly in the cut");
                            cutPerChannel[i] += cut && ch == 0 ? 1 : 0;
                        }
                    }
                }
            }
            assertEquals(size * size, cutPerChannel[0], "a full square inside the image");
            assertEquals(2 * 3, cutPerChannel[1], "clipped by the corner: rows 0..1, columns 5..7");
        }
    }

    @Test
    void randomCutoutZeroesOneSquareOfHalfTheSidePerImageClippedAtTheBorder() {
        try (NDManager m = GanLab.newManager()) {
            int n = 16, c = 2, h = 16, w = 16;
            float[] xv = randoms(11, n * c * h * w, 1, 2); // no zeros of its own
            NDArray x = m.create(xv, new Shape(n, c, h, w));
            GanLab.seedEngine(8);
            float[] y = DiffAugment.cutout(x, DiffAugment.CUTOUT_RATIO).toFloatArray();
            int size = DiffAugment.cutoutSize(h, DiffAugment.CUTOUT_RATIO);
            Set<String> places = new HashSet<>();
            for (int i = 0; i < n; i++) {
                int top = h, bottom = -1, left = w, right = -1, zeros = 0;
                for (int a = 0; a < h; a++) {
                    for (int b = 0; b < w; b++) {
                        int at0 = ((i * c) * h + a) * w + b;
                        boolean z = y[at0] == 0f;
                        for (int ch = 1; ch < c; ch++) {
                            assertEquals(z, y[at0 + ch * h * w] == 0f, "the same cut in every channel");
                        }
                        if (z) {
                            zeros++;
                            top = Math.min(top, a);
                            bottom = Math.max(bottom, a);
                            left = Math.min(left, b);
                            right = Math.max(right, b);
                        } else {
                            assertEquals(xv[at0], y[at0], 0f, "kept pixels unchanged");
                        }
                    }
                }
                int rows = bottom - top + 1;
                int cols = right - left + 1;
                assertEquals(rows * cols, zeros, "image " + i + ": the cut is a rectangle");
                assertTrue(rows <= size && cols <= size, "at most " + size + " square");
                assertTrue(rows == size || top == 0 || bottom == h - 1, "rows clipped only by a border");
                assertTrue(cols == size || left == 0 || right == w - 1, "columns clipped only by a border");
                places.add(top + "," + left);
            }
            assertTrue(places.size() > 1, "positions are drawn per image");
        }
    }

    // ---- policy ----

    @Test
    void policyKeepsOrderAndRejectsUnknownOps() {
        assertEquals(List.of(DiffAugment.Op.COLOR, DiffAugment.Op.TRANSLATION, DiffAugment.Op.CUTOUT),
                DiffAugment.parse("color,translation,cutout").ops());
        assertEquals(List.of(DiffAugment.Op.CUTOUT, DiffAugment.Op.COLOR), DiffAugment.parse(" cutout , color").ops());
        assertEquals("cutout,color", DiffAugment.parse(" cutout , color").policy());
        assertTrue(DiffAugment.parse("").isIdentity());
        assertTrue(DiffAugment.parse("  ").isIdentity());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DiffAugment.parse("color,zoom"));
        assertTrue(e.getMessage().contains("'zoom'") && e.getMessage().contains("color, translation, cutout"), e.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> DiffAugment.parse("color,,cutout"));
        assertTrue(empty.getMessage().contains("''"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DiffAugment.parse("Color"));
    }

    @Test
    void fullPolicyKeepsShapesReplaysWhenSeededAndPassesGradients() {
        try (NDManager m = GanLab.newManager()) {
            Shape s = new Shape(4, 3, 16, 16);
            NDArray x = m.create(randoms(12, (int) s.size(), -1, 1), s);
            DiffAugment aug = DiffAugment.parse("color,translation,cutout");
            assertSame(x, DiffAugment.none().apply(x));
            GanLab.seedEngine(99);
            NDArray y1 = aug.apply(x);
            GanLab.seedEngine(99);
            NDArray y2 = aug.apply(x);
            assertEquals(s, y1.getShape());
            assertArrayEquals(y1.toFloatArray(), y2.toFloatArray(), 0f);
            assertTrue(y1.sub(x).abs().max().getFloat() > 0.01f, "the batch changed");
            NDArray r = m.create(randoms(13, (int) s.size(), -1, 1), s);
            float[] g = gradient(x, aug::apply, r);
            int nonZero = 0;
            for (float gi : g) {
                assertTrue(Float.isFinite(gi));
                nonZero += gi != 0f ? 1 : 0;
            }
            assertTrue(nonZero > g.length / 4, "gradient reaches most of the input: " + nonZero + " of " + g.length);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> aug.apply(m.zeros(new Shape(3, 16, 16))));
            assertTrue(e.getMessage().contains("(3, 16, 16)"), e.getMessage());
        }
    }
}
