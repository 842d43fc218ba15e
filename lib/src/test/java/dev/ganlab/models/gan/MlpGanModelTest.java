package dev.ganlab.models.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.models.ModelSummary;
import dev.ganlab.models.Models;
import dev.ganlab.nn.BatchNorm;
import dev.ganlab.nn.Dropout;
import dev.ganlab.train.GanTrainer;
import dev.ganlab.train.TrainConfig;
import dev.ganlab.train.TrainingMonitor;
import dev.ganlab.viz.Plots;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The fully connected GAN: shapes, sizes, PyTorch-GAN's defaults, training with every loss and penalty. */
class MlpGanModelTest {

    @TempDir Path tmp;

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    private static GanConfig small() {
        GanConfig c = new GanConfig();
        c.latentDim = 3;
        c.gHidden = "4,5";
        c.dHidden = "6";
        return c;
    }

    @Test
    void networksMapLatentsToImagesInTheTanhRangeAndImagesToOneLogitAndTheLastHiddenFeatures() {
        MlpGanModel m = new MlpGanModel(new GanConfig(), 3, 8);
        try (NDManager manager = GanLab.newManager()) {
            GanLab.seedEngine(3);
            m.initializeGenerator(m.generator(), manager);
            m.initializeDiscriminator(manager);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray z = m.sampleLatent(manager, 5);
            assertEquals(new Shape(5, 100), z.getShape());
            NDArray x = m.generate(m.generator(), ps, z, false);
            assertEquals(new Shape(5, 3, 8, 8), x.getShape());
            assertTrue(x.abs().max().getFloat() <= 1f, "tanh output");
            DiscriminatorOutput out = m.discriminate(ps, x, false, false);
            assertEquals(new Shape(5), out.logits().getShape());
            assertEquals(new Shape(5, 256), out.features().getShape(), "features = D's last hidden layer (256)");
            assertEquals(new Shape(3, 8, 8), m.imageShape());
        }
    }

    @Test
    void parameterCountsFollowTheLayerSizes() {
        // Latent 3, G hidden 4, 5, image 1x4x4 (16 values), D hidden 6:
        // G: (3*4 + 4) + (4*5 + 5) + BN 2*5 + (5*16 + 16) = 16 + 25 + 10 + 96 = 147; BN running stats 2*5 = 10.
        // D: (16*6 + 6) + (6*1 + 1) = 102 + 7 = 109.
        ModelSummary s = ModelSummary.of(new MlpGanModel(small(), 1, 4));
        assertEquals(147, s.generatorParameters());
        assertEquals(10, s.generator().nonTrainable());
        assertEquals(109, s.discriminatorParameters());
        // gNorm=none drops the batch norm: 137 and no state. Spectral D: u, v of sizes (6 + 16) + (1 + 6) = 29.
        GanConfig c = small();
        c.gNorm = "none";
        c.dNorm = "spectral";
        s = ModelSummary.of(new MlpGanModel(c, 1, 4));
        assertEquals(137, s.generatorParameters());
        assertEquals(0, s.generator().nonTrainable());
        assertEquals(109, s.discriminatorParameters());
        assertEquals(29, s.discriminator().nonTrainable());
        // Minibatch discrimination (B = 2 kernels of dimension 3): T is 6 x 6 and the head takes 6 + 2 inputs:
        // 102 + 36 + (8 + 1) = 147.
        s = ModelSummary.of(new MlpGanModel(small(), 1, 4, 2, 3));
        assertEquals(147, s.discriminatorParameters());
    }

