package dev.ganlab.models.fastgan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.GanLab;
import dev.ganlab.loss.Params;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.train.TrainConfig;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * FastGAN as the official code builds it, by default: G's two outputs, D's two branches and three
 * decoders with their targets, the parameter counts against the architecture rebuilt in PyTorch
 * ({@code environment/reference/make_fastgan_fixtures.py} -> {@code fastgan/params.json}), and the
 * default settings.
 */
class FastganOfficialLayoutTest {

    @BeforeAll
    static void engine() {
        FastganModelTest.engine();
    }

    @AfterAll
    static void threads() {
        FastganModelTest.threads();
    }

    @Test
    void defaultsAreTheOfficialCodes() {
        FastganConfig d = new FastganConfig();
        assertEquals("official", d.upBlocks);
        assertTrue(d.smallBranch);
        assertEquals("official", d.outputTanh);
        assertEquals("nearest", d.resize);
        assertEquals("sum", d.reconReduction);
        assertEquals(1f, d.reconWeight);
        // official train.py: policy = 'color,translation'
        assertEquals("color,translation", FastganConfig.DIFFAUGMENT_POLICY);
        TrainConfig t = new TrainConfig();
        t.model = "fastgan";
        assertEquals("color,translation", t.resolved().augment);
        assertEquals("color,translation,cutout", FastganConfig.DIFFAUGMENT_WITH_CUTOUT);
        assertEquals(128, FastganConfig.smallSize(256));
        assertEquals(128, FastganConfig.smallSize(1024));
        assertEquals(64, FastganConfig.smallSize(128));
        assertEquals(32, FastganConfig.smallSize(64));
        assertFalse(d.tanhAt(256));
        assertFalse(d.tanhAt(512));
        assertTrue(d.tanhAt(1024));
    }

