package dev.ganlab.train;

import dev.ganlab.Slow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.models.progan.ProganModel;
import dev.ganlab.models.progan.ProganSchedule;
import dev.ganlab.models.progan.ProganSchedule.Stage;
import dev.ganlab.objective.ObjectiveTerm;
import dev.ganlab.viz.Plots;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * ProGAN through the training loop on the 16 px synthetic ring: exact resume in the middle of a
 * fade-in and at a growth boundary, the stage recorded in the history, one sample grid per resolution.
 */
@Slow
class ProganTrainingTest {

    @TempDir Path tmp;

    /**
     * 4 -> 16 px with 48-image phases and batch 16 at 4 px, 8 above. In steps: 4 px stabilises in
     * steps 0-2 (images [0, 48)), 8 px fades in over steps 3-8 and stabilises over 9-14, 16 px fades
     * in over 15-20 and stabilises from step 21 (image 192) on.
     */
    static TrainConfig tiny(int steps) {
        TrainConfig c = new TrainConfig();
        c.model = "progan";
        c.data = "synthetic:8?perMode=16";
        c.resolution = 16;
        c.steps = steps;
        c.batch = 8;
        c.progan.minibatch = new TreeMap<>(Map.of(4, 16));
        c.progan.fadeInImages = 48;
        c.progan.stabiliseImages = 48;
        c.progan.fmapScale = 1.0 / 64; // 8 feature maps everywhere
        c.progan.latentSize = 16;
        c.logEvery = 3;
        c.sampleEvery = 3;
        c.checkpointEvery = 3;
        c.sampleCount = 16;
        c.eval.metrics = "";
        return c;
    }

    static final int STEPS = 26;
    /** Step 18 ends at image 168: 16 px is fading in (alpha 16/48 in the last step). */
    static final int MID_FADE_IN = 18;
    /** The first step at 8 px (fade-in), where Adam was last reset before 16 px. */
    static final int FIRST_8PX_STEP = 3;
    /** Step 15 ends at image 144, where 16 px begins: the resumed step 15 must reset Adam. */
    static final int GROWTH_BOUNDARY = 15;

    @Test
    void aRunStoppedMidFadeInOrAtAGrowthBoundaryResumesExactly() throws Exception {
        Path straight = tmp.resolve("straight");
        try (GanTrainer t = GanTrainer.start(tiny(STEPS), straight)) {
            t.addMonitor(GanTrainerTest.QUIET).train();
        }
        for (int stop : new int[] {MID_FADE_IN, GROWTH_BOUNDARY}) {
            Path split = tmp.resolve("split-" + stop);
            long imagesAtStop;
            try (GanTrainer t = GanTrainer.start(tiny(stop), split)) {
                t.addMonitor(GanTrainerTest.QUIET).train();
                imagesAtStop = t.imagesShown();
            }
            try (GanTrainer t = GanTrainer.resume(split, STEPS)) {
                ProganModel m = (ProganModel) t.model();
                assertEquals(stop, t.step(), "step restored");
                assertEquals(imagesAtStop, t.imagesShown(), "images shown restored");
                // The model is where the last step before the stop worked; the next step moves it on.
                long lastStepStart = imagesAtStop - m.config().minibatch.getOrDefault(m.currentStage().resolution(), 8);
                assertEquals(m.schedule().at(lastStepStart), m.currentStage(), "stage restored");
                if (stop == MID_FADE_IN) {
                    Stage s = m.currentStage();
                    assertTrue(s.fadingIn() && s.resolution() == 16 && s.alpha() > 0 && s.alpha() < 1, s.describe());
                    assertEquals(stop - GROWTH_BOUNDARY, t.optimizer(ObjectiveTerm.Player.GENERATOR).steps(), "Adam state restored");
                } else {
                    assertEquals(8, m.currentStage().resolution());
                    assertEquals(GROWTH_BOUNDARY - FIRST_8PX_STEP, t.optimizer(ObjectiveTerm.Player.GENERATOR).steps(), "Adam state restored");
                }
                List<Long> updatesAtFirstRow = new ArrayList<>();
                t.addMonitor(new TrainingMonitor() {
                    @Override
                    public void onLog(GanTrainer tr, Map<String, Double> row) {
                        if (updatesAtFirstRow.isEmpty()) {
                            updatesAtFirstRow.add(tr.optimizer(ObjectiveTerm.Player.GENERATOR).steps());
                        }
                    }
                }).train();
                // The first row after the resume is logEvery steps on: all of them at 16 px, and the
                // Adam counter (reset when 16 px began at step 15) has counted them all.
                assertEquals(stop + tiny(STEPS).logEvery - GROWTH_BOUNDARY, updatesAtFirstRow.get(0),
                        "Adam reset when 16 px began");
            }
            assertEquals(GanTrainerTest.withoutSeconds(straight.resolve("metrics.csv")),
                    GanTrainerTest.withoutSeconds(split.resolve("metrics.csv")),
                    "history of the run stopped at step " + stop + " differs from the uninterrupted run");
            Map<String, byte[]> a = files(straight.resolve("samples"));
            Map<String, byte[]> b = files(split.resolve("samples"));
            assertEquals(a.keySet(), b.keySet(), "sample files after stopping at step " + stop);
            for (String name : a.keySet()) {
                assertArrayEquals(a.get(name), b.get(name), name + " differs after stopping at step " + stop);
            }
        }
    }

