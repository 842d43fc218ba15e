package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import dev.ganlab.models.Models;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which images the generator's update scores ({@code generatorFakes}): FastGAN's official train.py
 * generates once per iteration and the generator's loss scores the critic's images (augmented once)
 * through the updated critic; the other models draw new latents.
 */
class GeneratorFakesTest {

    @TempDir Path tmp;

    /**
     * A WGAN critic whose update changes nothing (SGD with a vanishing learning rate), one critic update, no
     * augmentation: the generator's loss is -mean D(G(z)) and the critic logs mean D(G(z)) of its own
     * fakes, so the two are each other's negation exactly when the generator scores the critic's images.
     */
    private static TrainConfig frozenCritic(String generatorFakes) {
        TrainConfig c = GanTrainerTest.tiny(1);
        c.loss = "wgan";
        c.clip = 0f;
        c.nCritic = 1;
        c.augment = "";
        c.logEvery = 1;
        // Learning rates must be positive: 1e-30 times any gradient here is below half a float ulp of every
        // weight, so plain SGD leaves the critic's weights bit for bit as they were.
        c.set("optD", "{\"type\":\"sgd\",\"lr\":1e-30}");
        c.generatorFakes = generatorFakes;
        return c;
    }

    private Map<String, Float> firstStep(TrainConfig c, String name) {
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve(name))) {
            return t.step1();
        }
    }

    @Test
    void reusedFakesAreTheImagesTheCriticScored() {
        Map<String, Float> reuse = firstStep(frozenCritic("reuse"), "reuse");
        assertEquals(-reuse.get("d_fake"), reuse.get("g_loss"), 1e-6 * Math.abs(reuse.get("g_loss")) + 1e-7,
                reuse.toString());
        // The same run with fresh latents scores other images: the identity above is not a property of
        // the loss (the critic's logits here are of order 0.1, and differ between the two batches).
        Map<String, Float> fresh = firstStep(frozenCritic("fresh"), "fresh");
        assertEquals(reuse.get("d_fake"), fresh.get("d_fake"), 0f, "the critic's side is the same in both modes");
        float gap = Math.abs(fresh.get("g_loss") + fresh.get("d_fake"));
        assertTrue(gap > 1e-4 * Math.abs(fresh.get("d_fake")), "fresh latents gave the critic's score back: " + fresh);
    }

    @Test
    void theGeneratorLearnsThroughReusedFakesWithAReplayBuffer() {
        // With a replay buffer the critic scores a mix of old and new images; the generator's update still
        // back-propagates through its own images of this step.
        TrainConfig c = GanTrainerTest.tiny(3);
        c.generatorFakes = "reuse";
        c.tricks.replayBuffer = 32;
        c.logEvery = 1;
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve("replay"))) {
            float[] before = t.model().generator().getParameters().valueAt(0).getArray().toFloatArray();
            for (int i = 0; i < 3; i++) {
                Map<String, Float> v = t.step1();
                assertTrue(Float.isFinite(v.get("g_loss")), v.toString());
            }
            float[] after = t.model().generator().getParameters().valueAt(0).getArray().toFloatArray();
            assertNotEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(after),
                    "the generator's first weights did not move");
        }
    }

    @Test
    void aResumedRunWithReusedFakesContinuesTheSameRunAndHoldsNoArraysAcrossSteps() throws Exception {
        // The kept graph lives in the step's scope only: the trainer's manager does not grow, and a resume
        // (instance noise perturbs the reused images, so its draws must replay too) is the same run.
        TrainConfig c = GanTrainerTest.tiny(12);
        c.generatorFakes = "reuse";
        c.tricks.instanceNoise = 0.1f;
        c.tricks.instanceNoiseSteps = 12; // its annealing must not depend on the first part's shorter steps
        c.logEvery = 1;
        c.sampleEvery = 4;
        c.checkpointEvery = 4;
        TrainConfig long1 = c.copy();
        long1.steps = 25;
        long1.sampleEvery = 1000;
        long1.checkpointEvery = 1000;
        try (GanTrainer t = GanTrainer.start(long1, tmp.resolve("memory"))) {
            GanTrainerTest.assertArraysStayFlat(t, 5, 20);
        }
        Path straight = tmp.resolve("straight");
        try (GanTrainer t = GanTrainer.start(c, straight)) {
            t.addMonitor(GanTrainerTest.QUIET).train();
        }
        Path split = tmp.resolve("split");
        TrainConfig first = c.copy();
        first.steps = 8;
        try (GanTrainer t = GanTrainer.start(first, split)) {
            t.addMonitor(GanTrainerTest.QUIET).train();
        }
        try (GanTrainer t = GanTrainer.resume(split, 12)) {
            assertEquals(8, t.step());
            t.addMonitor(GanTrainerTest.QUIET).train();
        }
        assertEquals(GanTrainerTest.withoutSeconds(straight.resolve("metrics.csv")),
                GanTrainerTest.withoutSeconds(split.resolve("metrics.csv")), "the resumed run differs");
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                Files.readAllBytes(straight.resolve("samples/step-00000012.png")),
                Files.readAllBytes(split.resolve("samples/step-00000012.png")), "sample grids at step 12 differ");
    }

    @Test
    void anOldFastganRunIsResumedAndReopenedWithItsFreshLatentsAndListedSo() throws IOException {
        // A FastGAN run whose config.json predates the setting: opening it with the same (unset) settings must
        // resume it with fresh latents, not refuse it or move it aside because the preset now says reuse.
        TrainConfig c = dev.ganlab.TinyRuns.fastgan();
        c.batch = 4;
        c.checkpointEvery = 1;
        c.sampleEvery = 1000;
        c.emaBatchNormLatents = 0;
        Path run = tmp.resolve("old-fastgan");
        TrainConfig first = c.copy();
        first.generatorFakes = "fresh";
        try (GanTrainer t = GanTrainer.start(first, run)) {
            t.addMonitor(GanTrainerTest.QUIET).train();
        }
        Path cfgFile = run.resolve("config.json");
        String stored = Files.readString(cfgFile);
        assertTrue(stored.contains("\"generatorFakes\": \"fresh\""), stored);
        Files.writeString(cfgFile, stored.replaceAll("\\s*\"generatorFakes\": \"fresh\",", ""));
        assertEquals("fresh", RunFolder.of(run).config().generatorFakes, "the run listing");
        TrainConfig again = c.copy();
        again.steps = 2;
        try (GanTrainer t = GanTrainer.open(again, run, true)) {
            assertEquals(1, t.step(), "resumed, not restarted");
            assertEquals("fresh", t.config().generatorFakes);
        }
        try (GanTrainer t = GanTrainer.reopen(again, run)) {
            assertEquals(1, t.step(), "reopened in place, not moved aside");
        }
        // Asking for reuse explicitly is another recipe: refused, as any changed setting.
        TrainConfig reuse = again.copy();
        reuse.generatorFakes = "reuse";
        UserError e = assertThrows(UserError.class, () -> GanTrainer.open(reuse, run, true).close());
        assertTrue(e.getMessage().contains("different config"), e.getMessage());
    }

    @Test
    void fastganReusesAndTheOtherModelsDrawFreshLatents() {
        for (String model : Models.names()) {
            TrainConfig c = new TrainConfig();
            c.model = model;
            String expected = model.equals("fastgan") ? "reuse" : "fresh";
            assertEquals(expected, c.resolved().generatorFakes, model);
        }
    }

    @Test
    void anUnknownValueIsRefusedNamingTheSetting() {
        TrainConfig c = GanTrainerTest.tiny(1);
        c.generatorFakes = "same";
        UserError e = assertThrows(UserError.class, c::resolved);
        assertTrue(e.getMessage().contains("generatorFakes 'same'") && e.getMessage().contains("reuse"), e.getMessage());
    }

    @Test
    void aRunThatPredatesTheSettingResumesWithFreshLatents() throws IOException {
        // A FastGAN run stored before the setting existed trained with fresh latents; resuming it must not
        // switch to the preset's new default halfway.
        TrainConfig c = new TrainConfig();
        c.model = "fastgan";
        String json = c.resolved().toJson().replaceAll("\\s*\"generatorFakes\": \"reuse\",", "");
        assertTrue(!json.contains("generatorFakes"), json);
        Path run = Files.createDirectories(tmp.resolve("old-run"));
        Files.writeString(run.resolve("config.json"), json);
        assertEquals("fresh", TrainConfig.ofRun(run).resolved().generatorFakes);
    }
}
