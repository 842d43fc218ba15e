package dev.ganlab.models.progan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.ganlab.core.GanLab;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.models.progan.ProganSchedule.PhaseStart;
import dev.ganlab.models.progan.ProganSchedule.Stage;
import dev.ganlab.nn.ChannelBias;
import dev.ganlab.nn.Ops;
import dev.ganlab.nn.ScaledWeightLayer;
import dev.ganlab.nn.WeightScaling;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** ProGAN's networks at every stage: fade-in maths, equalized layers, growth, shapes and leaks. */
class ProganModelTest {

    private static final int N = 4;

    private NDManager params;
    private ProganModel model;

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    @BeforeEach
    void newModel() {
        GanLab.seedEngine(42);
        params = GanLab.newManager();
        model = new ProganModel(ProganScheduleTest.smallConfig()); // 4 -> 16 px, nf 16, 16, 8
        model.initializeGenerator(model.generator(), params);
        model.initializeDiscriminator(params);
    }

    @AfterEach
    void close() {
        params.close();
    }

    private static NDArray run(Block b, ParameterStore ps, NDArray x) {
        return b.forward(ps, new NDList(x), false).singletonOrThrow();
    }

    private static void assertClose(NDArray expected, NDArray actual, float tol, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what);
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol * (1 + Math.abs(e[i])), what + " at " + i);
        }
    }

    @Test
    void generatorFadeInMixesTheUpsampledOldOutputWithTheNewBlock() {
        ProganGenerator g = model.generator();
        try (NDManager m = params.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray z = model.sampleLatent(m, N);
            // The paths by hand, block by block.
            NDArray h4 = run(g.stem(), ps, z);
            NDArray h8 = run(g.block(8), ps, h4);
            NDArray h16 = run(g.block(16), ps, h8);
            NDArray old = Ops.upsample2x(run(g.toRgb(8), ps, h8));   // (N, 3, 16, 16)
            NDArray next = run(g.toRgb(16), ps, h16);                 // (N, 3, 16, 16)

            assertClose(old, model.generate(g, ps, z, false, Stage.fadeIn(16, 0)), 1e-6f, "alpha 0 = old path");
            assertClose(next, model.generate(g, ps, z, false, Stage.fadeIn(16, 1)), 1e-6f, "alpha 1 = new path");
            assertClose(next, model.generate(g, ps, z, false, Stage.stable(16)), 1e-6f, "stabilised = new path");
            float[] o = old.toFloatArray();
            float[] n = next.toFloatArray();
            float[] mixed = new float[o.length];
            for (int i = 0; i < o.length; i++) {
                mixed[i] = 0.7f * o[i] + 0.3f * n[i];
            }
            assertClose(m.create(mixed, old.getShape()), model.generate(g, ps, z, false, Stage.fadeIn(16, 0.3)),
                    1e-5f, "alpha 0.3");
            assertClose(run(g.toRgb(8), ps, h8), model.generate(g, ps, z, false, Stage.stable(8)), 1e-6f, "8px");
            assertClose(run(g.toRgb(4), ps, h4), model.generate(g, ps, z, false, Stage.stable(4)), 1e-6f, "4px");
            assertFalse(old.sub(next).abs().max().getFloat() < 1e-3, "the two paths differ, so the test can tell them apart");

            // Driven by the schedule: the first image of the 16px fade-in shows the old path.
            assertTrue(model.onImagesShown(model.schedule().fadeInStart(16)));
            assertClose(old, model.generate(g, ps, z, false), 1e-6f, "schedule at the fade-in start");
        }
    }

    @Test
    void discriminatorFadeInMixesTheDownsampledOldInputWithTheNewBlock() {
        ProganDiscriminator d = model.discriminator();
        try (NDManager m = params.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(N, 3, 16, 16));
            NDArray oldIn = run(d.fromRgb(8), ps, Ops.avgPool2x(x));          // (N, 16, 8, 8)
            NDArray newIn = run(d.block(16), ps, run(d.fromRgb(16), ps, x));  // (N, 16, 8, 8)
            assertFalse(oldIn.sub(newIn).abs().max().getFloat() < 1e-3);
            float[] o = oldIn.toFloatArray();
            float[] n = newIn.toFloatArray();
            float[] mixed = new float[o.length];
            for (int i = 0; i < o.length; i++) {
                mixed[i] = 0.75f * o[i] + 0.25f * n[i];
            }
            double[] alphas = {0, 1, 0.25};
            NDArray[] inputs = {oldIn, newIn, m.create(mixed, oldIn.getShape())};
            for (int k = 0; k < alphas.length; k++) {
                NDArray features = run(d.finalBlock(), ps, run(d.block(8), ps, inputs[k]));
                NDArray logits = run(d.head(), ps, features).reshape(-1);
                DiscriminatorOutput out = model.discriminate(ps, x, false, Stage.fadeIn(16, alphas[k]));
                assertClose(logits, out.logits(), 1e-5f, "logits at alpha " + alphas[k]);
                assertClose(features, out.features(), 1e-5f, "features at alpha " + alphas[k]);
            }
            // The 4px stage is fromRGB4 straight into the final block.
            NDArray x4 = m.randomNormal(new Shape(N, 3, 4, 4));
            NDArray logits4 = run(d.head(), ps, run(d.finalBlock(), ps, run(d.fromRgb(4), ps, x4))).reshape(-1);
            assertClose(logits4, model.discriminate(ps, x4, false, true).logits(), 1e-5f, "4px");
        }
    }

    @Test
    void prepareRealsBlendsRealImagesThroughTheSameTransition() {
        try (NDManager m = params.newSubManager()) {
            NDArray reals = m.randomUniform(-1f, 1f, new Shape(2, 3, 16, 16));
            float[] r = reals.toFloatArray();
            model.onImagesShown(model.schedule().fadeInStart(8) + 25); // 8px fade-in, alpha 0.25
            assertEquals(Stage.fadeIn(8, 0.25), model.currentStage());
            float[] fine = boxDown(r, 2 * 3, 16, 2);      // 8x8
            float[] coarse = boxDown(r, 2 * 3, 16, 4);    // 4x4
            float[] expected = new float[fine.length];
            for (int p = 0; p < 6; p++) {
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        float c = coarse[(p * 4 + y / 2) * 4 + x / 2]; // nearest upsample of the 4x4 version
                        expected[(p * 8 + y) * 8 + x] = 0.75f * c + 0.25f * fine[(p * 8 + y) * 8 + x];
                    }
                }
            }
            NDArray prepared = model.prepareReals(reals);
            assertEquals(new Shape(2, 3, 8, 8), prepared.getShape());
            assertArrayEquals(expected, prepared.toFloatArray(), 1e-5f);

            model.onImagesShown(model.schedule().stabiliseStart(8));
            assertArrayEquals(fine, model.prepareReals(reals).toFloatArray(), 1e-5f, "8px stabilise: plain 2x2 means");
            model.onImagesShown(0);
            assertArrayEquals(coarse, model.prepareReals(reals).toFloatArray(), 1e-5f, "4px: 4x4 means");
            model.onImagesShown(model.schedule().growthEnd());
            assertArrayEquals(r, model.prepareReals(reals).toFloatArray(), 0f, "target resolution: unchanged");
        }
    }

    /** Means of {@code f x f} blocks of {@code planes} square planes of side {@code size}. */
    private static float[] boxDown(float[] v, int planes, int size, int f) {
        int out = size / f;
        float[] res = new float[planes * out * out];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    res[(p * out + y / f) * out + x / f] += v[(p * size + y) * size + x] / (f * f);
                }
            }
        }
        return res;
    }

    @Test
    void everyLayerIsEqualizedWithTheHeConstant() {
        ProganGenerator g = model.generator();
        ProganDiscriminator d = model.discriminator();
        Map<ScaledWeightLayer, Double> gains = new IdentityHashMap<>();
        collect(g, gains);
        collect(d, gains);
        // The official code's exceptions to gain sqrt(2): G's latent dense sqrt(2)/4, toRGB 1, D's score 1.
        Map<ScaledWeightLayer, Double> special = new IdentityHashMap<>();
        ScaledWeightLayer stemDense = (ScaledWeightLayer) g.stem().getChildren().values().get(1);
        special.put(stemDense, Math.sqrt(2) / 4);
        g.toRgbLayers().values().forEach(t -> special.put(t, 1.0));
        special.put(d.head(), 1.0);
        // 1 + 1 (stem) + 2 per G block + 3 toRGB; 3 fromRGB + 2 per D block + 3 in the 4x4 block and head
        assertEquals(2 + 2 * 2 + 3 + 3 + 2 * 2 + 3, gains.size());
        for (ScaledWeightLayer layer : gains.keySet()) {
            assertEquals(WeightScaling.EQUALIZED, layer.scaling(), layer.toString());
            Shape w = layer.weight().getArray().getShape();
            long fanIn = w.size() / w.get(0);
            double gain = special.getOrDefault(layer, Math.sqrt(2));
            assertEquals(gain / Math.sqrt(fanIn), layer.runtimeScale(), 1e-6, layer + " with fan-in " + fanIn);
        }
        // Biases start at zero (paper appendix A.1), the per-channel one of the stem included.
        for (Pair<String, Parameter> p : g.getParameters()) {
            if (p.getValue().getType() == Parameter.Type.BIAS) {
                assertEquals(0f, p.getValue().getArray().abs().max().getFloat(), p.getKey());
            }
        }
        assertTrue(g.stem().getChildren().values().stream().anyMatch(b -> b instanceof ChannelBias));
        assertEquals(new Shape(16 * 16, 16), stemDense.weight().getArray().getShape(),
                "the latent dense maps 16 latents to nf(4) * 16 values, reshaped to 4x4");
    }

    private static void collect(Block b, Map<ScaledWeightLayer, Double> out) {
        if (b instanceof ScaledWeightLayer s) {
            out.put(s, 0.0);
        }
        for (Block child : b.getChildren().values()) {
            collect(child, out);
        }
    }

    @Test
    void growthKeepsTheSameParametersAndTheirValues() {
        List<Parameter> before = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        for (Block net : new Block[] {model.generator(), model.discriminator()}) {
            for (Pair<String, Parameter> p : net.getParameters()) {
                before.add(p.getValue());
                values.add(p.getValue().getArray().toFloatArray());
            }
        }
        try (NDManager m = params.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray reals = m.randomUniform(-1f, 1f, new Shape(N, 3, 16, 16));
            NDArray z = model.sampleLatent(m, N);
            model.discriminate(ps, model.prepareReals(reals), true, true);
            assertFalse(model.onImagesShown(model.schedule().fadeInStart(8) - 1));
            assertTrue(model.onImagesShown(model.schedule().fadeInStart(8) + 10), "growth to 8px is reported");
            NDArray fakes = model.generate(model.generator(), ps, z, true);
            assertEquals(new Shape(N, 3, 8, 8), fakes.getShape());
            model.discriminate(ps, fakes, true, false);
            model.discriminate(ps, model.prepareReals(reals), true, true);
        }
        List<Parameter> after = new ArrayList<>();
        for (Block net : new Block[] {model.generator(), model.discriminator()}) {
            net.getParameters().forEach(p -> after.add(p.getValue()));
        }
        assertEquals(before.size(), after.size());
        for (int i = 0; i < before.size(); i++) {
            assertSame(before.get(i), after.get(i), before.get(i).getName());
            assertArrayEquals(values.get(i), after.get(i).getArray().toFloatArray(), 0f, before.get(i).getName());
        }
    }

    @Test
    void gradientsReachExactlyTheActiveLayers() {
        model.onImagesShown(model.schedule().fadeInStart(8) + 50); // 8px fade-in, alpha 0.5
        try (NDManager m = params.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            try (dev.ganlab.core.StepScope autogradScope = new dev.ganlab.core.StepScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray fakes = model.generate(model.generator(), ps, model.sampleLatent(m, N), true);
                NDArray reals = model.prepareReals(m.randomUniform(-1f, 1f, new Shape(N, 3, 16, 16)));
                NDArray loss = model.discriminate(ps, fakes, true, false).logits().mean()
                        .sub(model.discriminate(ps, reals, true, true).logits().mean());
                gc.backward(loss);
            }
        }
        ProganGenerator g = model.generator();
        ProganDiscriminator d = model.discriminator();
        for (Block active : new Block[] {g.stem(), g.block(8), g.toRgb(4), g.toRgb(8),
            d.fromRgb(8), d.block(8), d.fromRgb(4), d.finalBlock(), d.head()}) {
            assertTrue(gradientAbsSum(active) > 0, "active layer without gradient: " + active);
        }
        for (Block idle : new Block[] {g.block(16), g.toRgb(16), d.fromRgb(16), d.block(16)}) {
            assertEquals(0.0, gradientAbsSum(idle), "16px layer got gradient at 8px: " + idle);
        }
    }

    private static double gradientAbsSum(Block b) {
        double sum = 0;
        for (Pair<String, Parameter> p : b.getParameters()) {
            try (NDArray grad = p.getValue().getArray().getGradient()) {
                sum += grad.abs().sum().getFloat();
            }
        }
        return sum;
    }

    @Test
    void shapesAtEveryStageAndNoArraysLeakIntoTheParameterManager() {
        List<Long> counts = new ArrayList<>();
        for (PhaseStart p : model.schedule().phases()) {
            counts.add(p.images());
            counts.add(p.images() + 50); // inside the phase
        }
        int arraysBefore = ((BaseNDManager) params).getManagedArrays().size();
        for (long images : counts) {
            model.onImagesShown(images);
            int res = model.currentStage().resolution();
            assertEquals(new Shape(3, res, res), model.imageShape());
            for (boolean training : new boolean[] {true, false}) {
                try (NDManager step = params.newSubManager()) {
                    ParameterStore ps = new ParameterStore(step, false);
                    NDArray fakes = model.generate(model.generator(), ps, model.sampleLatent(step, N), training);
                    assertEquals(new Shape(N).addAll(model.imageShape()), fakes.getShape(), model.stage());
                    NDArray reals = model.prepareReals(step.randomUniform(-1f, 1f, new Shape(N).addAll(model.targetImageShape())));
                    assertEquals(fakes.getShape(), reals.getShape(), model.stage());
                    for (NDArray batch : new NDArray[] {reals, fakes}) {
                        DiscriminatorOutput out = model.discriminate(ps, batch, training, batch == reals);
                        assertEquals(new Shape(N), out.logits().getShape());
                        assertEquals(new Shape(N, 16), out.features().getShape());
                        assertSame(step, out.logits().getManager(), "results belong to the step's manager");
                    }
                }
            }
        }
        assertEquals(arraysBefore, ((BaseNDManager) params).getManagedArrays().size(),
                "forward passes left arrays in the parameter manager");
    }

    @Test
    void anEmaCopyRunsAtTheModelsStage() throws Exception {
        ProganGenerator ema = model.newGenerator();
        assertNotSame(model.generator(), ema);
        model.initializeGenerator(ema, params);
        // Checkpoint route: the trained generator's parameters streamed into the copy.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        model.generator().saveParameters(new DataOutputStream(bytes));
        ema.loadParameters(params, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        model.onImagesShown(model.schedule().fadeInStart(16) + 50);
        try (NDManager m = params.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray z = model.sampleLatent(m, N);
            NDArray a = model.generate(model.generator(), ps, z, false);
            NDArray b = model.generate(ema, ps, z, false);
            assertEquals(new Shape(N, 3, 16, 16), b.getShape());
            assertClose(a, b, 1e-6f, "copy at 16px fade-in alpha 0.5");
            assertClose(model.generate(model.generator(), ps, z, false, Stage.stable(8)),
                    model.generate(ema, ps, z, false, Stage.stable(8)), 1e-6f, "copy at any stage");
        }
    }

    @Test
    void badInputsAreRefusedWithClearMessages() {
        try (NDManager m = params.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            model.onImagesShown(model.schedule().stabiliseStart(8));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.discriminate(ps, m.zeros(new Shape(N, 3, 16, 16)), false, true));
            assertTrue(e.getMessage().contains("(N, 3, 8, 8)") && e.getMessage().contains("prepareReals"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.prepareReals(m.zeros(new Shape(N, 1, 16, 16))));
            assertTrue(e.getMessage().contains("(N, 3, S, S)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.prepareReals(m.zeros(new Shape(N, 3, 12, 12))));
            assertTrue(e.getMessage().contains("12"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> model.generate(model.generator(), ps, m.zeros(new Shape(N, 15)), false));
            assertTrue(e.getMessage().contains("(N, 16)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> model.generate(new ai.djl.nn.SequentialBlock(), ps, m.zeros(new Shape(N, 16)), false));
            assertTrue(e.getMessage().contains("ProGAN generator"), e.getMessage());
            ProganGenerator foreign = new ProganModel(ProganScheduleTest.smallConfig(), 3, 32).newGenerator();
            e = assertThrows(IllegalArgumentException.class,
                    () -> model.generate(foreign, ps, m.zeros(new Shape(N, 16)), false));
            assertTrue(e.getMessage().contains("another ProGAN model"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> model.generate(model.generator(), ps, m.zeros(new Shape(N, 16)), false, Stage.stable(32)));
            assertTrue(e.getMessage().contains("32px"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Stage.fadeIn(4, 0.5));
            assertThrows(IllegalArgumentException.class, () -> Stage.fadeIn(8, 1.5));
            assertThrows(IllegalArgumentException.class, () -> new Stage(8, ProganSchedule.Phase.STABILISE, 0.5));
            e = assertThrows(IllegalArgumentException.class,
                    () -> model.generator().initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(2, 8)));
            assertTrue(e.getMessage().contains("(N, 16)"), e.getMessage());
        }
    }

    @Test
    void withoutMbstdTheFinalBlockTakesTheFeaturesAsTheyAre() {
        ProganConfig cfg = ProganScheduleTest.smallConfig();
        cfg.mbstdGroupSize = 0;
        ProganModel plain = new ProganModel(cfg);
        try (NDManager m = params.newSubManager()) {
            plain.initializeDiscriminator(m);
            NDArray x = m.randomNormal(new Shape(3, 3, 4, 4)); // 3 is no multiple of 4: fine without mbstd
            assertEquals(new Shape(3), plain.discriminate(new ParameterStore(m, false), x, false, true).logits().getShape());
            Shape w = ((ScaledWeightLayer) plain.discriminator().finalBlock().getChildren().values().get(0))
                    .weight().getArray().getShape();
            assertEquals(16, w.get(1), "conv input channels = nf(4), no extra mbstd map");
            Shape wMbstd = ((ScaledWeightLayer) model.discriminator().finalBlock().getChildren().values().get(1))
                    .weight().getArray().getShape();
            assertEquals(17, wMbstd.get(1), "with mbstd the conv sees nf(4) + 1 maps");
        }
    }
}