    @Test
    void theHistoryRecordsEachRowsStageAndEveryResolutionLeavesASampleGrid() throws Exception {
        Path dir = tmp.resolve("run");
        List<long[]> done = new ArrayList<>();
        TrainConfig c = tiny(STEPS);
        try (GanTrainer t = GanTrainer.start(c, dir)) {
            t.addMonitor(new TrainingMonitor() {
                @Override
                public void onResolutionDone(GanTrainer tr, int resolution, BufferedImage grid) {
                    done.add(new long[] {resolution, tr.step()});
                }
            }).train();
            ProganModel m = (ProganModel) t.model();
            ProganSchedule schedule = m.schedule();
            Table h = t.history();
            double[] images = Plots.column(h, "images");
            double[] resolution = Plots.column(h, "resolution");
            double[] alpha = Plots.column(h, "alpha");
            for (int i = 0; i < h.rowCount(); i++) {
                // The row's last step began one batch (of that step's resolution) before the row's count.
                int batch = (int) resolution[i] == 4 ? 16 : 8;
                Stage s = schedule.at((long) images[i] - batch);
                assertEquals(s.resolution(), resolution[i], "resolution of row " + i);
                assertEquals(s.alpha(), alpha[i], 1e-6, "alpha of row " + i);
            }
            long grown = schedule.growthEnd();
            int steps = c.progan.stepsToShow(grown, c.batch, 1);
            int row = -1;
            for (int i = 0; i < h.rowCount(); i++) {
                if (Plots.column(h, "step")[i] == steps) {
                    row = i;
                }
            }
            assertTrue(row >= 0, "no history row at step " + steps);
            assertTrue(images[row] >= grown && images[row] - 8 < grown,
                    steps + " steps show " + images[row] + " images; growth ends at " + grown);

            assertEquals(List.of(4, 8, 16), List.copyOf(t.resolutionSamples().keySet()));
        }
        assertEquals(List.of("4@3", "8@15", "16@26"), done.stream().map(d -> d[0] + "@" + d[1]).toList(),
                "resolutions end at steps 3 and 15; the last one with the run");
        // Each resolution's grid is the EMA grid of the step that ended it.
        assertArrayEquals(Files.readAllBytes(dir.resolve("samples/step-00000003.png")),
                Files.readAllBytes(dir.resolve("samples").resolve(FixedSamples.resolutionSampleName(4))));
        assertArrayEquals(Files.readAllBytes(dir.resolve("samples/step-00000015.png")),
                Files.readAllBytes(dir.resolve("samples").resolve(FixedSamples.resolutionSampleName(8))));
        assertArrayEquals(Files.readAllBytes(dir.resolve("samples/step-00000026.png")),
                Files.readAllBytes(dir.resolve("samples").resolve(FixedSamples.resolutionSampleName(16))));
    }

    @Test
    void swdIsRecordedFrom16PxOnAndTheEarlierSkipsAreReportedOnce() {
        TrainConfig c = tiny(STEPS);
        c.eval.metrics = "swd";
        c.eval.every = 3;
        c.eval.n = 16;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream oldErr = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve("swd"))) {
            t.addMonitor(GanTrainerTest.QUIET).train();
            Table h = t.history();
            double[] swd16 = Plots.column(h, "swd_16_x1e3");
            double[] resolution = Plots.column(h, "resolution");
            double[] step = Plots.column(h, "step");
            for (int i = 0; i < h.rowCount(); i++) {
                boolean evaluated = step[i] % 3 == 0 || step[i] == STEPS;
                assertEquals(evaluated && resolution[i] == 16, !Double.isNaN(swd16[i]), "SWD at step " + step[i]);
            }
            assertTrue(t.evaluation().evaluationWarning().startsWith("evaluation at step 15 skipped"), t.evaluation().evaluationWarning());
        } finally {
            System.setErr(oldErr);
        }
        List<String> skips = err.toString().lines().filter(l -> l.contains("skipped")).toList();
        // 4 px and 8 px are one reason (SWD needs 16 px): one line, at the first skip, not one per stage.
        assertEquals(1, skips.size(), "one line for the 4 px and 8 px stages: " + skips);
        assertTrue(skips.get(0).contains("step 3 ") && skips.get(0).contains("4x4"), skips.get(0));
    }

    static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                m.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }
}
