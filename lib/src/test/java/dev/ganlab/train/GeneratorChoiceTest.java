package dev.ganlab.train;

import dev.ganlab.Slow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import dev.ganlab.data.Datasets;
import dev.ganlab.metrics.Evaluator;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raw against EMA generator (issue 17 item 5): each score is its own generator's on the same latents, the choice
 * follows the metric's direction, and the saved grids of either generator can be read back by step.
 */
class GeneratorChoiceTest {

    @TempDir Path tmp;

    private static TrainConfig tiny(Float emaDecay) {
        TrainConfig c = new TrainConfig();
        c.model = "dcgan";
        c.data = "synthetic:4?perMode=8";
        c.steps = 3;
        c.batch = 8;
        c.sampleCount = 4;
        c.sampleEvery = 1;
        c.dcgan.gWidth = 8;
        c.dcgan.dWidth = 4;
        c.dcgan.latentDim = 6;
        c.eval.metrics = "";
        c.emaDecay = emaDecay;
        return c;
    }

    @Test

    @Slow
    void eachScoreIsItsOwnGeneratorsOnTheSameLatents() {
        try (GanTrainer t = GanTrainer.start(tiny(null), tmp.resolve("ema"));
                Evaluator ev = Evaluator.builder().real(Datasets.load("synthetic:4?perMode=8")).metrics("swd").n(32)
                        .seed(0).cacheDir(null).build()) {
            t.train();
            GeneratorChoice.Result r = GeneratorChoice.compare(t, ev, "swd_x1e3", 32, 5);
            assertEquals(ev.evaluate(t.sample(32, false, 5)).get("swd_x1e3"), r.raw(), 1e-9);
            assertEquals(ev.evaluate(t.sample(32, true, 5)).get("swd_x1e3"), r.ema(), 1e-9);
            assertNotEquals(r.raw(), r.ema(), "after 3 steps the average differs from the raw weights");
            assertEquals(r.ema() < r.raw(), r.emaBetter(), r.summary());
            assertTrue(r.summary().contains("showing the " + r.chosen() + " generator"), r.summary());

            SortedMap<Long, BufferedImage> ema = SampleGrids.read(t.dir(), true);
            SortedMap<Long, BufferedImage> raw = SampleGrids.read(t.dir(), false);
            assertEquals(ema.keySet(), raw.keySet());
            assertEquals(3, raw.size(), "a grid per step: " + raw.keySet());
            BufferedImage a = ema.get(3L);
            BufferedImage b = raw.get(3L);
            assertFalse(java.util.Arrays.equals(a.getRGB(0, 0, a.getWidth(), a.getHeight(), null, 0, a.getWidth()),
                    b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth())), "EMA and raw grids differ");
        }
    }

    @Test
    @Slow
    void aFinishedRunsCheckpointIsComparedLikeTheTrainerItCameFrom() {
        Path dir = tmp.resolve("finished");
        GeneratorChoice.Result fromTrainer;
        try (Evaluator ev = Evaluator.builder().real(Datasets.load("synthetic:4?perMode=8")).metrics("swd").n(32)
                .seed(0).cacheDir(null).build()) {
            try (GanTrainer t = GanTrainer.start(tiny(null), dir)) {
                t.train();
                fromTrainer = GeneratorChoice.compare(t, ev, "swd_x1e3", 32, 5);
            }
            try (TrainedGenerator g = TrainedGenerator.load(dir)) {
                GeneratorChoice.Result r = GeneratorChoice.compare(g, ev, "swd_x1e3", 32, 5);
                assertEquals(3, r.step());
                assertEquals(ev.evaluate(g.sample(32, false, 5)).get("swd_x1e3"), r.raw(), 1e-9);
                assertEquals(ev.evaluate(g.sample(32, true, 5)).get("swd_x1e3"), r.ema(), 1e-9);
                // the checkpoint holds the trainer's weights: the same latents give the same raw images and score
                assertEquals(fromTrainer.raw(), r.raw(), 1e-9, r.summary() + " / " + fromTrainer.summary());
                assertEquals(r.ema() < r.raw(), r.emaBetter());
            }
        }
    }

    @Test
    void withoutEmaTheRawGeneratorIsChosenAndDirectionsComeFromTheMetric() {
        try (GanTrainer t = GanTrainer.start(tiny(0f), tmp.resolve("raw"));
                Evaluator ev = Evaluator.builder().real(Datasets.load("synthetic:4?perMode=8")).metrics("swd").n(16)
                        .seed(0).cacheDir(null).build()) {
            t.train();
            GeneratorChoice.Result r = GeneratorChoice.compare(t, ev, "swd_x1e3", 16, 5);
            assertTrue(Double.isNaN(r.ema()));
            assertEquals("raw", r.chosen());
            assertEquals(3, SampleGrids.read(t.dir(), false).size());
            UserError e = assertThrows(UserError.class, () -> SampleGrids.read(t.dir(), true));
            assertTrue(e.getMessage().contains("no EMA sample grids"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> GeneratorChoice.compare(t, ev, "fid_fmnist", 16, 5));
        }
        assertTrue(GeneratorChoice.lowerIsBetter("fid_fmnist"));
        assertTrue(GeneratorChoice.lowerIsBetter("swd_x1e3"));
        assertThrows(IllegalArgumentException.class, () -> GeneratorChoice.lowerIsBetter("msssim_fake"));
        assertTrue(new GeneratorChoice.Result("swd_x1e3", 2, 1, true, 1, 1).emaBetter());
        assertFalse(new GeneratorChoice.Result("is", 2, 1, false, 1, 1).emaBetter());
    }
}
