package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.TinyRuns;
import dev.ganlab.cli.MainRunner;
import dev.ganlab.core.ProjectHome;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reference models (issue 17, item 2): a tiny run exported with {@code ganlab export} samples the
 * same floats as its checkpoint with both generators (DCGAN with re-estimated EMA batch-norm statistics,
 * ProGAN at a stage), keeps only the generator sections, ranks the generators by the scores given, and
 * a folder that lacks a file is an error naming the folder and the file. The committed DCGAN references,
 * {@code lib/zoo/dcgan-fmnist-20k} (the reproduction's seed-1 run trained on) and {@code lib/zoo/dcgan-fmnist} (the
 * same recipe and seed from step 0, trained longer), are checked against the reproduction's record of that run.
 */
class ReferenceModelTest {

    @TempDir static Path tmp;

    static Path dcgan;
    static Path progan;

    @BeforeAll
    static void trainTinyRuns() throws IOException {
        dcgan = tmp.resolve("dcgan");
        TinyRuns.trainOneStep(TinyRuns.dcgan(), dcgan);

        progan = tmp.resolve("progan");
        TinyRuns.trainOneStep(TinyRuns.progan(), progan);
    }

    /** A report as ganlab metrics --json writes it, with the given FID. */
    private static Path report(String name, double fid) throws IOException {
        Path f = tmp.resolve(name + ".json");
        Files.writeString(f, """
                {"setup": {"features": "fmnist", "real": "synthetic:8", "realCount": 64, "fake": "folder:x",
                  "fakeCount": 64, "seed": 0},
                 "metrics": {"fid_fmnist": %s, "kid_fmnist": 0.5}, "details": {}, "warnings": []}""".formatted(fid));
        return f;
    }

    private static Path export(Path run, String name, double emaFid, double rawFid) throws IOException {
        Path out = tmp.resolve("zoo").resolve(name);
        String[] r = MainRunner.run("export", "--run", run.toString(), "--out", out.toString(),
                "--scores", "ema=" + report(name + "-ema", emaFid), "--scores", "raw=" + report(name + "-raw", rawFid));
        assertEquals("0", r[0], "export exit status; stderr: " + r[2] + "\nstdout: " + r[1]);
        assertTrue(r[1].contains("pixel for pixel"), r[1]);
        return out;
    }

    private static void assertSameOutputs(Path run, Path exported) {
        try (TrainedGenerator a = TrainedGenerator.load(run); TrainedGenerator b = TrainedGenerator.load(exported)) {
            assertTrue(a.hasEma() && b.hasEma());
            assertEquals(a.step(), b.step());
            assertEquals(a.emaBatchNormLatents(), b.emaBatchNormLatents());
            for (boolean ema : new boolean[] {true, false}) {
                float[] x = a.outputs(10, ema, 7);
                float[] y = b.outputs(10, ema, 7);
                assertTrue(x.length > 0);
                assertArrayEquals(x, y, (ema ? "EMA" : "raw") + " generator outputs of " + exported);
                ImageDataset s = a.sample(5, ema, 3);
                ImageDataset t = b.sample(5, ema, 3);
                for (int i = 0; i < s.size(); i++) {
                    assertArrayEquals(s.pixels(i), t.pixels(i), "image " + i);
                }
            }
            // The two generators of the export are not one network twice.
            float[] e = b.outputs(4, true, 1);
            float[] r = b.outputs(4, false, 1);
            assertFalse(java.util.Arrays.equals(e, r), "EMA and raw outputs should differ after a step");
        }
    }

    @Test
    void exportedDcganSamplesWhatItsCheckpointSamples() throws IOException {
        Path out = export(dcgan, "tiny-dcgan", 30.0, 20.0);
        assertSameOutputs(dcgan, out);
        try (TrainedGenerator b = TrainedGenerator.load(out)) {
            assertTrue(b.emaBatchNormLatents() > 0, "the default run re-estimates the EMA's batch-norm statistics");
        }
        ReferenceModel ref = ReferenceModel.open(out);
        assertEquals("raw", ref.best(), "raw scored 20 < EMA 30");
        assertFalse(ref.bestIsEma());
        assertEquals("fid_fmnist", ref.rankedBy());
        assertEquals(20.0, ref.bestScore());
        assertEquals(1, ref.step());
        assertEquals(64, ref.sampleCount("ema"));
        String readme = Files.readString(out.resolve(ReferenceModel.README));
        assertTrue(readme.contains("environment/zoo/train-reference.sh tiny-dcgan"), readme);
        assertTrue(readme.contains("| raw (better) | 20.00 |"), readme);
        // `ganlab runs` on a zoo lists the export as what it is, not as a run waiting to start.
        RunFolder listed = RunFolder.of(out);
        assertEquals(RunStatus.EXPORTED, listed.status());
        assertTrue(listed.usable(), listed.toString());
        assertEquals(1, listed.step());
        assertEquals(1, listed.checkpointStep());
        assertFalse(RunStatus.EXPORTED.equals(RunFolder.of(dcgan).status()), "the run it came from is still a run");
    }

