package dev.ganlab.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.ganlab.BlockChecks.contains;
import static dev.ganlab.BlockChecks.maxDiff;
import static dev.ganlab.BlockChecks.parameterNames;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.models.progan.ProganModel;
import dev.ganlab.models.progan.ProganSchedule.Stage;
import dev.ganlab.nn.MinibatchStdDev;
import dev.ganlab.nn.ScaledWeightLayer;
import dev.ganlab.nn.SkipLayerExcitation;
import dev.ganlab.nn.WeightScaling;
import dev.ganlab.train.TrainConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Components of one family in another family's model (mix.*, tricks.minibatchDiscrimination): each is
 * really in the networks' computation. Checked by what the component does, not by its parameter
 * names alone: minibatch stddev and minibatch discrimination make an image's score depend on the other
 * images of its batch (without them, in inference mode, it does not); spectral norm makes D's output
 * independent of the scale of each weight; an SLE gate's weights change G's output and receive
 * gradient from D's scores.
 */
class MixedComponentsTest {

    static NDManager manager;

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
        manager = GanLab.newManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** A tiny config of each model, 1 channel. */
    static TrainConfig tiny(String model) {
        TrainConfig c = new TrainConfig();
        c.model = model;
        c.eval.metrics = "";
        switch (model) {
            case "dcgan", "sndcgan" -> {
                c.resolution = 32;
                c.dcgan.gWidth = 8;
                c.dcgan.dWidth = 4;
                c.dcgan.latentDim = 8;
                if (model.equals("dcgan")) {
                    c.dcgan.dDropout = 0f;       // sndcgan has no dropout (and rejects the setting)
                }
                c.dcgan.dNorm = "layer";        // per-sample normalisation: scores depend on their image alone
            }
            case "progan" -> {
                c.resolution = 16;
                c.batch = 8;
                c.progan.fmapScale = 1.0 / 64;
                c.progan.latentSize = 16;
                c.progan.minibatch = new TreeMap<>();
            }
            case "fastgan" -> {
                c.resolution = 64;
                c.fastgan.gWidth = 4;
                c.fastgan.dWidth = 4;
                c.fastgan.decoderWidth = 4;
                c.fastgan.latentDim = 16;
                c.fastgan.logits = "mean";      // one score per image and branch
            }
            case "gan" -> {
                c.resolution = 8;
                c.gan.gHidden = "16";
                c.gan.dHidden = "16,8";
                c.gan.latentDim = 8;
            }
            default -> throw new IllegalArgumentException(model);
        }
        return c;
    }

    static GanModel build(TrainConfig c) {
        TrainConfig r = c.resolved();
        GanModel m = Models.create(r, 1, r.resolution, "test images");
        GanLab.seedEngine(7);
        m.initializeGenerator(m.generator(), manager);
        m.initializeDiscriminator(manager);
        if (m instanceof ProganModel pm) {
            pm.onImagesShown(pm.schedule().growthEnd());       // work at the target resolution
        }
        // A few training-mode passes, as training starts: spectral norm's power iteration moves u and v
        // from their random start (in inference mode sigma = u^T W v would be near 0 and the scores huge).
        try (NDManager warm = manager.newSubManager()) {
            ParameterStore ps = new ParameterStore(warm, false);
            for (int i = 0; i < 3; i++) {
                m.discriminate(ps, images(8, (int) m.imageShape().get(1), 100 + i), true, false);
            }
        }
        return m;
    }

    static NDArray images(long n, int side, long seed) {
        GanLab.seedEngine(seed);
        return manager.randomUniform(-1f, 1f, new Shape(n, 1, side, side));
    }

    /** D's scores in inference mode (no dropout, batch norm on running statistics). */
    static float[] scores(GanModel m, NDArray x) {
        return m.discriminate(new ParameterStore(manager, false), x, false, false).logits().toFloatArray();
    }

    /**
     * The largest change of any score but those of image {@code k} (and, for FastGAN's two branches,
     * its second score) when image k of a batch of 8 is replaced by another image.
     */
    static double crossImageEffect(GanModel m, int side) {
        int n = 8;
        int k = 5;
        NDArray a = images(n, side, 11);
        NDArray b = a.duplicate();
        b.set(new ai.djl.ndarray.index.NDIndex(k), images(1, side, 12).get(0));
        float[] sa = scores(m, a);
        float[] sb = scores(m, b);
        double max = 0;
        for (int i = 0; i < sa.length; i++) {
            if (i % n != k) {
                max = Math.max(max, Math.abs(sa[i] - sb[i]));
            }
        }
        return max;
    }