    @Test
    void generatorReturnsTheImageAndTheSmallImageAndDiscriminatorScoresBothBranches() {
        for (int res : new int[] {64, 128, 256}) {
            FastganModel model = new FastganModel(FastganModelTest.small(), 3, res);
            int s = FastganConfig.smallSize(res);
            try (NDManager m = GanLab.newManager()) {
                model.initializeGenerator(model.generator(), m);
                model.initializeDiscriminator(m);
                ParameterStore ps = new ParameterStore(m, false);
                NDList views = model.generateViews(model.generator(), ps, model.sampleLatent(m, 2), true);
                assertEquals(2, views.size());
                assertEquals(new Shape(2, 3, res, res), views.get(0).getShape(), "image at " + res);
                assertEquals(new Shape(2, 3, s, s), views.get(1).getShape(), "small image at " + res);
                Shape[] declared = model.generator().getOutputShapes(new Shape[] {new Shape(2, 16)});
                assertArrayEquals(new Shape[] {views.get(0).getShape(), views.get(1).getShape()}, declared);

                FastganDiscriminator d = model.discriminator();
                FastganDiscriminator.Features f = d.features(ps, views.get(0), views.get(1), false);
                assertEquals(new Shape(2, 8L * 4, 8, 8), f.map8().getShape(), "big branch 8x8 map (nfc[16] = 8 ndf)");
                assertEquals(new Shape(2, 4L * 4, 16, 16), f.map16().getShape(), "16x16 map (nfc[32] = 4 ndf)");
                assertEquals(new Shape(2, 4L * 4, 8, 8), f.small8().getShape(), "small branch 8x8 map (nfc[32] = 4 ndf)");
                NDArray logits = d.logits(ps, f, false);
                int per = 2 * FastganDiscriminator.SCORES_PER_IMAGE;
                assertEquals(new Shape(2L * per), logits.getShape());
                // the first half is the big branch's scores, the second the small branch's: changing
                // the small images moves only the second half
                NDArray other = m.randomUniform(-1f, 1f, views.get(1).getShape());
                NDArray logits2 = d.logits(ps, d.features(ps, views.get(0), other, false), false);
                assertArrayEquals(logits.get("0:" + per).toFloatArray(), logits2.get("0:" + per).toFloatArray(), 1e-6f);
                assertFalse(java.util.Arrays.equals(logits.get(per + ":").toFloatArray(), logits2.get(per + ":").toFloatArray()),
                        "the small branch scores the small images");
                // a real batch alone: the small branch sees it resized (nearest) to s
                NDArray reals = m.randomUniform(-1f, 1f, new Shape(2, 3, res, res));
                NDArray alone = model.discriminate(ps, reals, false, false).logits();
                NDArray pair = model.discriminateViews(ps,
                        new NDList(reals, FastganDiscriminator.resize(reals, s, "nearest")), false, false).logits();
                assertArrayEquals(pair.toFloatArray(), alone.toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    void withoutTheSmallBranchTheNetworksAreTheEarlierOneBranchVariant() {
        FastganModel model = new FastganModel(FastganModelTest.small(c -> c.smallBranch = false), 3, 64);
        try (NDManager m = GanLab.newManager()) {
            model.initializeGenerator(model.generator(), m);
            model.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDList views = model.generateViews(model.generator(), ps, model.sampleLatent(m, 2), true);
            assertEquals(1, views.size());
            DiscriminatorOutput out = model.discriminate(ps, views.get(0), true, true);
            assertEquals(new Shape(2L * FastganDiscriminator.SCORES_PER_IMAGE), out.logits().getShape());
            assertFalse(out.auxMetrics().containsKey(FastganModel.RECON_SMALL));
            assertNull(model.reconstruct(ps, views.get(0), 0, false).small());
            assertEquals(0, model.discriminator().smallReconstructionSize());
            assertTrue(model.generator().getParameters().keys().stream().noneMatch(k -> k.contains("to_small")));
            assertTrue(model.discriminator().getParameters().keys().stream().noneMatch(k -> k.contains("small")));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.discriminateViews(ps, new NDList(views.get(0), views.get(0)), false, false));
            assertTrue(e.getMessage().contains("smallBranch"), e.getMessage());
        }
    }

    /** Nearest downsampling as PyTorch's F.interpolate: output pixel i takes input pixel floor(i * H / s). */
    private static float[] nearest(float[] v, int n, int side, int r0, int c0, int crop, int out) {
        float[] o = new float[n * out * out];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < out; a++) {
                for (int b = 0; b < out; b++) {
                    int y = r0 + (int) Math.floor((double) a * crop / out);
                    int x = c0 + (int) Math.floor((double) b * crop / out);
                    o[(i * out + a) * out + b] = v[i * side * side + y * side + x];
                }
            }
        }
        return o;
    }

    @Test
    void threeDecodersReconstructTheImageItsQuadrantAndTheImageFromTheSmallBranch() {
        // 256 px as the official code: every decoder makes 128 px; targets: the image resized (nearest)
        // to 128, the quadrant crop (128 px, kept as is), the image resized to 128 again.
        FastganModel model = new FastganModel(FastganModelTest.small(), 1, 256);
        int[][] origin = {{0, 0}, {0, 128}, {128, 0}, {128, 128}}; // crop_image_by_part: TL, TR, BL, BR
        try (NDManager m = GanLab.newManager()) {
            model.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray images = m.randomUniform(-1f, 1f, new Shape(2, 1, 256, 256));
            float[] v = images.toFloatArray();
            for (int q = 0; q < 4; q++) {
                Reconstructions r = model.reconstruct(ps, images, q, false);
                assertEquals(new Shape(2, 1, 128, 128), r.full().getShape());
                assertEquals(new Shape(2, 1, 128, 128), r.part().getShape());
                assertEquals(new Shape(2, 1, 128, 128), r.small().getShape());
                assertArrayEquals(nearest(v, 2, 256, 0, 0, 256, 128), r.fullTarget().toFloatArray(), 0f);
                assertArrayEquals(nearest(v, 2, 256, origin[q][0], origin[q][1], 128, 128), r.partTarget().toFloatArray(), 0f,
                        "quadrant " + q);
                assertArrayEquals(nearest(v, 2, 256, 0, 0, 256, 128), r.smallTarget().toFloatArray(), 0f);
            }
        }
        // 128 px with 32 px decoders: the targets are every 4th pixel (every 2nd of the 64 px quadrant)
        FastganModel narrow = new FastganModel(FastganModelTest.small(c -> c.decoderSize = 32), 1, 128);
        try (NDManager m = GanLab.newManager()) {
            narrow.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray images = m.randomUniform(-1f, 1f, new Shape(2, 1, 128, 128));
            float[] v = images.toFloatArray();
            Reconstructions r = narrow.reconstruct(ps, images, 2, false);
            assertArrayEquals(nearest(v, 2, 128, 0, 0, 128, 32), r.fullTarget().toFloatArray(), 0f);
            assertArrayEquals(nearest(v, 2, 128, 64, 0, 64, 32), r.partTarget().toFloatArray(), 0f);
            assertEquals(32, narrow.discriminator().smallReconstructionSize());
            assertArrayEquals(nearest(v, 2, 128, 0, 0, 128, 32), r.smallTarget().toFloatArray(), 0f);
        }
    }

    @Test
    void thePartDecoderReadsExactlyTheChosenQuarterOfThe16x16Map() {
        // Official: decoder_part(feat_32[:, :, :8, :8]) for part 0, [:8, 8:] for 1, [8:, :8] for 2,
        // [8:, 8:] for 3. Replace everything outside that quarter with noise: the part reconstruction
        // (inference mode) must not change; replacing the quarter itself must change it.
        FastganModel model = new FastganModel(FastganModelTest.small(), 3, 64);
        int[][] rows = {{0, 8}, {0, 8}, {8, 16}, {8, 16}};
        int[][] cols = {{0, 8}, {8, 16}, {0, 8}, {8, 16}};
        try (NDManager m = GanLab.newManager()) {
            model.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray images = m.randomUniform(-1f, 1f, new Shape(2, 3, 64, 64));
            FastganDiscriminator d = model.discriminator();
            FastganDiscriminator.Features f = d.features(ps, images, null, false);
            float[] map = f.map16().toFloatArray();
            Shape s = f.map16().getShape();
            int c = (int) s.get(1);
            for (int q = 0; q < 4; q++) {
                float[] outside = map.clone();
                float[] inside = map.clone();
                java.util.Random rnd = new java.util.Random(q);
                for (int i = 0; i < map.length; i++) {
                    int y = (i / 16) % 16;
                    int x = i % 16;
                    boolean in = y >= rows[q][0] && y < rows[q][1] && x >= cols[q][0] && x < cols[q][1];
                    if (in) {
                        inside[i] = (float) rnd.nextGaussian();
                    } else {
                        outside[i] = (float) rnd.nextGaussian();
                    }
                }
                assertEquals(2L * c * 256, map.length);
                float[] base = d.reconstruct(ps, images, f, q, false).part().toFloatArray();
                float[] sameQuarter = d.reconstruct(ps, images,
                        new FastganDiscriminator.Features(f.map8(), m.create(outside, s), f.small8()), q, false).part().toFloatArray();
                float[] otherQuarter = d.reconstruct(ps, images,
                        new FastganDiscriminator.Features(f.map8(), m.create(inside, s), f.small8()), q, false).part().toFloatArray();
                assertArrayEquals(base, sameQuarter, 1e-6f, "quadrant " + q + " reads outside its quarter");
                assertFalse(java.util.Arrays.equals(base, otherQuarter), "quadrant " + q + " ignores its quarter");
            }
        }
    }

    private static long count(Block b) {
        long n = 0;
        for (Parameter p : Params.trainable(b)) {
            n += p.getArray().size();
        }
        return n;
    }

    @Test
    void parameterCountsMatchTheOfficialArchitectureRebuiltInPytorch() throws Exception {
        JsonArray configs;
        try (Reader r = new InputStreamReader(FastganOfficialLayoutTest.class.getResourceAsStream("/fastgan/params.json"),
                StandardCharsets.UTF_8)) {
            configs = JsonParser.parseReader(r).getAsJsonObject().getAsJsonArray("configs");
        }
        assertTrue(configs.size() >= 3);
        for (JsonElement e : configs) {
            JsonObject row = e.getAsJsonObject();
            int res = row.get("resolution").getAsInt();
            FastganConfig cfg = new FastganConfig(); // official defaults; the widths from the fixture
            cfg.gWidth = row.get("ngf").getAsInt();
            cfg.dWidth = row.get("ndf").getAsInt();
            cfg.latentDim = row.get("nz").getAsInt();
            int channels = row.get("channels").getAsInt();
            FastganModel model = new FastganModel(cfg, channels, res);
            try (NDManager m = GanLab.newManager()) {
                model.initializeGenerator(model.generator(), m);
                model.initializeDiscriminator(m);
                String what = res + " px, ngf " + cfg.gWidth + ", ndf " + cfg.dWidth;
                assertEquals(row.get("g_params").getAsLong(), count(model.generator()), "G at " + what);
                assertEquals(row.get("d_params").getAsLong(), count(model.discriminator()), "D at " + what);
                JsonArray g = row.getAsJsonArray("g_outputs");
                Shape[] gShapes = model.generator().getOutputShapes(new Shape[] {model.latentShape(2)});
                for (int i = 0; i < 2; i++) {
                    assertEquals(shape(g.get(i).getAsJsonArray()), gShapes[i], "G output " + i + " at " + what);
                }
                Shape[] dShapes = model.discriminator().getOutputShapes(new Shape[] {gShapes[0]});
                assertEquals(shape(row.getAsJsonArray("d_logits")), dShapes[0], "D logits at " + what);
                JsonArray recs = row.getAsJsonArray("d_reconstructions");
                FastganDiscriminator d = model.discriminator();
                int[] sides = {d.fullReconstructionSize(), d.partReconstructionSize(), d.smallReconstructionSize()};
                for (int i = 0; i < 3; i++) {
                    assertEquals(recs.get(i).getAsJsonArray().get(2).getAsInt(), sides[i], "decoder " + i + " at " + what);
                }
            }
        }
    }

    private static Shape shape(JsonArray a) {
        long[] dims = new long[a.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = a.get(i).getAsLong();
        }
        return new Shape(dims);
    }
}
