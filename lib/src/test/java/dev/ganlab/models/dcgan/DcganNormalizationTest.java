package dev.ganlab.models.dcgan;

import static dev.ganlab.models.dcgan.DcganModelTest.arrays;
import static dev.ganlab.models.dcgan.DcganModelTest.config;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.ganlab.core.GanLab;
import dev.ganlab.nn.ReferenceBatch;
import dev.ganlab.train.GanTrainer;
import dev.ganlab.train.TrainConfig;
import dev.ganlab.train.TrainingMonitor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The normaliser axis of the DCGAN family (Kurach et al. 2019: none, batch, layer, spectral in the
 * discriminator) and virtual batch normalisation in the generator (Salimans et al. 2016). Counts are
 * closed forms of the layer widths: batch and layer norm add a scale and a shift per channel of each
 * normalised layer; spectral norm adds no trainable value but u and v per layer.
 */
class DcganNormalizationTest {

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    /** {trainable, non-trainable} values of an initialised network. */
    static long[] counts(Block b) {
        long[] n = new long[2];
        for (Pair<String, Parameter> p : b.getParameters()) {
            n[p.getValue().requiresGradient() ? 0 : 1] += p.getValue().getArray().size();
        }
        return n;
    }

    static DcganModel model(String variant, String dNorm, int channels, int resolution) {
        DcganConfig c = config(variant, "paper");
        c.dNorm = dNorm;
        return new DcganModel(c, channels, resolution);
    }

    static long[] dCounts(DcganModel model, NDManager m) {
        model.initializeDiscriminator(m);
        return counts(model.discriminator());
    }

    /**
     * SNDCGAN's discriminator with each normaliser: spectral (compare_gan's default) puts u and v on all
     * 7 convolutions and the head; batch and layer norm follow convolutions 2..7 (128, 128, 256, 256,
     * 512, 512 channels); none has neither. Only batch norm makes D depend on its batch.
     */
    @Test
    void sndcganDiscriminatorTakesEveryNormaliserOfTheStudy() {
        try (NDManager m = GanLab.newManager()) {
            DcganModel spectral = model("sndcgan", "auto", 3, 32);
            assertEquals("spectral", spectral.config().dNorm, "compare_gan's default");
            long[] sn = dCounts(spectral, m);
            long[] none = dCounts(model("sndcgan", "none", 3, 32), m);
            long[] batch = dCounts(model("sndcgan", "batch", 3, 32), m);
            long[] layer = dCounts(model("sndcgan", "layer", 3, 32), m);
            long normalised = 128 + 128 + 256 + 256 + 512 + 512;
            assertEquals(none[0], sn[0], "spectral norm adds no trainable value");
            assertEquals(0, none[1]);
            // u (C_out) and v (C_in k k) of the 7 convolutions and the head (1 and 512*4*4 inputs)
            long uv = (64 + 27) + (128 + 64 * 16) + (128 + 128 * 9) + (256 + 128 * 16) + (256 + 256 * 9)
                    + (512 + 256 * 16) + (512 + 512 * 9) + (1 + 512 * 4 * 4);
            assertEquals(uv, sn[1], "spectral-norm vectors");
            assertEquals(none[0] + 2 * normalised, batch[0], "batch norm: scale and shift per channel");
            assertEquals(2 * normalised, batch[1], "batch norm: running mean and variance");
            assertEquals(none[0] + 2 * normalised, layer[0], "layer norm: scale and shift per channel");
            assertEquals(0, layer[1]);
            assertEquals(0, arrays(model("sndcgan", "none", 3, 32).discriminator(), "sn_u").size());
            assertTrue(model("sndcgan", "batch", 3, 32).discriminatorUsesBatchStatistics());
            for (String n : new String[] {"none", "layer", "spectral"}) {
                assertFalse(model("sndcgan", n, 3, 32).discriminatorUsesBatchStatistics(), n);
            }
        }
    }

    static DcganModel pytorchgan(String dNorm) {
        DcganConfig c = config("dcgan", "paper");
        c.discriminator = "pytorchgan";
        c.dNorm = dNorm;
        return new DcganModel(c, 3, 32);
    }

    /**
     * dcgan's PyTorch-GAN discriminator: the norm layers sit on blocks 2-4 (32, 64, 128 channels). The
     * paper discriminator's normaliser axis is checked in {@link DcganPaperDiscriminatorTest}.
     */
    @Test
    void dcganDiscriminatorTakesEveryNormaliser() {
        try (NDManager m = GanLab.newManager()) {
            long[] none = dCounts(pytorchgan("none"), m);
            long[] batch = dCounts(pytorchgan("batch"), m);
            long[] layer = dCounts(pytorchgan("layer"), m);
            DcganModel spectral = pytorchgan("spectral");
            long[] sn = dCounts(spectral, m);
            long normalised = 32 + 64 + 128;
            assertEquals(none[0] + 2 * normalised, batch[0]);
            assertEquals(2 * normalised, batch[1]);
            assertEquals(none[0] + 2 * normalised, layer[0]);
            assertEquals(none[0], sn[0]);
            assertEquals(5, arrays(spectral.discriminator(), "sn_u").size(), "four convolutions and the head");
        }
    }

