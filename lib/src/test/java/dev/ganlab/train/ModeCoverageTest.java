package dev.ganlab.train;

import dev.ganlab.Slow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.data.ImageDataset;
import dev.ganlab.data.SyntheticModes;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The machinery learns: a small DCGAN trained on the 8-mode synthetic ring (16 px blobs) produces
 * clean blobs on (nearly) every mode. Mode assignment comes from {@link SyntheticModes#modeOf}, which
 * reads the brightness centroid, so the counts are exact. Minibatch discrimination is on: without it
 * this generator hops between two or three modes (measured: 3 of 8 modes after 1500 steps), with it
 * all 8 are covered; the test asserts the coverage, not the absence of collapse in general.
 */
@Slow
class ModeCoverageTest {

    @TempDir Path tmp;

    @Test
    void generatorCoversTheModesOfTheSyntheticRing() {
        TrainConfig c = new TrainConfig();
        c.data = "synthetic:8";
        c.steps = 1500;
        c.logEvery = 100;
        c.sampleEvery = 500;
        c.checkpointEvery = 100_000;
        // The sizes and step count below were tuned on PyTorch-GAN's generator with N(0, I) latents
        // (dcgan's default before the paper generator and U(-1, 1) latents): keep that network.
        c.dcgan.generator = "pytorchgan";
        c.dcgan.latent = "normal";
        c.dcgan.gWidth = 32;
        c.dcgan.dWidth = 16;
        c.dcgan.discriminator = "pytorchgan";
        c.dcgan.dDropout = 0f;
        c.dcgan.latentDim = 16;
        c.dcgan.dNorm = "none";
        c.tricks.minibatchDiscrimination = 50;
        // Tuned at batch 64 without weight decay (dcgan's defaults until the paper's 128 and its code's 1e-5).
        c.batch = 64;
        c.set("optG.weightDecay", "0").set("optD.weightDecay", "0");
        SyntheticModes ring = new SyntheticModes(8, 16);
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve("ring"))) {
            t.addMonitor(new TrainingMonitor() {}).train();
            ImageDataset s = t.sample(512, false, 99);
            int[] perMode = new int[8];
            int clean = 0;
            for (int i = 0; i < s.size(); i++) {
                int m = ring.modeOf(s.pixels(i));
                if (m >= 0) {
                    perMode[m]++;
                    clean++;
                }
            }
            long covered = Arrays.stream(perMode).filter(n -> n >= 8).count();
            String report = "per mode " + Arrays.toString(perMode) + ", clean " + clean + "/512, coverage metric "
                    + t.coverage();
            // 6 of 8: the trajectory of one seed depends on the CPU's float rounding (oneDNN picks kernels per CPU);
            // the machine of 2026-12-01 gives 6 for this code and for the build before it (a71befa), earlier
            // machines 7 or 8. A collapsed generator covers one to three.
            assertTrue(covered >= 6, "modes with at least 8 of 512 samples: " + covered + " (" + report + ")");
            assertTrue(clean >= 160, "clean single-blob samples: " + report);
        }
    }
}