    @Test
    void minibatchStddevAndMinibatchDiscriminationMakeEveryModelsScoresDependOnTheBatch() {
        for (String model : List.of("dcgan", "sndcgan", "fastgan", "gan", "progan")) {
            TrainConfig plain = tiny(model);
            if (model.equals("progan")) {
                plain.progan.mbstdGroupSize = 0;  // ProGAN's own mbstd off, to see the others alone
            }
            int side = plain.resolution;
            // Exactly: each image's arithmetic is the same whatever the others are, so any change, however
            // small, is a dependence on the batch.
            assertEquals(0.0, crossImageEffect(build(plain), side), 0.0,
                    model + " without the components scores each image on its own");
            if (!model.equals("progan")) {
                TrainConfig mbstd = tiny(model);
                mbstd.mix.dMbstd = 4;
                GanModel m = build(mbstd);
                assertTrue(contains(m.discriminator(), MinibatchStdDev.class) || model.equals("gan"),
                        model + " D has a MinibatchStdDev layer");
                assertTrue(crossImageEffect(m, side) > 0, model + " + mix.dMbstd: scores depend on other images");
            }
            TrainConfig mbd = tiny(model);
            if (model.equals("progan")) {
                mbd.progan.mbstdGroupSize = 0;
            }
            mbd.tricks.minibatchDiscrimination = 6;
            GanModel m = build(mbd);
            assertTrue(parameterNames(m.discriminator()).stream().anyMatch(s -> s.endsWith("_T")),
                    model + " D has minibatch discrimination's T: " + parameterNames(m.discriminator()));
            assertTrue(crossImageEffect(m, side) > 0,
                    model + " + tricks.minibatchDiscrimination: scores depend on other images");
        }
    }

    @Test
    void spectralNormMakesEveryWeightLayerOfDIndependentOfItsScale() {
        for (String model : List.of("dcgan", "progan", "gan", "sndcgan", "fastgan")) {
            TrainConfig c = tiny(model);
            c.mix.dSpectralNorm = true;
            GanModel m = build(c);
            List<ScaledWeightLayer> layers = weightLayers(m.discriminator());
            assertTrue(layers.size() >= 3, model + ": " + layers.size() + " weight layers");
            for (ScaledWeightLayer l : layers) {
                assertEquals(WeightScaling.SPECTRAL, l.scaling(), model + ": " + l);
            }
            for (ScaledWeightLayer l : List.of(layers.get(0), layers.get(layers.size() / 2), layers.get(layers.size() - 1))) {
                assertEquals(0.0, changeWhenScaled(m, l), 1e-4, model + ": the scale of " + l + " changed D");
            }
            if (!model.equals("sndcgan") && !model.equals("fastgan")) {
                GanModel own = build(tiny(model));
                List<ScaledWeightLayer> ownLayers = weightLayers(own.discriminator());
                ScaledWeightLayer head = ownLayers.get(ownLayers.size() - 1);   // the scoring layer
                assertTrue(ownLayers.stream().noneMatch(l -> l.scaling() == WeightScaling.SPECTRAL),
                        model + " is not spectral by default");
                assertTrue(changeWhenScaled(own, head) > 1e-3, model + " without spectral norm depends on the scale");
            }
        }
    }

    /** The largest relative change of D's scores when a layer's weight is multiplied by 3. */
    static double changeWhenScaled(GanModel m, ScaledWeightLayer layer) {
        NDArray x = images(4, (int) m.imageShape().get(1), 3);
        float[] before = scores(m, x);
        layer.weight().getArray().muli(3f);
        float[] after = scores(m, x);
        layer.weight().getArray().divi(3f);
        double max = 0;
        for (int i = 0; i < before.length; i++) {
            max = Math.max(max, Math.abs(before[i] - after[i]) / (1 + Math.abs(before[i])));
        }
        return max;
    }

    @Test
    void sleGatesTheDcganGeneratorsMapsAndGetsGradientFromD() {
        for (String[] v : new String[][] {{"dcgan", "paper", "32", "4", "16"}, {"dcgan", "paper", "64", "4", "32"},
            {"dcgan", "pytorchgan", "32", "8", "32"}, {"sndcgan", "paper", "32", "4", "32"}}) {
            TrainConfig c = tiny(v[0]);
            c.dcgan.generator = v[1];
            c.resolution = Integer.parseInt(v[2]);
            c.mix.gSle = true;
            GanModel m = build(c);
            SleSequence g = assertInstanceOf(SleSequence.class, m.generator(), String.join(" ", v));
            assertEquals(List.of(new SlePlacement.Pair(Integer.parseInt(v[3]), Integer.parseInt(v[4]))), g.pairs(),
                    String.join(" ", v));
            SkipLayerExcitation gate = g.gatesByTarget().values().iterator().next();
            // Training mode: batch norm on batch statistics (its running statistics at their start would
            // leave the output near 0 whatever the gate).
            assertGateIsUsed(m, gate, z -> m.generate(m.generator(), new ParameterStore(manager, false), z, true),
                    String.join(" ", v));
        }
    }

    @Test
    void sleGatesProgansBlockOnceItsResolutionIsReached() {
        TrainConfig c = tiny("progan");
        c.mix.gSle = true;
        ProganModel m = (ProganModel) build(c);
        assertEquals(List.of(16), new ArrayList<>(m.generator().sleGates().keySet()), "4 px gates 16 px");
        SkipLayerExcitation gate = m.generator().sleGates().get(16);
        NDArray z = manager.randomNormal(m.latentShape(4));
        ParameterStore ps = new ParameterStore(manager, false);
        float[] at8 = m.generate(m.generator(), ps, z, false, Stage.stable(8)).toFloatArray();
        float[] at8Changed = withGateWeightsScaled(gate,
                () -> m.generate(m.generator(), ps, z, false, Stage.stable(8)).toFloatArray());
        assertEquals(0.0, maxDiff(at8, at8Changed), 0.0, "the 8 px stage does not reach the 16 px gate");
        assertGateIsUsed(m, gate, x -> m.generate(m.generator(), ps, x, false, Stage.fadeIn(16, 0.5)),
                "progan during the 16 px fade-in");
    }