    @Test
    void exportedProganSamplesWhatItsCheckpointSamples() throws IOException {
        Path out = export(progan, "tiny-progan", 1.0, 2.0);
        assertSameOutputs(progan, out);
        assertTrue(ReferenceModel.open(out).bestIsEma());
    }

    @Test
    void weightsHoldOnlyTheGeneratorsAndAreSmallerThanTheCheckpoint() throws IOException {
        Path out = export(dcgan, "tiny-sections", 1.0, 2.0);
        Checkpoint w = Checkpoint.read(out.resolve(ReferenceModel.WEIGHTS));
        Path ck = Checkpoint.list(dcgan.resolve("checkpoints")).get(0);
        Checkpoint c = Checkpoint.read(ck);
        assertTrue(w.has("G") && w.has("EMA_G"));
        for (String s : List.of("D", "OPT_G", "OPT_D")) {
            assertTrue(c.has(s), "the run checkpoint has " + s);
            assertFalse(w.has(s), "the reference model must not keep " + s);
        }
        assertArrayEquals(c.section("G").readAllBytes(), w.section("G").readAllBytes());
        // The weights say what computed them, as the run checkpoint does (RunPlatforms).
        assertEquals(dev.ganlab.core.ComputePlatform.current().toJson(), w.header().get(RunPlatforms.HEADER));
        assertTrue(Files.size(out.resolve(ReferenceModel.WEIGHTS)) < Files.size(ck));
        // The history keeps the run's rows up to the exported step.
        assertEquals(Files.readAllLines(dcgan.resolve("metrics.csv")), Files.readAllLines(out.resolve("metrics.csv")));
    }

