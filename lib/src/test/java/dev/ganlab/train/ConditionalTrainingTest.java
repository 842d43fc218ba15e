package dev.ganlab.train;

import dev.ganlab.Slow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.cli.MainRunner;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.latent.LatentExplorer;
import dev.ganlab.latent.LatentPrior;
import dev.ganlab.models.ClassConditional;
import dev.ganlab.viz.PngFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer hook for class-conditional models (issue 14): every conditioning method trains a couple of
 * steps with the batch's labels (with batch-norm and spectral-norm discriminators, a gradient penalty,
 * class-balanced batches), the run reloads, samples a requested class, and bad requests are refused.
 */
class ConditionalTrainingTest {

    @TempDir Path tmp;

    static TrainConfig tiny(String model, String cond) {
        TrainConfig c = new TrainConfig();
        c.model = model;
        c.data = "synthetic:4?perMode=8"; // four labelled modes, 16 px
        c.cond = cond;
        c.steps = 2;
        c.batch = 8;
        c.sampleCount = 4;
        c.dcgan.gWidth = 8;
        c.dcgan.dWidth = 4;
        c.dcgan.latentDim = 6;
        c.eval.metrics = "";
        return c;
    }

    @Slow
    @Test
    void everyMethodTrainsWithTheBatchLabelsAndTheRunSamplesARequestedClass() {
        for (String model : new String[] {"dcgan", "sndcgan"}) {
            for (String cond : new String[] {"concat", "acgan", "projection"}) {
                TrainConfig c = tiny(model, cond);
                if (model.equals("sndcgan")) {
                    c.loss = "wgan-gp"; // with its penalty: interpolates are scored with the batch's labels
                    c.classBalanced = true;
                }
                Path dir = tmp.resolve(model + "-" + cond);
                Map<String, Float> last;
                try (GanTrainer t = GanTrainer.start(c, dir)) {
                    t.step1();
                    last = t.step1();
                    t.checkpoint();
                }
                String what = model + "/" + cond + " " + last;
                assertTrue(last.values().stream().allMatch(v -> Float.isFinite(v)), what);
                assertEquals(cond.equals("acgan"), last.containsKey("g_aux") && last.containsKey("d_aux_fake")
                        && last.containsKey("acgan_acc_real"), what);
                try (TrainedGenerator g = TrainedGenerator.load(dir)) {
                    // config.json is written before the model is built, so the class count comes from the data.
                    assertEquals(4, ((ClassConditional) g.model()).classCount(), what);
                    ImageDataset s = g.sampleClass(3, 2, false, 1);
                    assertEquals(3, s.size());
                    // (Two steps leave an untrained generator whose eval-mode images differ between classes by less
                    // than an 8-bit level on some paths, so class effects are tested in ConditioningTest.)
                    if (cond.equals("projection") && c.classBalanced) {
                        // Conditional batch norm starts class-independent (gains 1, biases 0), so two steps move
                        // images by less than an 8-bit level; with every class in every batch the class gains
                        // must have parted.
                        assertTrue(classGainsDiffer(g.model().generator()), what + ": class gains 0 and 2 are equal");
                    }
                    // The prior the explorer names (and truncates) is the one the noise is drawn from: uniform
                    // noise stays in [-1, 1], normal noise of 64 x 6 draws leaves it almost surely.
                    float[][] z = g.latents(64, 1);
                    int noise = ((ClassConditional) g.model()).noiseDim();
                    boolean inCube = true;
                    for (float[] row : z) {
                        for (int j = 0; j < noise; j++) {
                            inCube &= Math.abs(row[j]) <= 1;
                        }
                    }
                    assertEquals(inCube ? LatentPrior.UNIFORM : LatentPrior.NORMAL,
                            new LatentExplorer(g, false).prior(), what);
                    BufferedImage grid = new LatentExplorer(g, false).classGrid(3, 1, null);
                    assertTrue(grid.getHeight() > 3 * grid.getWidth() / 4, "four rows of three: " + grid.getWidth()
                            + "x" + grid.getHeight());
                    assertEquals(5, new LatentExplorer(g, false).classInterpolation(1, 0, 3, 5).size());
                    UserError e = assertThrows(UserError.class, () -> g.sampleClass(1, 4, false, 1));
                    assertTrue(e.getMessage().contains("class 4 is outside 0..3"), e.getMessage());
                }
            }
        }
    }

    @Test
    void aModelTrainedOnAClassSubsetHasTheSubsetsClassCountAndItsNames() {
        TrainConfig c = tiny("dcgan", "concat");
        c.data = "synthetic:4?perMode=8&classes=3,1";
        Path dir = tmp.resolve("subset");
        try (GanTrainer t = GanTrainer.start(c, dir)) {
            t.step1();
            t.checkpoint();
        }
        try (TrainedGenerator g = TrainedGenerator.load(dir)) {
            assertEquals(2, ((ClassConditional) g.model()).classCount());
            assertEquals(2, g.sampleClass(2, 1, false, 1).size());
            UserError e = assertThrows(UserError.class, () -> g.sampleClass(1, 3, false, 1));
            assertTrue(e.getMessage().contains("class 3 is outside 0..1"), e.getMessage());
        }
    }

    private static boolean classGainsDiffer(ai.djl.nn.Block generator) {
        for (var p : generator.getParameters()) {
            if (p.getKey().endsWith("classGamma")) {
                float[] v = p.getValue().getArray().toFloatArray();
                int c = v.length / 4;
                for (int j = 0; j < c; j++) {
                    if (v[j] != v[2 * c + j]) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Test
    void conditioningOnUnlabelledDataOrAnUnconditionalModelIsRefusedByName() throws Exception {
        Path folder = tmp.resolve("faces");
        java.nio.file.Files.createDirectories(folder);
        for (int i = 0; i < 4; i++) {
            PngFiles.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), folder.resolve(i + ".png"));
        }
        TrainConfig c = tiny("dcgan", "projection");
        c.data = "folder:" + folder;
        UserError e = assertThrows(UserError.class, () -> GanTrainer.start(c, tmp.resolve("unlabelled")).close());
        assertTrue(e.getMessage().contains("cond=projection needs class labels, but data set folder:" + folder),
                e.getMessage());
        TrainConfig p = tiny("progan", "acgan");
        p.dcgan = new dev.ganlab.models.dcgan.DcganConfig(); // another family's settings are refused before cond
        e = assertThrows(UserError.class, () -> GanTrainer.start(p, tmp.resolve("progan")).close());
        assertTrue(e.getMessage().contains("cond=acgan is not available for model progan: ProGAN's official code")
                && e.getMessage().contains("available for dcgan and sndcgan"), e.getMessage());
        TrainConfig f = tiny("fastgan", "projection");
        f.dcgan = new dev.ganlab.models.dcgan.DcganConfig();
        e = assertThrows(UserError.class, () -> GanTrainer.start(f, tmp.resolve("fastgan")).close());
        assertTrue(e.getMessage().contains("cond=projection is not available for model fastgan: FastGAN is"
                + " unconditional"), e.getMessage());

        TrainConfig plain = tiny("dcgan", "none");
        Path run = tmp.resolve("plain");
        try (GanTrainer t = GanTrainer.start(plain, run)) {
            t.step1();
            t.checkpoint();
        }
        String[] o = MainRunner.run("sample", "--run", run.toString(), "--n", "2", "--out", tmp.resolve("s").toString(),
                "--class", "1");
        assertEquals("2", o[0]);
        assertTrue(o[2].contains("is not class-conditional"), o[2]);
    }
}