    /**
     * The gate's weights change the generator's output, and a backward pass from D's scores of
     * generated images (training mode) reaches both of its convolutions.
     */
    static void assertGateIsUsed(GanModel m, SkipLayerExcitation gate, java.util.function.UnaryOperator<NDArray> g,
            String what) {
        GanLab.seedEngine(5);
        NDArray z = m.sampleLatent(manager, 4);
        float[] before = g.apply(z).toFloatArray();
        float[] after = withGateWeightsScaled(gate, () -> g.apply(z).toFloatArray());
        assertTrue(maxDiff(before, after) > 1e-2 * maxAbs(before), what + ": the gate's weights change G's output");
        if (m instanceof ProganModel pm) {
            pm.onImagesShown(pm.schedule().fadeInStart(16) + 1);   // train at the 16 px fade-in
        }
        try (NDManager step = manager.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            ParameterStore ps = new ParameterStore(step, false);
            NDArray images = m.generate(m.generator(), ps, m.sampleLatent(step, 4), true);
            gc.backward(m.discriminate(ps, images, true, false).logits().sum());
            for (Parameter p : List.of(gate.squeeze().weight(), gate.excite().weight())) {
                try (NDArray grad = p.getArray().getGradient()) {
                    assertTrue(grad.abs().max().getFloat() > 0, what + ": no gradient reached " + p.getName());
                }
            }
        }
    }

    @Test
    void aComponentAModelCannotTakeIsRejectedNamingTheKeyAndTheModel() {
        expectRejected("fastgan", c -> c.mix.gSle = true, "mix.gSle", "fastgan", "fastgan.sle");
        expectRejected("gan", c -> c.mix.gSle = true, "mix.gSle", "gan", "no feature maps");
        expectRejected("progan", c -> c.mix.dMbstd = 4, "mix.dMbstd", "progan", "progan.mbstdGroupSize");
        expectRejected("dcgan", c -> {
            c.mix.dMbstd = 4;
            c.dcgan.dNorm = "batch";
        }, "mix.dMbstd", "dcgan", "dcgan.dNorm");
        expectRejected("gan", c -> {
            c.mix.dMbstd = 4;
            c.batch = 6;
        }, "mix.dMbstd", "gan", "batch 6");
        UserError e = assertThrows(UserError.class, () -> {
            TrainConfig c = tiny("dcgan");
            c.resolution = 28;
            c.mix.gSle = true;
            build(c);
        });
        assertTrue(e.getMessage().contains("mix.gSle") && e.getMessage().contains("dcgan")
                && e.getMessage().contains("28 px"), e.getMessage());
    }

    static void expectRejected(String model, java.util.function.Consumer<TrainConfig> set, String... words) {
        TrainConfig c = tiny(model);
        set.accept(c);
        UserError e = assertThrows(UserError.class, c::resolved, model);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + w + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void withNothingMixedInEachModelKeepsItsOwnLayers() {
        for (String model : List.of("dcgan", "sndcgan", "fastgan", "gan", "progan")) {
            GanModel m = build(tiny(model));
            assertFalse(parameterNames(m.generator()).stream().anyMatch(s -> s.contains("sle") && !model.equals("fastgan")),
                    model);
            assertFalse(parameterNames(m.discriminator()).stream().anyMatch(s -> s.endsWith("_T")), model);
            assertEquals(model.equals("progan"), contains(m.discriminator(), MinibatchStdDev.class), model);
        }
    }

    /**
     * {@code f} run with the gate's two weights times 1000 (at their N(0, 0.02) start the gate is
     * sigmoid of almost 0 whatever the weights; scaled up it saturates per channel), then restored.
     */
    static float[] withGateWeightsScaled(SkipLayerExcitation gate, java.util.function.Supplier<float[]> f) {
        List<NDArray> weights = List.of(gate.squeeze().weight().getArray(), gate.excite().weight().getArray());
        List<NDArray> saved = new ArrayList<>();
        for (NDArray w : weights) {
            saved.add(w.duplicate());
            w.muli(1000f);
        }
        try {
            return f.get();
        } finally {
            for (int i = 0; i < weights.size(); i++) {
                weights.get(i).muli(0).addi(saved.get(i));
                saved.get(i).close();
            }
        }
    }

    static double maxAbs(float[] a) {
        double max = 0;
        for (float v : a) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    static List<ScaledWeightLayer> weightLayers(Block b) {
        List<ScaledWeightLayer> out = new ArrayList<>();
        if (b instanceof ScaledWeightLayer l) {
            out.add(l);
        }
        for (Block child : b.getChildren().values()) {
            out.addAll(weightLayers(child));
        }
        return out;
    }
}
