package dev.ganlab.models.fastgan;

import dev.ganlab.Slow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.google.gson.Gson;
import dev.ganlab.core.GanLab;
import dev.ganlab.loss.Params;
import dev.ganlab.models.DiscriminatorOutput;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Shapes, the auxiliary loss contract, reconstruction targets, memory and settings of FastGAN. */
class FastganModelTest {

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
        // One intra-op thread: on a shared 2-core machine two OpenMP threads that compete with other
        // processes made these small-op passes about 20 times slower. Restored afterwards.
        JniUtils.setNumThreads(1);
    }

    @AfterAll
    static void threads() {
        JniUtils.setNumThreads(GanLab.threads());
    }

    /** A narrow FastGAN for CPU tests. */
    static FastganConfig small() {
        FastganConfig cfg = new FastganConfig();
        cfg.latentDim = 16;
        cfg.gWidth = 4;
        cfg.dWidth = 4;
        cfg.decoderWidth = 4;
        return cfg;
    }

    static FastganConfig small(Consumer<FastganConfig> change) {
        FastganConfig cfg = small();
        change.accept(cfg);
        return cfg;
    }

    @Test
    void generatorMakesImagesOfTheRequestedSizeForEitherBlockLayout() {
        // outputTanh = always bounds the images; the default (official) has tanh at 1024 px only.
        for (String layout : List.of("single", "official")) {
            for (int res : layout.equals("single") ? new int[] {64, 128, 256} : new int[] {128}) {
                FastganModel model = new FastganModel(small(c -> {
                    c.upBlocks = layout;
                    c.outputTanh = "always";
                }), 3, res);
                try (NDManager m = GanLab.newManager()) {
                    model.initializeGenerator(model.generator(), m);
                    ParameterStore ps = new ParameterStore(m, false);
                    NDArray z = model.sampleLatent(m, 2);
                    assertEquals(new Shape(2, 16), z.getShape());
                    NDArray x = model.generate(model.generator(), ps, z, true);
                    assertEquals(new Shape(2, 3, res, res), x.getShape(), layout + " " + res);
                    assertEquals(new Shape(3, res, res), model.imageShape());
                    assertTrue(x.abs().max().getFloat() <= 1f, "tanh output");
                    NDArray x4 = model.generate(model.generator(), ps, z.reshape(2, 16, 1, 1), false);
                    assertEquals(x.getShape(), x4.getShape(), "(N, d, 1, 1) latents are accepted too");
                }
            }
        }
        assertEquals(Map.of(64, 4), new FastganModel(small(), 3, 64).generator().slePairs());
        assertEquals(Map.of(64, 4, 128, 8, 256, 16), new FastganModel(small(), 3, 256).generator().slePairs());
        assertEquals(Map.of(64, 4, 128, 8, 256, 16, 512, 32), new FastganModel(small(), 3, 1024).generator().slePairs());
    }

    @Test
    void withSleOffNoMapIsGatedAndTheShapesStayTheSame() {
        // Without spectral norm in G, so a zeroed weight below gives an exact gate (0 / sigma(0) is NaN).
        // tanh on the output (outputTanh = always) for the atanh comparison below.
        FastganModel on = new FastganModel(small(c -> {
            c.gSpectralNorm = false;
            c.outputTanh = "always";
        }), 3, 64);
        FastganModel off = new FastganModel(small(c -> {
            c.gSpectralNorm = false;
            c.outputTanh = "always";
            c.sle = false;
        }), 3, 64);
        assertEquals(Map.of(), off.generator().slePairs());
        assertEquals(Map.of(), off.discriminator().slePairs());
        try (NDManager m = GanLab.newManager()) {
            for (FastganModel model : List.of(on, off)) {
                model.initializeGenerator(model.generator(), m);
                model.initializeDiscriminator(m);
            }
            Map<String, Parameter> gOn = byPlainName(on.generator());
            Map<String, Parameter> gOff = byPlainName(off.generator());
            Map<String, Parameter> dOn = byPlainName(on.discriminator());
            Map<String, Parameter> dOff = byPlainName(off.discriminator());
            assertTrue(gOn.keySet().stream().anyMatch(k -> k.startsWith("sle_")), "SLE on: G has SLE parameters " + gOn.keySet());
            assertTrue(dOn.keySet().stream().anyMatch(k -> k.startsWith("sle_")), "SLE on: D has SLE parameters");
            assertTrue(gOff.keySet().stream().noneMatch(k -> k.contains("sle")), "SLE off: G has " + gOff.keySet());
            assertTrue(dOff.keySet().stream().noneMatch(k -> k.contains("sle")), "SLE off: D has " + dOff.keySet());
            // Everything else is the same layer with the same shape.
            for (Map<String, Parameter>[] pair : List.of(new Map[] {gOn, gOff}, new Map[] {dOn, dOff})) {
                Map<String, Parameter> withSle = pair[0];
                Map<String, Parameter> without = pair[1];
                assertEquals(withSle.keySet().stream().filter(k -> !k.startsWith("sle_")).sorted().toList(),
                        without.keySet().stream().sorted().toList());
                for (String k : without.keySet()) {
                    assertEquals(withSle.get(k).getArray().getShape(), without.get(k).getArray().getShape(), k);
                    without.get(k).getArray().set(withSle.get(k).getArray().toFloatArray());
                }
            }
            // At 64 px the only generator SLE gates the 64 px map, which goes to the output through a
            // linear conv and tanh: with the gate's 1x1 conv zeroed the gate is sigmoid(0) = 1/2, so
            // atanh(output with SLE) = atanh(output without) / 2 exactly when "off" means "not gated".
            for (Map.Entry<String, Parameter> e : gOn.entrySet()) {
                if (e.getKey().startsWith("sle_") && e.getKey().contains("excite") && e.getKey().endsWith("weight")) {
                    e.getValue().getArray().muli(0);
                }
            }
            ParameterStore ps = new ParameterStore(m, false);
            NDArray z = on.sampleLatent(m, 2);
            // Training mode: batch statistics keep the maps at unit scale (at initialisation the running
            // statistics shrink them layer by layer to nearly zero); the noise is replayed by the seed.
            GanLab.seedEngine(7);
            NDArray xOn = on.generate(on.generator(), ps, z, true);
            GanLab.seedEngine(7);
            NDArray xOff = off.generate(off.generator(), ps, z, true);
            assertEquals(new Shape(2, 3, 64, 64), xOff.getShape());
            float[] a = atanh(xOn.toFloatArray());
            float[] b = atanh(xOff.toFloatArray());
            float largest = 0;
            for (int i = 0; i < a.length; i++) {
                assertEquals(b[i] / 2, a[i], 1e-4f + 1e-3f * Math.abs(b[i]), "pixel " + i);
                largest = Math.max(largest, Math.abs(b[i]));
            }
            assertTrue(largest > 1e-2f, "the comparison is not between zero images");
            NDArray images = m.randomUniform(-1f, 1f, new Shape(2, 3, 64, 64));
            DiscriminatorOutput dOutOn = on.discriminate(ps, images, true, true);
            DiscriminatorOutput dOutOff = off.discriminate(ps, images, true, true);
            assertEquals(dOutOn.logits().getShape(), dOutOff.logits().getShape());
            assertEquals(dOutOn.features().getShape(), dOutOff.features().getShape());
            assertNotNull(dOutOff.auxLoss(), "the reconstruction decoders do not depend on SLE");
        }
        assertTrue(off.generator().toString().contains("SLE off"), off.generator().toString());
    }

    /**
     * Parameters by name without the order prefix of the network's own children ("03up_16_..." ->
     * "up_16_..."), which shifts when SLE blocks are left out; prefixes inside a child stay.
     */
    private static Map<String, Parameter> byPlainName(Block block) {
        Map<String, Parameter> m = new java.util.TreeMap<>();
        for (var p : block.getParameters()) {
            m.put(p.getKey().replaceFirst("^\\d\\d", ""), p.getValue());
        }
        assertEquals(block.getParameters().size(), m.size(), "plain names are unique");
        return m;
    }

    private static float[] atanh(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (0.5 * Math.log((1 + (double) v[i]) / (1 - (double) v[i])));
        }
        return out;
    }

    @Test
    void officialLayoutHasTwoConvsWithNoiseAtEveryOtherResolution() {
        try (NDManager m = GanLab.newManager()) {
            FastganModel single = new FastganModel(small(c -> c.upBlocks = "single"), 3, 64);
            FastganModel official = new FastganModel(small(), 3, 64); // the default layout
            single.initializeGenerator(single.generator(), m);
            official.initializeGenerator(official.generator(), m);
            // single: one conv with noise at each of 8, 16, 32, 64
            // official: two convs with noise at 8 and 32 (UpBlockComp), one without at 16 and 64 (UpBlock)
            for (int r : new int[] {8, 16, 32, 64}) {
                assertEquals(1, countParams(single, "up_" + r + "_", "Conv2d_weight"));
                assertEquals(1, countParams(single, "up_" + r + "_", "NoiseInjection_weight"));
                boolean comp = r == 8 || r == 32;
                assertEquals(comp ? 2 : 1, countParams(official, "up_" + r + "_", "Conv2d_weight"), "convs at " + r);
                assertEquals(comp ? 2 : 0, countParams(official, "up_" + r + "_", "NoiseInjection_weight"), "noise at " + r);
            }
        }
    }

    private static long countParams(FastganModel model, String block, String suffix) {
        return model.generator().getParameters().keys().stream()
                .filter(k -> k.contains(block) && k.endsWith(suffix)).count();
    }

    @Test
    void discriminatorScoresImagesOfEachSize() {
        for (String logits : List.of("patches", "mean")) {
            for (int res : logits.equals("patches") ? new int[] {64, 128, 256} : new int[] {64}) {
                FastganModel model = new FastganModel(small(c -> c.logits = logits), 3, res);
                try (NDManager m = GanLab.newManager()) {
                    model.initializeDiscriminator(m);
                    ParameterStore ps = new ParameterStore(m, false);
                    NDArray images = m.randomUniform(-1f, 1f, new Shape(2, 3, res, res));
                    DiscriminatorOutput out = model.discriminate(ps, images, true, false);
                    // two branches (big, then small), 2 images each
                    long scores = 2 * (logits.equals("mean") ? 2 : 2 * FastganDiscriminator.SCORES_PER_IMAGE);
                    assertEquals(new Shape(scores), out.logits().getShape(), logits + " " + res);
                    assertEquals(new Shape(2, 8L * small().dWidth * 64), out.features().getShape());
                    Shape[] declared = model.discriminator().getOutputShapes(new Shape[] {images.getShape()});
                    assertEquals(out.logits().getShape(), declared[0]);
                    assertEquals(out.features().getShape(), declared[1]);
                    NDList plain = model.discriminator().forward(ps, new NDList(images), false);
                    assertEquals(out.logits().getShape(), plain.get(0).getShape());
                }
            }
        }
        assertEquals(Map.of(8, 64), new FastganModel(small(), 3, 64).discriminator().slePairs());
        assertEquals(Map.of(8, 64, 16, 128, 32, 256), new FastganModel(small(), 3, 1024).discriminator().slePairs());
        FastganModel model = new FastganModel(small(), 3, 64);
        try (NDManager m = GanLab.newManager()) {
            model.initializeDiscriminator(m);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.discriminate(new ParameterStore(m, false), m.zeros(new Shape(2, 3, 32, 32)), false, false));
            assertTrue(e.getMessage().contains("(2, 3, 32, 32)"), e.getMessage());
        }
    }

    @Slow
    @Test
    void bothNetworksHandleTheLargeSizes() {
        for (int res : new int[] {512, 1024}) {
            FastganModel model = new FastganModel(small(c -> c.gWidth = 2), 1, res);
            try (NDManager m = GanLab.newManager()) {
                model.initializeGenerator(model.generator(), m);
                model.initializeDiscriminator(m);
                ParameterStore ps = new ParameterStore(m, false);
                NDArray x = model.generate(model.generator(), ps, model.sampleLatent(m, 2), false);
                assertEquals(new Shape(2, 1, res, res), x.getShape());
                DiscriminatorOutput out = model.discriminate(ps, x, false, false);
                assertEquals(new Shape(2 * 2 * FastganDiscriminator.SCORES_PER_IMAGE), out.logits().getShape(), "at " + res);
                assertEquals(128, model.discriminator().fullReconstructionSize());
                assertEquals(128, model.discriminator().partReconstructionSize());
                assertEquals(128, model.discriminator().smallReconstructionSize());
            }
        }
    }

    @Test
    void reconstructionLossOnlyForRealImagesInTraining() {
        FastganModel model = new FastganModel(small(c -> c.reconWeight = 2f), 3, 64);
        try (NDManager m = GanLab.newManager()) {
            model.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray images = m.randomUniform(-1f, 1f, new Shape(2, 3, 64, 64));
            for (boolean training : new boolean[] {false, true}) {
                for (boolean real : new boolean[] {false, true}) {
                    DiscriminatorOutput out = model.discriminate(ps, images, training, real);
                    if (training && real) {
                        assertNotNull(out.auxLoss());
                        assertEquals(new Shape(), out.auxLoss().getShape());
                        float full = out.auxMetrics().get(FastganModel.RECON_FULL).getFloat();
                        float part = out.auxMetrics().get(FastganModel.RECON_PART).getFloat();
                        float smallD = out.auxMetrics().get(FastganModel.RECON_SMALL).getFloat();
                        assertTrue(full > 0 && part > 0 && smallD > 0 && Float.isFinite(full + part + smallD));
                        assertEquals(2f * (full + part + smallD), out.auxLoss().getFloat(), 1e-5f);
                        assertEquals(List.of(FastganModel.RECON_FULL, FastganModel.RECON_PART, FastganModel.RECON_SMALL),
                                List.copyOf(out.auxMetrics().keySet()));
                    } else {
                        assertNull(out.auxLoss(), "training=" + training + " real=" + real);
                        assertTrue(out.auxMetrics().isEmpty());
                    }
                }
            }
        }
    }

    @Test
    void reconstructionTargetsAreTheImageAndTheChosenQuadrant() {
        // resize = area (the earlier default; nearest is checked in FastganOfficialLayoutTest).
        // 64 px, decoders up to 128: the whole image at 64 and quadrants at 32, no resizing
        FastganModel model = new FastganModel(small(c -> c.resize = "area"), 1, 64);
        try (NDManager m = GanLab.newManager()) {
            model.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray images = m.randomUniform(-1f, 1f, new Shape(2, 1, 64, 64));
            float[] v = images.toFloatArray();
            for (int q = 0; q < 4; q++) {
                Reconstructions r = model.reconstruct(ps, images, q, false);
                assertEquals(q, r.quadrant());
                assertEquals(new Shape(2, 1, 64, 64), r.full().getShape());
                assertArrayEquals(v, r.fullTarget().toFloatArray(), 0f);
                assertEquals(new Shape(2, 1, 32, 32), r.part().getShape());
                assertArrayEquals(areaCrop(v, 2, 64, q, 1), r.partTarget().toFloatArray(), 0f, "quadrant " + q);
            }
            Reconstructions random = model.reconstruct(ps, images);
            assertTrue(random.quadrant() >= 0 && random.quadrant() < 4);
        }
        // 128 px, decoders up to 32: the targets are area-downsampled
        FastganModel narrow = new FastganModel(small(c -> {
            c.decoderSize = 32;
            c.resize = "area";
        }), 1, 128);
        try (NDManager m = GanLab.newManager()) {
            narrow.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray images = m.randomUniform(-1f, 1f, new Shape(2, 1, 128, 128));
            float[] v = images.toFloatArray();
            Reconstructions r = narrow.reconstruct(ps, images, 3, false);
            assertEquals(new Shape(2, 1, 32, 32), r.full().getShape());
            assertEquals(new Shape(2, 1, 32, 32), r.part().getShape());
            assertArrayEquals(area(v, 2, 128, 4), r.fullTarget().toFloatArray(), 1e-5f);
            assertArrayEquals(areaCrop(v, 2, 128, 3, 2), r.partTarget().toFloatArray(), 1e-5f);
            assertEquals(new Shape(2, 1, 32, 32), r.small().getShape());
            assertArrayEquals(area(v, 2, 128, 4), r.smallTarget().toFloatArray(), 1e-5f);
        }
    }

    /** Means over {@code f x f} blocks of {@code n} single-channel {@code s x s} images. */
    private static float[] area(float[] v, int n, int s, int f) {
        int o = s / f;
        float[] out = new float[n * o * o];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < o; a++) {
                for (int b = 0; b < o; b++) {
                    double sum = 0;
                    for (int da = 0; da < f; da++) {
                        for (int db = 0; db < f; db++) {
                            sum += v[i * s * s + (a * f + da) * s + b * f + db];
                        }
                    }
                    out[(i * o + a) * o + b] = (float) (sum / (f * f));
                }
            }
        }
        return out;
    }

    /** Quadrant q (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right), then {@link #area}. */
    private static float[] areaCrop(float[] v, int n, int s, int q, int f) {
        int h = s / 2;
        float[] crop = new float[n * h * h];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < h; a++) {
                for (int b = 0; b < h; b++) {
                    crop[(i * h + a) * h + b] = v[i * s * s + ((q / 2) * h + a) * s + (q % 2) * h + b];
                }
            }
        }
        return area(crop, n, h, f);
    }

    @Test
    void forwardPassesLeaveNoArraysInTheParameterManagers() {
        FastganModel model = new FastganModel(small(), 3, 64);
        try (NDManager gParams = GanLab.newManager(); NDManager dParams = GanLab.newManager()) {
            model.initializeGenerator(model.generator(), gParams);
            model.initializeDiscriminator(dParams);
            int g0 = count(gParams);
            int d0 = count(dParams);
            for (int i = 0; i < 3; i++) {
                boolean training = i != 1;
                try (NDManager step = GanLab.newManager()) {
                    ParameterStore ps = new ParameterStore(step, false);
                    NDList views = model.generateViews(model.generator(), ps, model.sampleLatent(step, 2), training);
                    NDArray fakes = views.get(0);
                    model.discriminateViews(ps, views, training, false);
                    model.discriminate(ps, step.randomUniform(-1f, 1f, new Shape(2, 3, 64, 64)), training, true);
                    model.reconstruct(ps, fakes);
                }
            }
            assertEquals(g0, count(gParams), "generator forward left arrays in its parameter manager");
            assertEquals(d0, count(dParams), "discriminator forward left arrays in its parameter manager");
        }
    }

    private static int count(NDManager m) {
        return ((BaseNDManager) m).getManagedArrays().size();
    }

    @Test
    void everyGeneratorParameterGetsAGradientThroughDiffAugmentAndTheDiscriminator() {
        FastganModel model = new FastganModel(small(), 3, 64);
        try (NDManager m = GanLab.newManager()) {
            GanLab.seedEngine(3);
            model.initializeGenerator(model.generator(), m);
            model.initializeDiscriminator(m);
            List<Parameter> g = Params.trainable(model.generator());
            try (NDManager step = m.newSubManager()) {
                ParameterStore ps = new ParameterStore(step, false);
                try (dev.ganlab.core.StepScope autogradScope = new dev.ganlab.core.StepScope(); GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    // both outputs, each augmented on its own (official train.py), each scored by its branch:
                    // to_small's weight gets a gradient only through the small branch
                    NDList views = model.generateViews(model.generator(), ps, model.sampleLatent(step, 2), true);
                    NDList augmented = new NDList(FastganConfig.defaultAugment().apply(views.get(0)),
                            FastganConfig.defaultAugment().apply(views.get(1)));
                    gc.backward(model.discriminateViews(ps, augmented, true, false).logits().mean().neg());
                }
                for (Parameter p : g) {
                    PtNDArray grad = JniUtils.getGradient((PtNDArray) p.getArray());
                    assertNotNull(grad, p.getName());
                    float norm = grad.abs().sum().getFloat();
                    assertTrue(norm > 0 && Float.isFinite(norm), "gradient of " + p.getName() + ": " + norm);
                    grad.close();
                }
            }
        }
    }

    @Test
    void parametersRoundTripThroughSaveAndLoad() throws Exception {
        FastganConfig cfg = small();
        FastganModel a = new FastganModel(cfg, 3, 64);
        FastganModel b = new FastganModel(cfg, 3, 64);
        try (NDManager m = GanLab.newManager()) {
            GanLab.seedEngine(1);
            a.initializeGenerator(a.generator(), m);
            a.initializeDiscriminator(m);
            GanLab.seedEngine(2);
            b.initializeGenerator(b.generator(), m);
            b.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            // a few training passes move batch-norm statistics, power-iteration vectors
            for (int i = 0; i < 2; i++) {
                a.discriminate(ps, a.generate(a.generator(), ps, a.sampleLatent(m, 2), true), true, true);
            }
            for (Block[] pair : new Block[][] {{a.generator(), b.generator()}, {a.discriminator(), b.discriminator()}}) {
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                pair[0].saveParameters(new java.io.DataOutputStream(bytes));
                pair[1].loadParameters(m, new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
            }
            NDArray z = a.sampleLatent(m, 2);
            GanLab.seedEngine(5);
            NDArray xa = a.generate(a.generator(), ps, z, false);
            GanLab.seedEngine(5);
            NDArray xb = b.generate(b.generator(), ps, z, false);
            assertArrayEquals(xa.toFloatArray(), xb.toFloatArray(), 1e-6f);
            assertArrayEquals(a.discriminate(ps, xa, false, true).logits().toFloatArray(),
                    b.discriminate(ps, xa, false, true).logits().toFloatArray(), 1e-6f);
            assertArrayEquals(a.reconstruct(ps, xa, 2, false).part().toFloatArray(),
                    b.reconstruct(ps, xa, 2, false).part().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void newGeneratorIsAFreshCopyOfTheArchitecture() {
        FastganModel model = new FastganModel(small(), 3, 128);
        Block ema = model.newGenerator();
        try (NDManager m = GanLab.newManager()) {
            model.initializeGenerator(model.generator(), m);
            model.initializeGenerator(ema, m);
            assertEquals(model.generator().getParameters().keys(), ema.getParameters().keys());
            assertTrue(ema != model.generator());
        }
    }

    @Test
    void settingsAreValidatedAndSurviveJson() {
        String[][] bad = {
            {"upBlocks", "double"}, {"logits", "max"}, {"sleActivation", "relu"}, {"reconLoss", "l2"},
            {"reconLoss", "lpips=/no/such/file.pt"}, {"decoderSize", "48"}, {"gWidth", "0"}, {"reconWeight", "-1"},
            {"outputTanh", "never"}, {"resize", "bilinear"}, {"reconReduction", "max"},
        };
        Gson gson = new Gson();
        for (String[] b : bad) {
            FastganConfig cfg = gson.fromJson("{\"" + b[0] + "\": \"" + b[1] + "\"}", FastganConfig.class);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, cfg::validate, b[0]);
            assertTrue(e.getMessage().contains(b[0]) || e.getMessage().contains(b[1]), e.getMessage());
            assertTrue(e.getMessage().contains(b[1]), "names the value: " + e.getMessage());
        }
        FastganConfig cfg = small(c -> {
            c.upBlocks = "single";
            c.smallBranch = false;
            c.reconLoss = "l1+mse";
        });
        FastganConfig back = gson.fromJson(gson.toJson(cfg), FastganConfig.class);
        assertEquals(gson.toJson(cfg), gson.toJson(back));
        back.validate();
        FastganConfig defaults = gson.fromJson("{}", FastganConfig.class);
        assertEquals(FastganConfig.LATENT_DIM, defaults.latentDim);
        assertEquals(64, defaults.gChannels(128));
        assertEquals(512, defaults.dChannels(8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FastganModel(small(), 3, 96));
        assertTrue(e.getMessage().contains("96"), e.getMessage());
    }
}
