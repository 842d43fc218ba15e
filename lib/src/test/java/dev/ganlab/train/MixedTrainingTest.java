package dev.ganlab.train;

import dev.ganlab.Slow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.ganlab.BlockChecks.contains;
import static dev.ganlab.BlockChecks.maxDiff;
import static dev.ganlab.BlockChecks.parameterNames;

import dev.ganlab.models.progan.ProganModel;
import dev.ganlab.nn.MinibatchStdDev;
import dev.ganlab.nn.SkipLayerExcitation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Mixed configurations through the training loop at tiny sizes: ProGAN + SLE + DiffAugment and
 * DCGAN + mbstd + R1 + hinge train and their added parts learn or act; every model takes every
 * adversarial loss and gradient penalty; DiffAugment reaches the ProGAN and MLP discriminators.
 */
class MixedTrainingTest {

    @TempDir Path tmp;

    @Test
    void proganWithSleAndDiffAugmentTrainsAndItsGatesLearnOnce16PxFadesIn() {
        TrainConfig c = ProganTrainingTest.tiny(17);     // 16 px fades in from step 15
        c.mix.gSle = true;
        c.augment = "color,translation,cutout";
        c.sampleEvery = 1000;
        c.checkpointEvery = 1000;
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve("progan-sle"))) {
            ProganModel m = (ProganModel) t.model();
            SkipLayerExcitation gate = m.generator().sleGates().get(16);
            float[] squeeze = gate.squeeze().weight().getArray().toFloatArray();
            float[] excite = gate.excite().weight().getArray().toFloatArray();
            for (int i = 0; i < 15; i++) {
                t.step1();
            }
            assertEquals(0.0, maxDiff(squeeze, gate.squeeze().weight().getArray().toFloatArray()), 0.0,
                    "below 16 px the gate is not in the graph and stays as it was");
            t.step1();
            t.step1();
            assertEquals(16, m.currentStage().resolution(), m.currentStage().describe());
            assertTrue(maxDiff(squeeze, gate.squeeze().weight().getArray().toFloatArray()) > 0, "squeeze learnt");
            assertTrue(maxDiff(excite, gate.excite().weight().getArray().toFloatArray()) > 0, "excite learnt");
            assertTrue(parameterNames(t.model().generator()).stream().anyMatch(s -> s.contains("sle4to16")),
                    parameterNames(t.model().generator()).toString());
        }
    }

    @Test
    void dcganWithMbstdR1AndHingeTrainsWithThePenaltyAndTheLayerInPlace() {
        TrainConfig c = GanTrainerTest.tiny(3);
        c.loss = "hinge";
        c.penalty = "r1";
        c.mix.dMbstd = 4;
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve("dcgan-mbstd"))) {
            assertEquals("layer", t.config().dcgan.dNorm, "a penalty picks layer norm, which mbstd needs");
            assertTrue(contains(t.model().discriminator(), MinibatchStdDev.class), "D has mbstd");
            for (int i = 0; i < 3; i++) {
                Map<String, Float> v = t.step1();
                assertFinite(v, "dcgan + mbstd + r1 + hinge step " + i);
                assertTrue(v.containsKey("penalty") && v.get("penalty") > 0, v.toString());
            }
        }
    }

    @Test

    @Slow
    void everyModelTakesEveryLossAndPenalty() {
        String[][] objectives = {{"hinge", "r1"}, {"wgan-gp", "auto"}, {"lsgan", "dragan"}, {"ns", "wgan-lp"}};
        for (String model : List.of("dcgan", "sndcgan", "progan", "fastgan", "gan")) {
            for (String[] o : objectives) {
                TrainConfig c = tiny(model);
                c.loss = o[0];
                c.penalty = o[1];
                c.nCritic = 1;
                String what = model + " + " + o[0] + " + " + o[1];
                try (GanTrainer t = GanTrainer.start(c, tmp.resolve(model + "-" + o[0] + "-" + o[1]))) {
                    Map<String, Float> v = t.step1();
                    assertFinite(v, what);
                    assertTrue(v.containsKey("penalty"), what + ": no penalty logged " + v);
                }
            }
        }
    }

    @Test
    void diffAugmentReachesTheProganAndMlpDiscriminators() {
        for (String model : List.of("progan", "gan")) {
            TrainConfig off = tiny(model);
            off.augment = "";
            TrainConfig on = tiny(model);
            on.augment = "color,translation,cutout";
            float plain = firstDLoss(off, tmp.resolve(model + "-plain"));
            float augmented = firstDLoss(on, tmp.resolve(model + "-augmented"));
            assertTrue(Math.abs(plain - augmented) > 1e-6, model + ": d_loss " + plain + " with and without DiffAugment");
        }
    }

    private static float firstDLoss(TrainConfig c, Path dir) {
        try (GanTrainer t = GanTrainer.start(c, dir)) {
            return t.step1().get("d_loss");
        }
    }

    /** One config per model at a tiny size. */
    static TrainConfig tiny(String model) {
        TrainConfig c = switch (model) {
            case "progan" -> ProganTrainingTest.tiny(2);
            case "dcgan", "sndcgan" -> GanTrainerTest.tiny(2);
            default -> GanTrainerTest.tiny(2);
        };
        c.model = model;
        if (!model.equals("dcgan") && !model.equals("sndcgan")) {
            c.dcgan = new dev.ganlab.models.dcgan.DcganConfig();   // another family's settings are rejected
        }
        c.sampleEvery = 1000;
        c.checkpointEvery = 1000;
        switch (model) {
            case "sndcgan" -> c.resolution = 16;
            case "fastgan" -> {
                c.data = "synthetic:4?size=64&perMode=4";
                c.batch = 4;
                c.fastgan.gWidth = 4;
                c.fastgan.dWidth = 4;
                c.fastgan.decoderWidth = 4;
                c.fastgan.latentDim = 8;
            }
            case "gan" -> {
                c.gan.gHidden = "32";
                c.gan.dHidden = "32,16";
                c.gan.latentDim = 8;
            }
            case "progan" -> c.progan.minibatch = new TreeMap<>(Map.of(4, 8));
            default -> { }
        }
        return c;
    }

    static void assertFinite(Map<String, Float> v, String what) {
        for (Map.Entry<String, Float> e : v.entrySet()) {
            assertTrue(Float.isFinite(e.getValue()), what + ": " + e.getKey() + " = " + e.getValue());
        }
    }
}