    private static <T extends Block> T find(Block root, Class<T> type) {
        for (Pair<String, Block> c : root.getChildren()) {
            if (type.isInstance(c.getValue())) {
                return type.cast(c.getValue());
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + root);
    }

    @Test
    void generatorBatchNormUsesPytorchGansEpsOfPointEight() {
        // gan.py's BatchNorm1d(out, 0.8): y = (x - mean) / sqrt(var + 0.8) per feature, biased batch variance.
        MlpGanModel m = new MlpGanModel(small(), 1, 4);
        try (NDManager manager = GanLab.newManager()) {
            m.initializeGenerator(m.generator(), manager);
            BatchNorm bn = find(m.generator(), BatchNorm.class);
            float[] col = {1f, 2f, 4f, 7f};
            NDArray x = manager.create(col).reshape(4, 1).repeat(1, 5);             // (4, 5), equal columns
            NDArray y = bn.forward(new ParameterStore(manager, false), new NDList(x), true).singletonOrThrow();
            double mean = 3.5;
            double var = ((1 - mean) * (1 - mean) + (2 - mean) * (2 - mean) + (4 - mean) * (4 - mean)
                    + (7 - mean) * (7 - mean)) / 4;                                 // 5.25
            for (int i = 0; i < 4; i++) {
                double expected = (col[i] - mean) / Math.sqrt(var + 0.8);
                assertEquals(expected, y.getFloat(i, 2), 1e-5, "row " + i);
            }
        }
    }

    @Test
    void linearLayersStartFromPytorchsDefaultUniformInitialisation() {
        // PyTorch's nn.Linear: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)); std = bound / sqrt(3).
        MlpGanModel m = new MlpGanModel(new GanConfig(), 1, 28);
        try (NDManager manager = GanLab.newManager()) {
            GanLab.seedEngine(7);
            m.initializeGenerator(m.generator(), manager);
            Parameter w = m.generator().getParameters().get(0).getValue();  // first Linear: (128, 100)
            assertEquals(new Shape(128, 100), w.getArray().getShape());
            NDArray a = w.getArray();
            double bound = 1 / Math.sqrt(100);
            assertTrue(a.abs().max().getFloat() <= bound + 1e-7, "inside the bound");
            double std = Math.sqrt(a.square().mean().getFloat());
            assertEquals(bound / Math.sqrt(3), std, 0.03 * bound / Math.sqrt(3), "uniform's std");
            Parameter b = m.generator().getParameters().get(1).getValue();
            assertTrue(b.getArray().abs().max().getFloat() > 0, "bias is random too (not zeros)");
        }
    }

    @Test
    void thePapersInitialisationDrawsGeneratorAndDiscriminatorWeightsFromTheirOwnRanges() {
        // mnist.yaml: irange 0.05 in G, 0.005 in D; pylearn2 biases start at 0.
        MlpGanModel m = new MlpGanModel(GanConfig.goodfellow2014(), 1, 28);
        try (NDManager manager = GanLab.newManager()) {
            GanLab.seedEngine(5);
            m.initializeGenerator(m.generator(), manager);
            m.initializeDiscriminator(manager);
            for (var net : List.of(m.generator(), m.discriminator())) {
                double range = net == m.generator() ? 0.05 : 0.005;
                for (Pair<String, Parameter> p : net.getParameters()) {
                    NDArray a = p.getValue().getArray();
                    float max = a.abs().max().getFloat();
                    if (p.getKey().endsWith("bias")) {
                        assertEquals(0f, max, p.getKey());
                    } else {
                        assertTrue(max <= range + 1e-7 && max > 0.9 * range, p.getKey() + " max |w| " + max);
                    }
                }
            }
        }
    }

    @Test
    void maxoutTakesTheLargestOfEachUnitsConsecutivePieces() {
        try (NDManager manager = GanLab.newManager()) {
            // 2 units x 3 pieces; pylearn2 groups unit j's pieces as columns 3j .. 3j+2.
            NDArray x = manager.create(new float[] {1, 5, -2, 0, -1, -3, 7, 2, 9, -4, -6, -5}, new Shape(2, 6));
            NDArray y = MlpGanModel.maxout(2, 3).forward(new ParameterStore(manager, false), new NDList(x), false)
                    .singletonOrThrow();
            assertEquals(new Shape(2, 2), y.getShape());
            assertArrayEquals(new float[] {5, 0, 9, -4}, y.toFloatArray());
        }
    }

    @Test
    void dropoutZeroesAboutAFractionPAndRescalesTheRestInTrainingOnly() {
        try (NDManager manager = GanLab.newManager()) {
            GanLab.seedEngine(11);
            NDArray x = manager.ones(new Shape(100, 200));
            Dropout d = new Dropout(0.2f);
            ParameterStore ps = new ParameterStore(manager, false);
            float[] y = d.forward(ps, new NDList(x), true).singletonOrThrow().toFloatArray();
            long zeros = 0;
            for (float v : y) {
                if (v == 0) {
                    zeros++;
                } else {
                    assertEquals(1 / 0.8f, v, 1e-6);
                }
            }
            // 20,000 draws at p = 0.2: mean 4,000, std 57.
            assertEquals(4000, zeros, 300);
            assertArrayEquals(x.toFloatArray(), d.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray());
        }
    }

    @Test
    void resolvedDefaultsAreGanPysAdamBatchAndNonSaturatingLoss() {
        TrainConfig c = new TrainConfig();
        c.model = "gan";
        TrainConfig r = c.resolved();
        assertEquals("ns", r.loss, "gan.py: BCE with real labels for G, the non-saturating loss");
        assertEquals(GanConfig.LEARNING_RATE, r.optG.lr);
        assertEquals(GanConfig.LEARNING_RATE, r.optD.lr);
        assertEquals(GanConfig.BETA1, r.optG.beta1);
        assertEquals(GanConfig.BETA2, r.optG.beta2);
        assertEquals(GanConfig.BATCH_SIZE, r.batch);
        assertEquals(1, r.nCritic);
        assertEquals("none", r.penalty);
    }

    @Test
    void badSettingsAreRejectedNamingTheKey() {
        List<String[]> bad = List.of(new String[] {"gan.gHidden", "128,x"}, new String[] {"gan.dHidden", ""},
                new String[] {"gan.dHidden", "512,0"}, new String[] {"gan.dNorm", "batch"},
                new String[] {"gan.gNorm", "layer"}, new String[] {"gan.bnEps", "0"}, new String[] {"gan.init", "xavier"},
                new String[] {"gan.latentDim", "0"}, new String[] {"gan.leakySlope", "1.5"},
                new String[] {"gan.dActivation", "relu"}, new String[] {"gan.gActivation", "maxout"},
                new String[] {"gan.maxoutPieces", "1"}, new String[] {"gan.dDropout", "1"},
                new String[] {"gan.dInputDropout", "-0.1"});
        for (String[] kv : bad) {
            TrainConfig c = new TrainConfig();
            c.model = "gan";
            c.set(kv[0], kv[1]);
            UserError e = assertThrows(UserError.class, c::resolved, kv[0] + "=" + kv[1]);
            assertTrue(e.getMessage().contains(kv[0]), e.getMessage());
        }
        TrainConfig c = new TrainConfig();
        c.model = "gan";
        UserError e = assertThrows(UserError.class, () -> c.set("gan.hidden", "1"));
        assertTrue(e.getMessage().contains("gan.hidden") && e.getMessage().contains("gHidden"), e.getMessage());
        UserError r = assertThrows(UserError.class, () -> Models.create(c.resolved(), 1, 200, "big"));
        assertTrue(r.getMessage().contains("resolution 200"), r.getMessage());
    }

    /** A tiny run of the gan model on the 16 px synthetic ring. */
    private static TrainConfig tiny(Consumer<TrainConfig> change) {
        TrainConfig c = new TrainConfig();
        c.model = "gan";
        c.data = "synthetic:8?perMode=40";
        c.steps = 3;
        c.batch = 16;
        c.logEvery = 1;
        c.sampleEvery = 3;
        c.checkpointEvery = 3;
        c.sampleCount = 16;
        c.gan.latentDim = 8;
        c.gan.gHidden = "32,64";
        c.gan.dHidden = "32,16";
        c.eval.metrics = "";
        change.accept(c);
        return c;
    }

    @Test
    void trainsWithEveryLossPenaltyAndTrickThatAppliesWithFiniteLosses() {
        List<Consumer<TrainConfig>> variants = new ArrayList<>();
        for (String loss : List.of("ns", "minimax", "wgan", "wgan-gp", "lsgan", "hinge")) {
            variants.add(c -> c.loss = loss);
        }
        for (String penalty : List.of("r1", "dragan", "wgan-lp")) {
            variants.add(c -> c.penalty = penalty);
        }
        variants.add(c -> {
            c.gan.dNorm = "spectral";
            c.loss = "hinge";
            c.penalty = "r1";
        });
        variants.add(c -> {
            // The paper's networks (maxout, dropout, ReLU G) and its momentum SGD.
            GanConfig p = GanConfig.goodfellow2014();
            p.latentDim = 8;
            p.gHidden = "32,32";
            p.dHidden = "16,16";
            p.maxoutPieces = 3;
            c.gan = p;
            for (String net : List.of("optG", "optD")) {
                c.set(net + ".type", "sgd");
                c.set(net + ".lr", "0.1");
                c.set(net + ".momentum", "0.5");
            }
            c.penalty = "r1";
        });
        variants.add(c -> {
            c.tricks.featureMatching = 1f;
            c.tricks.minibatchDiscrimination = 4;
            c.tricks.labelSmoothing = 0.9f;
            c.augment = "translation";
        });
        int i = 0;
        for (Consumer<TrainConfig> v : variants) {
            TrainConfig c = tiny(v);
            String label = (c.loss == null ? "default loss" : c.loss) + "/" + c.penalty + "/" + c.gan.dNorm + "/"
                    + c.tricks.minibatchDiscrimination;
            try (GanTrainer t = GanTrainer.start(c, tmp.resolve("run" + i++))) {
                t.addMonitor(new TrainingMonitor() {}).train();
                var h = t.history();
                List<String> cols = new ArrayList<>(List.of("d_loss", "g_loss"));
                if (!t.config().penalty.equals("none")) {
                    cols.add("penalty");
                }
                for (String col : cols) {
                    double[] values = Plots.column(h, col);
                    assertEquals(3, values.length, label + " " + col);
                    for (double x : values) {
                        assertTrue(Double.isFinite(x), label + ": " + col + " = " + x);
                    }
                }
                if (!t.config().penalty.equals("none") && !t.config().penalty.equals("wgan-lp")) {
                    // (WGAN-LP is one-sided: zero while every gradient norm is below 1, as at the start.)
                    assertTrue(Plots.column(h, "penalty")[0] > 0, label + ": the penalty is computed");
                }
            }
        }
    }
}