    /** A layer-normalised critic scores an image the same whatever else is in the batch; batch norm does not. */
    @Test
    void layerNormScoresEachImageOnItsOwn() {
        try (NDManager m = GanLab.newManager()) {
            for (String norm : new String[] {"layer", "batch"}) {
                DcganModel model = model("sndcgan", norm, 1, 16);
                model.initializeDiscriminator(m);
                ParameterStore ps = new ParameterStore(m, false);
                NDArray a = m.randomUniform(-1f, 1f, new ai.djl.ndarray.types.Shape(2, 1, 16, 16));
                NDArray b = m.randomUniform(-1f, 1f, new ai.djl.ndarray.types.Shape(2, 1, 16, 16)).mul(0.2f);
                float[] alone = model.discriminate(ps, a, true, false).logits().toFloatArray();
                float[] mixed = model.discriminate(ps, a.concat(b, 0), true, false).logits().get("0:2").toFloatArray();
                if (norm.equals("layer")) {
                    assertArrayEquals(alone, mixed, 1e-5f, "layer norm is per sample");
                } else {
                    assertTrue(Math.abs(alone[0] - mixed[0]) + Math.abs(alone[1] - mixed[1]) > 1e-6, "batch norm couples samples");
                }
            }
        }
    }

    /**
     * dcgan.gNorm=vbn: every batch norm of the generator becomes virtual batch norm (same trainable
     * values: a scale and a shift per channel), the running statistics give way to a fixed reference
     * batch of vbnReference latents, and an image no longer depends on the rest of its batch.
     */
    /**
     * A tiny dcgan run with gNorm=vbn trains (finite losses, the EMA generator and checkpoints work with
     * the reference input) and a resumed run keeps the reference batch drawn at the start.
     */
    @Test
    void aVbnGeneratorTrainsAndKeepsItsReferenceBatchAcrossAResume(@TempDir Path tmp) {
        TrainConfig c = new TrainConfig();
        c.data = "synthetic:8?perMode=40";
        c.steps = 2;
        c.batch = 8;
        c.logEvery = 1;
        c.sampleEvery = 100;
        c.checkpointEvery = 1;
        c.sampleCount = 4;
        c.eval.metrics = "";
        c.dcgan.gWidth = 8;
        c.dcgan.dWidth = 4;
        c.dcgan.latentDim = 8;
        c.dcgan.gNorm = "vbn";
        c.dcgan.vbnReference = 4;
        Path dir = tmp.resolve("vbn");
        float[] reference;
        try (GanTrainer t = GanTrainer.start(c, dir)) {
            reference = t.model().generator().getParameters().get("reference").getArray().toFloatArray();
            t.addMonitor(new TrainingMonitor() {}).train();
            assertTrue(Double.isFinite(t.last("g_loss")) && Double.isFinite(t.last("d_loss")));
            assertArrayEquals(reference, t.model().generator().getParameters().get("reference").getArray().toFloatArray(),
                    0f, "the reference batch is fixed during training");
        }
        try (GanTrainer t = GanTrainer.resume(dir, 3)) {
            assertArrayEquals(reference, t.model().generator().getParameters().get("reference").getArray().toFloatArray(),
                    0f, "a resumed run has the reference batch of the start");
            t.addMonitor(new TrainingMonitor() {}).train();
            assertEquals(3, t.step());
        }
    }

    @Test
    void virtualBatchNormReplacesTheGeneratorsBatchNorm() {
        for (String generator : new String[] {"paper", "pytorchgan"}) {
            try (NDManager m = GanLab.newManager()) {
                DcganConfig bnCfg = config("dcgan", generator);
                bnCfg.gWidth = 16;
                DcganModel bn = new DcganModel(bnCfg, 1, 28);
                bn.initializeGenerator(bn.generator(), m);
                DcganConfig vbnCfg = config("dcgan", generator);
                vbnCfg.gWidth = 16;
                vbnCfg.gNorm = "vbn";
                vbnCfg.vbnReference = 8;
                DcganModel vbn = new DcganModel(vbnCfg, 1, 28);
                Block g = vbn.generator();
                vbn.initializeGenerator(g, m);
                assertTrue(g instanceof ReferenceBatch);
                assertEquals(counts(bn.generator())[0], counts(g)[0], generator + ": trainable values");
                assertEquals(8 * 100, counts(g)[1], generator + ": the reference latents are the only state");
                NDArray ref = g.getParameters().get("reference").getArray();
                assertTrue(ref.abs().max().getFloat() <= 1f, "reference latents U(-1, 1) as the model's");
                assertEquals(arrays(bn.generator(), "gamma").size(), arrays(g, "gamma").size(), "one VBN per BN");
                ParameterStore ps = new ParameterStore(m, false);
                NDArray z = vbn.sampleLatent(m, 3);
                NDArray alone = vbn.generate(g, ps, z.get("0:1"), true);
                NDArray mixed = vbn.generate(g, ps, z, true);
                assertEquals(new ai.djl.ndarray.types.Shape(3, 1, 28, 28), mixed.getShape());
                assertArrayEquals(alone.toFloatArray(), mixed.get("0:1").toFloatArray(), 1e-5f, generator);
            }
        }
        DcganConfig bad = config("dcgan", "paper");
        bad.gNorm = "instance";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DcganModel(bad, 1, 28));
        assertTrue(e.getMessage().contains("dcgan.gNorm 'instance'"), e.getMessage());
    }
}
