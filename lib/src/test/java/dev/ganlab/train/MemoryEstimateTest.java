package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.nn.Conv2d;
import dev.ganlab.nn.Linear;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pre-run memory estimate (issue 18, item 4): what it counts, and the refusal. */
class MemoryEstimateTest {

    @TempDir Path tmp;

    @Test
    void aBadAvailableMemoryNamesThePropertyThatGaveIt() {
        String before = System.getProperty("ganlab.memoryAvailable");
        System.setProperty("ganlab.memoryAvailable", "lots");
        try {
            UserError e = assertThrows(UserError.class, MemoryEstimate::availableBytes);
            assertTrue(e.getMessage().startsWith("-Dganlab.memoryAvailable='lots' is not a number of GB"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("ganlab.memoryAvailable");
            } else {
                System.setProperty("ganlab.memoryAvailable", before);
            }
        }
    }

    @Test
    void countsTrainableValuesAndLeafOutputsPerImage() {
        // conv 3->4, 3x3, padding 1 on 8x8: 4*3*3*3 + 4 = 112 values, output 4*8*8 = 256 floats per image;
        // flatten: 256 more; linear 256->10: 2,570 values, 10 floats. The container is not counted again.
        SequentialBlock net = new SequentialBlock()
                .add(Conv2d.builder().setChannels(4).setKernel(3).optPadding(1).build())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(10).build());
        try (NDManager m = GanLab.newManager()) {
            net.initialize(m, DataType.FLOAT32, new Shape(2, 3, 8, 8));
            long[] counts = MemoryEstimate.walk(net);
            assertEquals(112 + 2570, counts[0]);
            assertEquals(256 + 256 + 10, counts[1]);
        }
    }

    @Test
    void parametersCountOncePerCopyAndActivationsOncePerImage() {
        MemoryEstimate b1 = new MemoryEstimate("m", 64, 1, 1_000_000, 2_000_000, true, 3_000_000, 1_000_000, false);
        MemoryEstimate b8 = new MemoryEstimate("m", 64, 8, 1_000_000, 2_000_000, true, 3_000_000, 1_000_000, false);
        MemoryEstimate noEma = new MemoryEstimate("m", 64, 1, 1_000_000, 2_000_000, false, 3_000_000, 1_000_000, false);
        MemoryEstimate reuse = new MemoryEstimate("m", 64, 1, 1_000_000, 2_000_000, true, 3_000_000, 1_000_000, true);
        // seven more images of 4M floats of leaf outputs each
        assertEquals(7 * 4_000_000 * MemoryEstimate.ACTIVATION_FACTOR, b8.bytes() - b1.bytes(), 1.0);
        // the EMA copy of G: one float per generator value
        assertEquals(4L * 1_000_000, b1.bytes() - noEma.bytes());
        // generatorFakes=reuse: a share of G's 3M floats per image held through the critic update
        assertEquals(MemoryEstimate.REUSED_FAKES_SHARE * 3_000_000 * MemoryEstimate.ACTIVATION_FACTOR,
                reuse.bytes() - b1.bytes(), 1.0);
    }

    @Test
    void aNarrowFastganIsEstimatedOrLetThroughButNeverFailsTheRun() {
        // FastGAN at 256 px with width 2 records a 1-channel input for a GLU, which its shape rule rejects;
        // the estimate must not turn that into a failed run (DataStorageTest's child run trains this model).
        TrainConfig c = new TrainConfig();
        c.model = "fastgan";
        c.resolution = 256;
        c.batch = 4;
        c.set("fastgan.gWidth", "2");
        c.set("fastgan.dWidth", "2");
        c.set("fastgan.decoderWidth", "2");
        c.set("fastgan.latentDim", "8");
        MemoryEstimate e = MemoryEstimate.of(c.resolved());
        assertTrue(e.bytes() > 0, e.describe(-1));
        MemoryEstimate.checkNewRun(c.resolved()); // fits: no refusal
    }

