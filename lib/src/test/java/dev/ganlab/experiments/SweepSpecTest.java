package dev.ganlab.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import dev.ganlab.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sweep specs: parsing, the checks that run before anything does, grid and random expansion. */
class SweepSpecTest {

    @TempDir Path tmp;

    static final String BASE = "{\"data\": \"synthetic:8\", \"steps\": 10, \"eval\": {\"metrics\": \"\"}}";

    SweepSpec parse(String json) {
        return SweepSpec.fromJson(json, tmp);
    }

    /** The spec {name, base, out, ...more}, with more given as JSON members. */
    String spec(String more) {
        return "{\"name\": \"t\", \"base\": " + BASE + ", \"out\": \"" + tmp.resolve("out") + "\""
                + (more.isEmpty() ? "" : ", " + more) + "}";
    }

    UserError rejected(String more) {
        return assertThrows(UserError.class, () -> parse(spec(more)).plan());
    }

    static void assertMentions(UserError e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should mention '" + p + "': " + e.getMessage());
        }
    }

    @Test
    void aGridWithVariantsAndSeedsRunsEveryCombinationOnce() {
        SweepPlan plan = parse(spec("\"grid\": {\"loss\": [\"ns\", \"hinge\", \"lsgan\"], \"optD.lr\": [1e-4, 4e-4]},"
                + " \"variants\": {\"reg\": {\"none\": {}, \"sn\": {\"model\": \"sndcgan\"}}},"
                + " \"seeds\": [7, 8]")).plan();
        assertEquals(3 * 2 * 2 * 2, plan.size());
        assertEquals(List.of("loss", "optD.lr", "reg", "seed"), plan.labelKeys());
        Set<String> combos = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (RunSpec r : plan.runs()) {
            TrainConfig c = r.config();
            Map<String, String> l = r.labels();
            assertEquals(l.get("loss"), c.loss);
            assertEquals(Float.parseFloat(l.get("optD.lr")), c.optD.lr);
            assertEquals(l.get("reg").equals("sn") ? "sndcgan" : "dcgan", c.model);
            assertEquals(Long.parseLong(l.get("seed")), c.seed);
            assertEquals(10, c.steps, "the base's settings stay");
            combos.add(c.loss + "/" + c.optD.lr + "/" + c.model + "/" + c.seed);
            ids.add(r.id());
            assertEquals(plan.out().resolve(r.id()), r.dir());
        }
        assertEquals(plan.size(), combos.size(), "every combination once");
        assertEquals(plan.size(), ids.size(), "ids are unique");
        // Seeds are the outer loop: the first half of the plan is the first seed.
        assertTrue(plan.runs().subList(0, plan.size() / 2).stream().allMatch(r -> r.config().seed == 7));
        assertEquals("loss=ns,optD.lr=1e-4,reg=none,seed=7", plan.runs().get(0).id());
    }

    @Test
    void unknownKeysAreRejectedNamingTheKey() {
        assertMentions(assertThrows(UserError.class, () -> parse(spec("\"gird\": {}"))), "'gird'");
        assertMentions(rejected("\"grid\": {\"optD.lrr\": [1e-4]}"), "optD.lrr");
        assertMentions(rejected("\"grid\": {\"lossy\": [\"ns\"]}"), "lossy");
        assertMentions(rejected("\"variants\": {\"reg\": {\"sn\": {\"modle\": \"sndcgan\"}}}"), "modle");
        assertMentions(rejected("\"random\": {\"tricks.smoothing\": {\"uniform\": [0.8, 1]}}, \"samples\": 2"),
                "tricks.smoothing");
        assertMentions(assertThrows(UserError.class, () -> parse("{\"name\": \"t\", \"base\": {\"stepz\": 1}}")),
                "stepz");
    }

    @Test
    void valuesOfTheWrongTypeAreRejectedNamingTheKey() {
        assertMentions(rejected("\"grid\": {\"nCritic\": [1, \"five\"]}"), "nCritic", "\"five\"", "whole number");
        assertMentions(rejected("\"grid\": {\"nCritic\": [1.5]}"), "nCritic", "1.5", "whole number");
        assertMentions(rejected("\"grid\": {\"hflip\": [1]}"), "hflip", "true or false");
        assertMentions(rejected("\"grid\": {\"loss\": [1]}"), "loss", "a string");
        assertMentions(rejected("\"grid\": {\"optD\": [3]}"), "optD", "group of settings");
        assertMentions(rejected("\"grid\": {\"optD\": [{\"lr\": \"fast\"}]}"), "optD.lr", "a number");
        assertMentions(assertThrows(UserError.class, () -> parse(spec("\"grid\": {\"loss\": \"ns\"}"))), "loss",
                "list");
        assertMentions(rejected("\"random\": {\"nCritic\": {\"uniform\": [1, 5]}}, \"samples\": 2"), "nCritic",
                "use int");
        assertMentions(rejected("\"random\": {\"optD.lr\": {\"logUniform\": [0, 1e-3]}}, \"samples\": 2"), "optD.lr",
                "lo > 0");
        assertMentions(assertThrows(UserError.class, () -> parse(spec("\"seeds\": [1, \"two\"]"))), "seeds");
    }

    @Test
    void emptyGridsAndSweepsThatVaryNothingAreRejected() {
        assertMentions(rejected("\"grid\": {}"), "'grid' is empty");
        assertMentions(rejected("\"grid\": {\"loss\": []}"), "grid 'loss' has no values");
        assertMentions(rejected("\"seeds\": []"), "'seeds' is empty");
        assertMentions(rejected(""), "varies nothing");
        assertMentions(rejected("\"seeds\": [1]"), "varies nothing");
        assertMentions(rejected("\"variants\": {\"reg\": {}}"), "'reg' has no variants");
        assertMentions(rejected("\"random\": {\"optD.lr\": {\"logUniform\": [1e-5, 1e-3]}}"), "samples");
        SweepSpec java = SweepSpec.named("j").base(TrainConfig.fromJson(BASE)).grid("loss");
        assertMentions(assertThrows(UserError.class, java::plan), "grid 'loss' has no values");
    }

    @Test
    void aSettingVariedTwiceOrACombinationTheConfigRejectsIsRejected() {
        assertMentions(rejected("\"grid\": {\"model\": [\"dcgan\"]},"
                + " \"variants\": {\"reg\": {\"sn\": {\"model\": \"sndcgan\"}}}"),
                "'model'", "grid 'model'", "variants 'reg'");
        assertMentions(rejected("\"grid\": {\"seed\": [1, 2]}, \"seeds\": [3, 4]"), "'seed'");
        assertMentions(rejected("\"variants\": {\"loss\": {\"a\": {}}}"), "'loss'", "name of a setting");
        // Label smoothing needs a loss with labels: the wgan cell fails, and the message says which run.
        UserError e = rejected("\"grid\": {\"loss\": [\"ns\", \"wgan\"], \"tricks.labelSmoothing\": [0.9]}");
        assertMentions(e, "loss=wgan", "tricks.labelSmoothing");
    }

    @Test
    void badInputIsRejectedBeforeAnythingIsWritten() {
        Path out = tmp.resolve("never");
        SweepSpec s = SweepSpec.named("bad").base(TrainConfig.fromJson(BASE)).grid("nCritic", 1, "x").out(out);
        assertMentions(assertThrows(UserError.class, () -> Sweep.run(s, null, SweepMonitor.QUIET)), "nCritic");
        assertFalse(Files.exists(out), "nothing may be written for a spec that does not check");
    }

    @Test
    void randomSearchIsReproducibleFromItsSeedAndStaysInBounds() {
        String r = "\"random\": {\"optD.lr\": {\"logUniform\": [1e-5, 1e-3]}, \"nCritic\": {\"int\": [1, 3]},"
                + " \"loss\": {\"choice\": [\"ns\", \"lsgan\"]}, \"tricks.labelSmoothing\": {\"uniform\": [0.8, 1.0]}},"
                + " \"samples\": 12";
        List<RunSpec> a = parse(spec(r + ", \"searchSeed\": 5")).plan().runs();
        List<RunSpec> b = parse(spec(r + ", \"searchSeed\": 5")).plan().runs();
        List<RunSpec> c = parse(spec(r + ", \"searchSeed\": 6")).plan().runs();
        assertEquals(12, a.size());
        assertEquals(a.stream().map(RunSpec::configJson).toList(), b.stream().map(RunSpec::configJson).toList());
        assertNotEquals(a.stream().map(RunSpec::configJson).toList(), c.stream().map(RunSpec::configJson).toList());
        Set<Integer> critics = new HashSet<>();
        Set<String> losses = new HashSet<>();
        for (RunSpec s : a) {
            TrainConfig cfg = s.config();
            assertTrue(cfg.optD.lr >= 1e-5f && cfg.optD.lr <= 1e-3f, "lr " + cfg.optD.lr);
            assertTrue(cfg.tricks.labelSmoothing >= 0.8f && cfg.tricks.labelSmoothing <= 1f);
            critics.add(cfg.nCritic);
            losses.add(cfg.loss);
        }
        assertTrue(Set.of(1, 2, 3).containsAll(critics) && critics.size() > 1, "int draws 1..3: " + critics);
        assertEquals(Set.of("ns", "lsgan"), losses);
        // The random values are the runs' labels, so their ids differ.
        assertEquals(12, a.stream().map(RunSpec::id).collect(Collectors.toSet()).size());
    }

    @Test
    void aSweptOptimiserFieldKeepsTheRestOfTheLossPreset() {
        SweepSpec s = SweepSpec.named("gp").base(TrainConfig.fromJson(BASE)).grid("loss", "wgan-gp", "ns")
                .grid("optD.lr", 3e-4);
        for (RunSpec r : s.plan().runs()) {
            TrainConfig c = r.config().resolved();
            assertEquals(3e-4f, c.optD.lr);
            TrainConfig preset = TrainConfig.fromJson(BASE).set("loss", c.loss).resolved();
            assertEquals(preset.optD.beta1, c.optD.beta1, c.loss + ": beta1 of the preset");
            assertEquals(preset.optD.beta2, c.optD.beta2, c.loss + ": beta2 of the preset");
            assertEquals(preset.optG.lr, c.optG.lr, c.loss + ": the generator keeps its preset");
        }
    }

    @Test
    void aSpecRoundTripsThroughJsonAndABaseFile() throws Exception {
        Files.writeString(tmp.resolve("base.json"), BASE);
        Path file = tmp.resolve("study.json");
        Files.writeString(file, "{\"base\": \"base.json\", \"grid\": {\"loss\": [\"ns\", \"hinge\"]},"
                + " \"seeds\": [1, 2],"
                + " \"variants\": {\"reg\": {\"none\": {}, \"r1\": {\"penalty\": \"r1\", \"penaltyWeight\": 1}}},"
                + " \"random\": {\"optG.lr\": {\"logUniform\": [1e-4, 1e-3]}}, \"samples\": 2,"
                + " \"rank\": \"min:d_loss\"}");
        SweepSpec read = SweepSpec.read(file);
        assertEquals("study", read.name(), "the name defaults to the file's");
        SweepPlan p1 = read.plan();
        SweepPlan p2 = SweepSpec.fromJson(read.toJson(), null).plan();
        assertEquals(p1.runs().stream().map(RunSpec::id).toList(), p2.runs().stream().map(RunSpec::id).toList());
        assertEquals(p1.runs().stream().map(RunSpec::configJson).toList(),
                p2.runs().stream().map(RunSpec::configJson).toList());
        assertEquals(new Objective("d_loss", true), p2.objective());
        RunSpec r = p1.runs().get(3);
        RunSpec back = RunSpec.fromJson(r.toJson());
        assertEquals(r.id(), back.id());
        assertEquals(r.dir(), back.dir());
        assertEquals(r.labels(), back.labels());
        assertEquals(r.configJson(), back.configJson());
        assertEquals(1f, back.config().penaltyWeight, 0f);

        // Java serialisation too, for engines that ship closures (a cluster backend).
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(r);
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            RunSpec shipped = (RunSpec) in.readObject();
            assertEquals(r.toJson(), shipped.toJson());
        }
    }

    @Test
    void aFolderPlannedWithAnotherConfigIsRefusedButLongerRunsAreNot() {
        SweepSpec s = parse(spec("\"grid\": {\"loss\": [\"ns\", \"hinge\"]}"));
        s.plan().runs().forEach(RunSpec::write); // planned, not started
        assertEquals(List.of("run", "run"), Sweep.dryRun(s).stringColumn("action").asList());
        TrainConfig longer = TrainConfig.fromJson(BASE);
        longer.steps = 50;
        assertEquals(List.of("run", "run"), Sweep.dryRun(s.base(longer)).stringColumn("action").asList());
        TrainConfig other = TrainConfig.fromJson(BASE);
        other.data = "synthetic:4";
        assertMentions(assertThrows(UserError.class, () -> Sweep.dryRun(s.base(other))), "different config", "data");
        TrainConfig pinned = TrainConfig.fromJson(BASE);
        pinned.batch = 8; // a setting the plans left to its default may be pinned (how an old sweep continues)
        assertEquals(List.of("run", "run"), Sweep.dryRun(s.base(pinned)).stringColumn("action").asList());
    }

    @Test
    void aStartedRunIsComparedWithWhatItTrainedWithSoAChangedDefaultIsNamedBeforeAnythingRunsAndCanBePinned() {
        // A DCGAN sweep over two seeds whose base leaves the batch to the model's default (128 in this version),
        // interrupted: its first run trained one step at the batch an earlier default gave it (8 here), its
        // second is planned and not started. The plans agree; only the first run's config.json says what it
        // trained with.
        TrainConfig base = dev.ganlab.TinyRuns.dcgan();
        base.steps = 2;
        base.batch = null;
        base.emaDecay = 0.99f; // given explicitly
        SweepSpec s = SweepSpec.named("old").base(base).seeds(3, 4).out(tmp.resolve("out"));
        s.plan().runs().forEach(RunSpec::write);
        RunSpec r = s.plan().runs().get(0);
        TrainConfig trained = r.config().copy();
        trained.batch = 8;
        dev.ganlab.TinyRuns.trainOneStep(trained, r.dir());

        UserError e = assertThrows(UserError.class, () -> Sweep.dryRun(s));
        assertMentions(e, "sweep old cannot continue run " + r.id(), "batch: the run has 8, asked 128",
                "leaves batch to its default", "Nothing has run");
        assertThrows(UserError.class, () -> Sweep.run(s), "the same refusal before any worker starts");
        assertEquals(1, dev.ganlab.train.Checkpoint.list(r.dir().resolve("checkpoints")).size(), "nothing trained");

        TrainConfig pinned = base.copy();
        pinned.batch = 8;
        assertEquals(List.of("resume", "run"), Sweep.dryRun(s.base(pinned)).stringColumn("action").asList(),
                "pinned to the run's batch, both runs go on, though their stored plans left the batch unset");
        TrainConfig dropped = pinned.copy();
        dropped.emaDecay = null; // a setting the stored plans gave, now left to its default (0.999)
        assertMentions(assertThrows(UserError.class, () -> Sweep.dryRun(s.base(dropped))), "different config",
                "emaDecay");
        TrainConfig otherLoss = pinned.copy();
        otherLoss.loss = "hinge";
        assertMentions(assertThrows(UserError.class, () -> Sweep.dryRun(s.base(otherLoss))),
                "loss: the run has \"ns\", asked \"hinge\"");
    }

    @Test
    void aFinishedSweepTrainedUnderAnOldDefaultIsLetBeWhenNothingWouldTrain() {
        TrainConfig base = dev.ganlab.TinyRuns.dcgan();
        base.steps = 2;
        base.batch = null; // 128 today; the runs below trained at 8
        SweepSpec s = SweepSpec.named("done").base(base).seeds(3, 4).out(tmp.resolve("done"));
        for (RunSpec r : s.plan().runs()) {
            r.write();
            TrainConfig trained = r.config().copy();
            trained.batch = 8;
            try (dev.ganlab.train.GanTrainer t = dev.ganlab.train.GanTrainer.start(trained, r.dir())) {
                t.train();
            }
        }
        assertEquals(List.of("skip: finished", "skip: finished"), Sweep.dryRun(s).stringColumn("action").asList(),
                "its results can be collected again");
        TrainConfig longer = base.copy();
        longer.steps = 3;
        assertMentions(assertThrows(UserError.class, () -> Sweep.dryRun(s.base(longer))),
                "batch: the run has 8, asked 128", "Nothing has run");
    }

    @Test
    void theObjectiveDefaultsToTheBasesEvaluation() {
        TrainConfig fid = TrainConfig.fromJson("{\"data\": \"fashion-mnist\"}");
        assertEquals(new Objective("fid_fmnist", true), SweepSpec.named("a").base(fid).seeds(1, 2).plan().objective());
        assertEquals(null, SweepSpec.named("b").base(TrainConfig.fromJson(BASE)).seeds(1, 2).plan().objective());
        assertEquals(new Objective("is", false), Objective.parse("max:is"));
        assertMentions(assertThrows(UserError.class, () -> Objective.parse("sharpness")), "min:sharpness");
    }
}
