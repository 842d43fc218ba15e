package dev.ganlab.train;

import dev.ganlab.Slow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import dev.ganlab.core.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop on a tiny DCGAN and the 16 px synthetic ring: resume, memory, divergence, tricks. */
class GanTrainerTest {

    @TempDir Path tmp;

    /** A small, fast configuration. */
    static TrainConfig tiny(int steps) {
        TrainConfig c = new TrainConfig();
        c.data = "synthetic:8?perMode=40";
        c.steps = steps;
        c.batch = 16;
        c.logEvery = 5;
        c.sampleEvery = 10;
        c.checkpointEvery = 10;
        c.sampleCount = 16;
        c.dcgan.gWidth = 16;
        c.dcgan.dWidth = 8;
        c.dcgan.latentDim = 8;
        c.eval.metrics = "";
        return c;
    }

    static final TrainingMonitor QUIET = new TrainingMonitor() {};

    static List<String> lines(Path f) throws IOException {
        return Files.readAllLines(f);
    }

    /** metrics.csv without the wall-time column. */
    static List<String> withoutSeconds(Path f) throws IOException {
        return lines(f).stream().map(l -> {
            String[] c = l.split(",", -1);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < c.length; i++) {
                if (i != 2) {
                    sb.append(c[i]).append(',');
                }
            }
            return sb.toString();
        }).toList();
    }

    @Slow
    @Test
    void aRunStoredBeforeWeightDecayResumesAsItTrainedAndAChangedDefaultIsNamedAsSuch() throws IOException {
        Path dir = tmp.resolve("old-format");
        dev.ganlab.TinyRuns.trainOneStep(dev.ganlab.TinyRuns.dcgan(), dir);
        // The config.json such a run holds: complete optimiser groups without weightDecay (batch 8, as trained).
        com.google.gson.JsonObject stored = com.google.gson.JsonParser.parseString(
                Files.readString(dir.resolve("config.json"))).getAsJsonObject();
        stored.getAsJsonObject("optG").remove("weightDecay");
        stored.getAsJsonObject("optD").remove("weightDecay");
        Files.writeString(dir.resolve("config.json"), stored.toString());
        assertEquals(0f, TrainConfig.ofRun(dir).resolved().optG.weightDecay, "read as trained, not the preset's 1e-5");

        // The request of the run's recipe, settings left to their defaults as a sweep's base leaves them.
        TrainConfig asked = dev.ganlab.TinyRuns.dcgan();
        asked.steps = 2;
        asked.batch = null;   // the dcgan default is now 128; the run has 8
        UserError e = assertThrows(UserError.class, () -> GanTrainer.open(asked, dir, true));
        assertTrue(e.getMessage().contains("batch: the run has 8, asked 128 (the request leaves batch to its default"),
                e.getMessage());
        assertFalse(e.getMessage().contains("weightDecay"), "the run's weight decay is kept: " + e.getMessage());
        asked.batch = 8;
        try (GanTrainer t = GanTrainer.open(asked, dir, true)) {
            assertEquals(0f, t.config().optG.weightDecay);
            t.train();
            assertEquals(2, t.step());
        }
    }

    @Test
    void aResumedRunContinuesTheSameRun() throws Exception {
        // Tricks on, so their state (replay buffer, historical means, EMA) must survive the resume too.
        TrainConfig c = tiny(30);
        c.tricks.replayBuffer = 64;
        c.tricks.historicalAveraging = 0.01f;
        c.tricks.instanceNoise = 0.1f;
        c.tricks.instanceNoiseSteps = 25;
        c.dcgan.dDropout = 0.25f; // dropout masks must replay too
        Path straight = tmp.resolve("straight");
        try (GanTrainer t = GanTrainer.start(c, straight)) {
            t.addMonitor(QUIET).train();
        }
        Path split = tmp.resolve("split");
        TrainConfig first = c.copy();
        first.steps = 20;
        try (GanTrainer t = GanTrainer.start(first, split)) {
            t.addMonitor(QUIET).train();
        }
        try (GanTrainer t = GanTrainer.resume(split, 30)) {
            assertEquals(20, t.step());
            t.addMonitor(QUIET).train();
        }
        List<String> a = withoutSeconds(straight.resolve("metrics.csv"));
        List<String> b = withoutSeconds(split.resolve("metrics.csv"));
        assertEquals(a, b, "losses and samples metrics of the resumed run differ from the uninterrupted run");
        assertArrayEquals(Files.readAllBytes(straight.resolve("samples/step-00000030.png")),
                Files.readAllBytes(split.resolve("samples/step-00000030.png")), "sample grids at step 30 differ");
        RunStatus st = RunStatus.read(split.resolve("status.json"));
        assertEquals("finished", st.status);
        assertEquals(30, st.step);
    }

    @Test
    void startRefusesAFolderWithCheckpointsAndOpenChecksTheConfig() throws Exception {
        TrainConfig c = tiny(10);
        Path dir = tmp.resolve("run");
        try (GanTrainer t = GanTrainer.start(c, dir)) {
            t.addMonitor(QUIET).train();
        }
        UserError e = assertThrows(UserError.class, () -> GanTrainer.start(c, dir));
        assertTrue(e.getMessage().contains("already holds checkpoints"), e.getMessage());
        TrainConfig other = c.copy();
        other.optD = OptimizerConfig.adam(1e-3f, 0.5f, 0.999f);
        String storedBefore = Files.readString(dir.resolve("config.json"));
        TrainConfig otherLonger = other.copy();
        otherLonger.steps = 15;
        UserError mismatch = assertThrows(UserError.class, () -> GanTrainer.open(otherLonger, dir, true));
        assertTrue(mismatch.getMessage().contains("different config"), mismatch.getMessage());
        // The message names the setting and both values (the steps differ too, but may: no mention).
        assertTrue(mismatch.getMessage().contains("optD.lr: the run has " + c.resolved().optD.lr + ", asked 0.001"),
                mismatch.getMessage());
        assertFalse(mismatch.getMessage().contains("steps: the run has"), mismatch.getMessage());
        assertEquals(storedBefore, Files.readString(dir.resolve("config.json")),
                "a refused resume must leave the run's config as it was");
        TrainConfig longer = c.copy();
        longer.steps = 15;
        try (GanTrainer t = GanTrainer.open(longer, dir, true)) {
            assertEquals(10, t.step());
            t.addMonitor(QUIET).train();
        }
        // A second extension: settings whose defaults follow the run's length (instanceNoiseSteps) keep
        // the value the run started with, so the same settings still match.
        TrainConfig longerStill = c.copy();
        longerStill.steps = 17;
        try (GanTrainer t = GanTrainer.open(longerStill, dir, true)) {
            assertEquals(15, t.step());
            assertEquals(10, t.config().tricks.instanceNoiseSteps);
        }
    }

    @Test
    void reopenContinuesTheSameSettingsAndKeepsARunWithOtherSettingsAside() throws Exception {
        TrainConfig c = tiny(10);
        Path dir = tmp.resolve("nb-run");
        try (GanTrainer t = GanTrainer.reopen(c, dir)) {
            assertEquals(0, t.step());
            t.addMonitor(QUIET).train();
            double trained = t.seconds();
            assertTrue(trained > 0, "training time is counted: " + trained);
            Thread.sleep(30);
            assertEquals(trained, t.seconds(), 0.0, "the training clock stops when train() returns");
        }
        TrainConfig longer = c.copy();
        longer.steps = 20;
        try (GanTrainer t = GanTrainer.reopen(longer, dir)) {
            assertEquals(10, t.step(), "same settings, more steps: the run continues");
            t.addMonitor(QUIET).train();
        }
        byte[] oldMetrics = Files.readAllBytes(dir.resolve("metrics.csv"));
        TrainConfig other = longer.copy();
        other.batch = 8;
        try (GanTrainer t = GanTrainer.reopen(other, dir)) {
            assertEquals(0, t.step(), "other settings: a new run starts");
        }
        List<Path> aside = keptAside("nb-run");
        assertEquals(1, aside.size(), "the earlier run is kept beside the folder: " + aside);
        assertArrayEquals(oldMetrics, Files.readAllBytes(aside.get(0).resolve("metrics.csv")));
        assertEquals(20, RunStatus.read(aside.get(0).resolve("status.json")).step);
        assertEquals(8, TrainConfig.fromJson(Files.readString(dir.resolve("config.json"))).batch,
                "the new run's config is stored");
    }

    @Test
    void reopenWithFewerStepsThanTheRunHasTrainedStartsAfreshAndKeepsTheLongerRunAside() throws Exception {
        // A notebook whose quick profile went from 600 to 400 steps, re-run over the 600-step run's folder.
        TrainConfig c = tiny(6);
        c.checkpointEvery = 3;
        Path dir = tmp.resolve("shortened");
        try (GanTrainer t = GanTrainer.reopen(c, dir)) {
            t.addMonitor(QUIET).train();
        }
        TrainConfig shorter = c.copy();
        shorter.steps = 4;
        try (GanTrainer t = GanTrainer.reopen(shorter, dir)) {
            assertEquals(0, t.step(), "a new run starts");
            t.addMonitor(QUIET).train();
            assertEquals(4, t.step(), "and ends at the steps asked for");
        }
        List<Path> aside = keptAside("shortened");
        assertEquals(1, aside.size(), "the longer run is kept beside the folder: " + aside);
        assertEquals(6, RunStatus.read(aside.get(0).resolve("status.json")).step);
        TrainConfig same = shorter.copy();
        try (GanTrainer t = GanTrainer.reopen(same, dir)) {
            assertEquals(4, t.step(), "a run that has exactly the steps asked for is reopened in place");
        }
        assertEquals(1, keptAside("shortened").size());
    }

    @Test
    void aRunWhoseStoredSettingsNoLongerResolveIsKeptAsideByReopenAndNamedByResume() throws Exception {
        // As a run folder written by an earlier version: its config.json holds a setting of another model
        // (found in the quick profile's build/runs after ModelApplicability arrived).
        TrainConfig c = tiny(10);
        Path dir = tmp.resolve("old-run");
        try (GanTrainer t = GanTrainer.reopen(c, dir)) {
            t.addMonitor(QUIET).train();
        }
        Path cfgFile = dir.resolve("config.json");
        com.google.gson.JsonObject stored = com.google.gson.JsonParser.parseString(Files.readString(cfgFile))
                .getAsJsonObject();
        com.google.gson.JsonObject progan = new com.google.gson.JsonObject();
        progan.addProperty("fmapBase", 1234);
        stored.add("progan", progan);
        Files.writeString(cfgFile, stored.toString());

        UserError e = assertThrows(UserError.class, () -> GanTrainer.open(c, dir, true));
        assertTrue(e.getMessage().contains(cfgFile.toString()) && e.getMessage().contains("progan.fmapBase"),
                e.getMessage());

        try (GanTrainer t = GanTrainer.reopen(c, dir)) {
            assertEquals(0, t.step(), "a new run starts");
        }
        assertEquals(1, keptAside("old-run").size(), "the old run is kept beside the folder");
    }

    /** The folders reopen moved run {@code name} aside to ({@code name.replaced-<time>}). */
    private List<Path> keptAside(String name) throws IOException {
        try (var files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith(name + ".replaced-")).toList();
        }
    }

    @Slow
    @Test
    void liveArraysDoNotGrowOverHundredsOfSteps() {
        TrainConfig c = tiny(400);
        c.sampleEvery = 1000;
        c.checkpointEvery = 1000;
        c.logEvery = 50;
        c.penalty = "r1";
        c.tricks.featureMatching = 0.1f;
        c.tricks.replayBuffer = 32;
        c.dcgan.dNorm = "none";
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve("mem"))) {
            t.addMonitor(QUIET);
            assertArraysStayFlat(t, 50, 350);
        }
    }

    /** Runs {@code warmup} steps, counts the trainer's live arrays, runs {@code steps} more: the count must not grow. */
    static void assertArraysStayFlat(GanTrainer t, int warmup, int steps) {
        BaseNDManager root = (BaseNDManager) t.rootManager();
        for (int i = 0; i < warmup; i++) {
            t.step1();
        }
        int afterWarmup = root.getManagedArrays().size();
        for (int i = 0; i < steps; i++) {
            t.step1();
        }
        assertEquals(afterWarmup, root.getManagedArrays().size(), "arrays in the trainer's manager grew");
    }

    @Test
    void aNonFiniteLossStopsTheRunNamingStepAndLossAndKeepsTheLastCheckpoint() throws Exception {
        TrainConfig c = tiny(40);
        Path dir = tmp.resolve("nan");
        try (GanTrainer t = GanTrainer.start(c, dir)) {
            t.addMonitor(QUIET).addMonitor(new TrainingMonitor() {
                @Override
                public void onLog(GanTrainer tr, Map<String, Double> row) {
                    if (row.get("step") == 15) {
                        // Poison the discriminator: every later loss is NaN.
                        NDArray w = tr.model().discriminator().getParameters().valueAt(0).getArray();
                        w.muli(Float.NaN);
                    }
                }
            });
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, t::train);
            assertTrue(e.getMessage().startsWith("step 16: "), e.getMessage());
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
            assertTrue(e.getMessage().contains("checkpoints/step-00000010.ckpt"), e.getMessage());
        }
        assertEquals("diverged", RunStatus.read(dir.resolve("status.json")).status);
        assertTrue(Files.exists(dir.resolve("checkpoints/step-00000010.ckpt")));
        try (GanTrainer t = GanTrainer.resume(dir, 40)) {
            assertEquals(10, t.step(), "resume starts from the last good checkpoint");
        }
    }

    @Test
    void everyTrickRunsAndReportsItsValues() {
        TrainConfig c = tiny(6);
        c.logEvery = 3;
        c.sampleEvery = 3;
        c.tricks.labelSmoothing = 0.9f;
        c.tricks.instanceNoise = 0.2f;
        c.tricks.featureMatching = 1f;
        c.tricks.minibatchDiscrimination = 8;
        c.tricks.replayBuffer = 32;
        c.tricks.historicalAveraging = 0.01f;
        c.penalty = "dragan";
        c.augment = "color,translation,cutout";
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve("tricks"))) {
            t.addMonitor(QUIET).train();
            var h = t.history();
            for (String col : List.of("d_loss", "g_loss", "feature_matching", "penalty", "grad_norm", "diversity",
                    "coverage", "collapse_precision")) {
                assertTrue(h.columnNames().contains(col), "history lacks " + col + ": " + h.columnNames());
            }
            // The alarm's precision is not the evaluation's improved precision: it must not take its name.
            assertFalse(h.columnNames().contains("precision"), h.columnNames().toString());
        }
    }

    @Test

    @Slow
    void theRunScoresItselfAndRecordsTheScoresInTheHistory() {
        TrainConfig c = tiny(10);
        c.eval.metrics = "swd";
        c.eval.every = 5;
        c.eval.n = 64;
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve("eval"))) {
            t.addMonitor(QUIET).train();
            var h = t.history();
            assertTrue(h.columnNames().contains("swd_x1e3"), h.columnNames().toString());
            double[] swd = dev.ganlab.viz.Plots.column(h, "swd_x1e3");
            long scored = java.util.Arrays.stream(swd).filter(v -> !Double.isNaN(v)).count();
            assertEquals(2, scored, "evaluations at steps 5 and 10");
            assertTrue(t.lastEvaluation().setup().toString().contains("64"), t.lastEvaluation().setup().toString());
            // Each evaluation's setup is kept beside the numbers, one entry per evaluation.
            var log = dev.ganlab.metrics.EvaluationLog.read(tmp.resolve("eval").resolve(
                    dev.ganlab.metrics.EvaluationLog.FILE));
            assertEquals(List.of(5L, 10L), log.stream().map(e -> e.step()).toList());
            assertEquals(64, log.get(1).setup().fakeCount());
            assertEquals(t.lastEvaluation().setup(), log.get(1).setup());
            double[] scores = java.util.Arrays.stream(swd).filter(v -> !Double.isNaN(v)).toArray();
            assertEquals(scores[1], log.get(1).metrics().get("swd_x1e3"), 1e-9);
        }
    }

    /**
     * Scoring a run while it trains (eval.every) leaves its training as it was: every network and optimiser
     * section of the last checkpoint is byte for byte that of the same run trained without evaluations, so a
     * reference run may score its own curve and still be the recipe's run (ReferenceModelTest).
     */
    @Test
    @Slow
    void evaluationsDuringTrainingLeaveTheWeightsAsTheyWouldBe() throws IOException {
        TrainConfig plain = tiny(10);
        TrainConfig scored = tiny(10);
        scored.eval.metrics = "swd";
        scored.eval.every = 3;   // evaluations between checkpoints, not only at them
        scored.eval.n = 64;
        Map<String, Checkpoint> last = new java.util.TreeMap<>();
        for (var run : Map.of("plain", plain, "scored", scored).entrySet()) {
            Path dir = tmp.resolve("evaluations-" + run.getKey());
            try (GanTrainer t = GanTrainer.start(run.getValue(), dir)) {
                t.addMonitor(QUIET).train();
            }
            List<Path> ckpts = Checkpoint.list(dir.resolve("checkpoints"));
            last.put(run.getKey(), Checkpoint.read(ckpts.get(ckpts.size() - 1)));
        }
        Checkpoint a = last.get("plain");
        Checkpoint b = last.get("scored");
        assertEquals(a.sectionNames(), b.sectionNames());
        assertTrue(a.sectionNames().containsAll(List.of("G", "D", "EMA_G", "OPT_G", "OPT_D")), a.sectionNames().toString());
        for (String section : a.sectionNames()) {
            assertArrayEquals(a.section(section).readAllBytes(), b.section(section).readAllBytes(), section);
        }
    }

    @Test
    void sndcganAndWganWithClippingTrain() {
        TrainConfig s = tiny(4);
        s.model = "sndcgan";
        s.loss = "hinge";
        TrainConfig w = tiny(4);
        w.loss = "wgan";
        for (TrainConfig c : List.of(s, w)) {
            try (GanTrainer t = GanTrainer.start(c, tmp.resolve(c.model + c.loss))) {
                t.addMonitor(QUIET).train();
                if (c.loss.equals("wgan")) {
                    for (var p : t.model().discriminator().getParameters()) {
                        if (p.getValue().requiresGradient()) {
                            float max = p.getValue().getArray().abs().max().getFloat();
                            assertTrue(max <= 0.01f + 1e-7, p.getKey() + " exceeds the clip bound: " + max);
                        }
                    }
                }
            }
        }
    }
}