    @Test
    void aGrowingModelIsEstimatedWithTheMinibatchOfItsLastResolution() {
        TrainConfig c = new TrainConfig();
        c.model = "progan";
        c.resolution = 128;
        MemoryEstimate e = MemoryEstimate.of(c.resolved());
        // official preset-v2-1gpu: minibatch 16 at 128 px (128 at the 4 px start)
        assertEquals(16, e.batch());
        assertTrue(e.generatorParameters() > 1_000_000 && e.discriminatorParameters() > 1_000_000, e.toString());
    }

    @Test
    void refusesWithBothFiguresAndWhatToLower() {
        MemoryEstimate e = new MemoryEstimate("fastgan", 1024, 8, 1_000_000, 1_000_000, true, 100_000_000, 0, false);
        UserError err = assertThrows(UserError.class, () -> e.check(2_000_000_000L));
        assertTrue(err.getMessage().contains("needs about " + String.format(java.util.Locale.ROOT, "%.1f", e.bytes() / 1e9)
                + " GB, 2.0 GB available: lower the batch or the resolution"), err.getMessage());
        e.check(e.bytes()); // fits exactly: no error
    }

    @Test
    void aRunThatHoldsTheGeneratorsGraphIsToldWhenFreshLatentsWouldFit() {
        MemoryEstimate reuse = new MemoryEstimate("fastgan", 1024, 8, 1_000_000, 1_000_000, true, 100_000_000, 0, true);
        MemoryEstimate fresh = new MemoryEstimate("fastgan", 1024, 8, 1_000_000, 1_000_000, true, 100_000_000, 0, false);
        UserError fits = assertThrows(UserError.class, () -> reuse.check(fresh.bytes()));
        assertTrue(fits.getMessage().contains("set generatorFakes=fresh (about "
                + String.format(java.util.Locale.ROOT, "%.1f", fresh.bytes() / 1e9) + " GB"), fits.getMessage());
        // Where fresh latents would not fit either, only the batch and the resolution are named.
        UserError neither = assertThrows(UserError.class, () -> reuse.check(fresh.bytes() - 1));
        assertTrue(neither.getMessage().contains("available: lower the batch or the resolution")
                && !neither.getMessage().contains("generatorFakes"), neither.getMessage());
    }

    @Test
    void availableMemoryIsReadFromMeminfo() throws Exception {
        Path meminfo = tmp.resolve("meminfo");
        Files.writeString(meminfo, "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   12345678 kB\n");
        assertEquals(12345678L * 1024, MemoryEstimate.memAvailable(meminfo));
        assertEquals(-1, MemoryEstimate.memAvailable(tmp.resolve("none")));
    }

    /**
     * The estimate against the peaks measured by environment/bench/peak-memory.sh (lib/BENCHMARKS.md, "Peak
     * memory by model and resolution", the rows of 2026-12-01 with the build that frees ProGAN's maps and
     * back-propagates the gradient penalty on its own; FastGAN's with its one generator forward per step,
     * generatorFakes=reuse; the 1024 px rows with checkpoints streamed to disk): never below a peak, and not so far above it that
     * a run that fits is refused (at most 1.7 times). Model, resolution, batch, measured peak in GB.
     */
    @ParameterizedTest
    @CsvSource({"dcgan, 64, 64, 2.6", "fastgan, 64, 8, 3.6", "fastgan, 128, 8, 4.8", "fastgan, 256, 8, 4.9",
            "fastgan, 512, 8, 6.7", "fastgan, 1024, 8, 11.0", "progan, 64, 32, 6.3", "progan, 128, 16, 6.6", "progan, 256, 8, 7.2",
            "progan, 512, 4, 7.0", "progan, 1024, 4, 10.6"})
    void theEstimateIsAboveEachMeasuredPeakAndWithinAFactorOfIt(String model, int resolution, int batch, double peakGb) {
        TrainConfig c = new TrainConfig();
        c.model = model;
        c.resolution = resolution;
        if (!model.equals("progan")) {
            c.batch = batch;
        }
        MemoryEstimate e = MemoryEstimate.of(c.resolved());
        assertEquals(batch, e.batch(), "the measured row's batch");
        double gb = e.bytes() / 1e9;
        assertTrue(gb >= peakGb && gb <= 1.7 * peakGb, e.describe(-1) + ", measured peak " + peakGb + " GB");
    }
}