    @Test
    void aFolderThatLacksAFileIsAnErrorNamingTheFolderAndTheFile() throws IOException {
        for (String missing : ReferenceModel.FILES) {
            Path out = export(dcgan, "tiny-without-" + missing.replace('.', '-'), 1.0, 2.0);
            Files.delete(out.resolve(missing));
            // (without generator.ckpt the scores still mark it as a reference model, and the other way round)
            UserError e = assertThrows(UserError.class, () -> TrainedGenerator.load(out), missing);
            assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("lacks " + missing),
                    e.getMessage());
            UserError o = assertThrows(UserError.class, () -> ReferenceModel.open(out), missing);
            assertTrue(o.getMessage().contains(out.toString()) && o.getMessage().contains(missing), o.getMessage());
        }
    }

    @Test
    void exportRefusesBadScoresAndAForeignOutputFolder() throws IOException {
        Path out = tmp.resolve("zoo").resolve("refused");
        String[] badGen = MainRunner.run("export", "--run", dcgan.toString(), "--out", out.toString(),
                "--scores", "best=" + report("b", 1.0), "--no-check");
        assertEquals("2", badGen[0], badGen[2]);
        assertTrue(badGen[2].contains("--scores best=") && badGen[2].contains("[ema, raw]"), badGen[2]);

        String[] badKey = MainRunner.run("export", "--run", dcgan.toString(), "--out", out.toString(),
                "--scores", "raw=" + report("k", 1.0), "--rank-by", "swd_x1e3", "--no-check");
        assertEquals("2", badKey[0], badKey[2]);
        assertTrue(badKey[2].contains("has no swd_x1e3"), badKey[2]);

        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        String[] r = MainRunner.run("export", "--run", dcgan.toString(), "--out", foreign.toString(),
                "--scores", "raw=" + report("f", 1.0), "--no-check");
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains(foreign.toString()) && r[2].contains("notes.txt"), r[2]);
        assertEquals(List.of("notes.txt"), Files.list(foreign).map(p -> p.getFileName().toString()).toList());
    }

    /** Each leaf of {@code keys} (dotted in messages) has the same value in {@code want} and {@code got}. */
    private static void assertPinned(JsonObject keys, JsonObject want, JsonObject got, String prefix) {
        for (String k : keys.keySet()) {
            assertTrue(want.has(k) && got.has(k), prefix + k + " missing");
            if (keys.get(k).isJsonObject()) {
                assertPinned(keys.getAsJsonObject(k), want.getAsJsonObject(k), got.getAsJsonObject(k), prefix + k + ".");
            } else {
                assertEquals(want.get(k), got.get(k), prefix + k);
            }
        }
    }

    @Test
    void theCommittedDcganReferencesAreTheReproductionsRecipeTrainedLongerAndLoad() throws IOException {
        for (String name : List.of("dcgan-fmnist-20k", "dcgan-fmnist")) {
            dcganReferenceIsTheReproductionsRecipeTrainedLonger(ReferenceModel.named(name));
        }
    }

    private static void dcganReferenceIsTheReproductionsRecipeTrainedLonger(ReferenceModel ref) throws IOException {
        // The reproduction's record of its seed-1 run's 5,000-step checkpoint (lib/reproduction), written by its
        // driver, not by export; the reference is that recipe and seed trained longer: that run exported there or
        // trained on from it, or the same recipe trained again from step 0.
        JsonObject repro = JsonParser.parseString(Files.readString(ProjectHome.find()
                .resolve("lib/reproduction/dcgan-fmnist28-ns/ganlab-seed1-step5000.json"))).getAsJsonObject();
        long reproSteps = repro.get("steps").getAsLong();
        double reproEma = repro.getAsJsonObject("scores").getAsJsonObject("ema").getAsJsonObject("metrics")
                .get("fid_fmnist").getAsDouble();
        double reproRaw = repro.getAsJsonObject("scores").getAsJsonObject("raw").getAsJsonObject("metrics")
                .get("fid_fmnist").getAsDouble();
        double ema = ref.score("ema", "fid_fmnist");
        double raw = ref.score("raw", "fid_fmnist");
        assertTrue(ref.step() >= reproSteps,
                ref.name() + ": the reference is the reproduction's recipe at or after its " + reproSteps);
        // Without the dcgan preset's weight decay of 1e-5, as the reproduction's recipe trains (a run written
        // before optimisers had weightDecay lacks the key and is read as trained, without it).
        TrainConfig stored = TrainConfig.ofRun(ref.dir()).resolved();
        assertEquals(0f, stored.optG.weightDecay, ref.name());
        assertEquals(0f, stored.optD.weightDecay, ref.name());
        if (ref.step() == reproSteps) {
            assertEquals(reproEma, ema);   // the same checkpoint, the same scores
            assertEquals(reproRaw, raw);
        } else {
            // trained on: a reference worse than its own 5,000-step checkpoint does not belong in the zoo
            assertTrue(Math.min(ema, raw) < Math.min(reproEma, reproRaw), ref.name() + ": FID " + Math.min(ema, raw)
                    + " at step " + ref.step() + " against " + Math.min(reproEma, reproRaw) + " at " + reproSteps);
        }
        assertEquals(raw < ema ? "raw" : "ema", ref.best(), ref.name());
        assertEquals(10_000, ref.sampleCount("raw"), ref.name());
        // Every setting the recipe names, both sides resolved by this version (eval.n 0 stands for its default),
        // the length and the evaluations during training apart: they draw latents of their own and leave the
        // networks as they were (GanTrainerTest.evaluationsDuringTrainingLeaveTheWeightsAsTheyWouldBe), so a
        // reference run may score its curve.
        JsonObject recipe = repro.getAsJsonObject("config").deepCopy();
        recipe.addProperty("steps", ref.step());
        recipe.remove("eval");
        assertPinned(recipe, TrainConfig.fromTree(recipe).resolved().toJsonTree(),
                TrainConfig.ofRun(ref.dir()).resolved().toJsonTree(), ref.name() + ": ");
        // the history runs to the exported step
        List<String> history = Files.readAllLines(ref.dir().resolve(ReferenceModel.HISTORY));
        assertEquals(String.valueOf(ref.step()), history.get(history.size() - 1).split(",")[0]);
        long size = Files.size(ref.dir().resolve(ReferenceModel.WEIGHTS));
        assertTrue(size < 8_000_000, "generator.ckpt is " + size + " bytes: only the two generators belong there");
        try (TrainedGenerator g = TrainedGenerator.load(ref.dir())) {
            assertEquals(ref.step(), g.step());
            assertTrue(g.hasEma());
            ImageDataset s = g.sample(2, ref.bestIsEma(), 1);
            assertEquals(28, s.height());
            assertEquals(1, s.channels());
        }
    }

    /** The recipe NAME of environment/zoo/recipes.py: its config and scoring, as JSON, read by Python itself. */
    private static JsonObject recipe(String name) throws IOException, InterruptedException {
        Path zoo = ProjectHome.find().resolve("environment/zoo");
        Path out = tmp.resolve("recipe-" + name + ".json");
        Path err = tmp.resolve("recipe-" + name + ".err");
        Process p = new ProcessBuilder(List.of("python3", "-c",
                "import json, sys, recipes; print(json.dumps(recipes.RECIPES[sys.argv[1]]))", name))
                .directory(zoo.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(1, java.util.concurrent.TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("environment/zoo/recipes.py did not answer in a minute");
        }
        assertEquals(0, p.exitValue(), "lib/zoo/" + name + " has no recipe in environment/zoo/recipes.py: "
                + Files.readString(err));
        return JsonParser.parseString(Files.readString(out)).getAsJsonObject();
    }

    @Test
    void everyCommittedReferenceIsItsRecipeTrainedToTheEndAndScoredAsTheRecipeSays() throws Exception {
        List<String> names = ReferenceModel.names();
        assertTrue(names.contains("dcgan-fmnist"), "lib/zoo holds " + names);
        for (String name : names) {
            ReferenceModel ref = ReferenceModel.named(name);
            JsonObject recipe = recipe(name);
            JsonObject config = recipe.getAsJsonObject("config");
            JsonObject scoring = recipe.getAsJsonObject("scoring");
            // Every setting the recipe names, resolved by this version on both sides, is the run's.
            assertPinned(config, TrainConfig.fromTree(config).resolved().toJsonTree(),
                    TrainConfig.ofRun(ref.dir()).resolved().toJsonTree(), name + ": ");
            assertEquals(config.get("steps").getAsLong(), ref.step(), name + " is exported at the recipe's end");
            List<String> history = Files.readAllLines(ref.dir().resolve(ReferenceModel.HISTORY));
            assertEquals(String.valueOf(ref.step()), history.get(history.size() - 1).split(",")[0], name);
            // Scored as the recipe says: its ranking metric, sample count and real set, both generators.
            assertEquals(scoring.get("rank_by").getAsString(), ref.rankedBy(), name);
            assertEquals(List.of("ema", "raw"), ref.scoredGenerators().stream().sorted().toList(), name);
            JsonObject scores = JsonParser.parseString(Files.readString(ref.dir().resolve(ReferenceModel.SCORES)))
                    .getAsJsonObject();
            assertEquals(scoring.get("sample_seed").getAsLong(), scores.get("sampleSeed").getAsLong(), name);
            for (String g : ReferenceModel.GENERATORS) {
                JsonObject setup = scores.getAsJsonObject("generators").getAsJsonObject(g).getAsJsonObject("setup");
                assertEquals(scoring.get("n").getAsInt(), setup.get("fakeCount").getAsInt(), name + " " + g);
                assertEquals(scoring.get("real").getAsString(), setup.get("real").getAsString(), name + " " + g);
                assertEquals(scoring.get("features").getAsString(), setup.get("features").getAsString(), name + " " + g);
                assertEquals(scoring.get("seed").getAsLong(), setup.get("seed").getAsLong(), name + " " + g);
                for (String metric : scoring.get("metrics").getAsString().split(",")) {
                    assertTrue(scores.getAsJsonObject("generators").getAsJsonObject(g).getAsJsonObject("metrics")
                            .keySet().stream().anyMatch(k -> k.startsWith(metric)),   // pr: precision_*, recall_*
                            name + " " + g + " lacks the recipe's metric " + metric);
                }
            }
            String other = ref.bestIsEma() ? "raw" : "ema";
            assertTrue(ref.bestScore() <= ref.score(other, ref.rankedBy()), name + ": the better generator scores lower");
            // Only the two generators are kept, and they sample images of the recipe's shape.
            Checkpoint w = Checkpoint.read(ref.dir().resolve(ReferenceModel.WEIGHTS));
            assertTrue(w.has("G") && w.has("EMA_G") && !w.has("D") && !w.has("OPT_G") && !w.has("OPT_D"), name);
            JsonObject run = TrainConfig.ofRun(ref.dir()).resolved().toJsonTree();
            try (TrainedGenerator g = TrainedGenerator.load(ref.dir())) {
                assertEquals(ref.step(), g.step(), name);
                ImageDataset s = g.sample(2, ref.bestIsEma(), 1);
                assertEquals(run.get("channels").getAsInt(), s.channels(), name);
                assertEquals(run.get("resolution").getAsInt(), s.height(), name);
                assertEquals(run.get("resolution").getAsInt(), s.width(), name);
                assertEquals(2, s.size(), name);
            }
        }
    }
}
