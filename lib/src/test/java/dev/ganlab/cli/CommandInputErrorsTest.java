package dev.ganlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input on the command line: every setting given is either used or refused with a message that
 * names it; nothing is silently dropped, and a refused start leaves no run folder behind.
 */
class CommandInputErrorsTest {

    @TempDir static Path tmp;

    /** A finished two-step run (batch 8) that the resume cases try to change. */
    static Path finished;

    private static String[] train(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--out", out.toString(), "--model", "gan",
                "--data", "synthetic:8?perMode=40", "--batch", "8", "--set", "gan.gNorm=none",
                "--set", "gan.gHidden=32,32", "--set", "gan.dHidden=32,16", "--set", "gan.latentDim=8",
                "--set", "sampleCount=16", "--threads", "1", "--steps", "2"));
        args.addAll(List.of(extra));
        return MainRunner.run(args.toArray(new String[0]));
    }

    private static void assertRefused(String[] r, String... phrases) {
        assertNotEquals("0", r[0], "exit status 0; stderr: " + r[2]);
        for (String p : phrases) {
            assertTrue(r[2].contains(p), "missing '" + p + "' in: " + r[2]);
        }
        assertFalse(r[2].contains("\tat "), "a stack trace: " + r[2]);
    }

    @BeforeAll
    static void trainOne() {
        finished = tmp.resolve("finished");
        String[] r = train(finished, "--set", "eval.metrics=");
        assertEquals("0", r[0], r[2]);
    }

    @Test
    void aResumeThatChangesASettingIsRefusedNamingTheSettingAndItsTwoValues() throws Exception {
        List<String> before = Files.readAllLines(finished.resolve("metrics.csv"));
        String out = finished.toString();
        assertRefused(MainRunner.run("train", "--out", out, "--resume", "--steps", "3", "--batch", "4"),
                "batch: the run has 8, asked 4");
        assertRefused(MainRunner.run("train", "--out", out, "--resume", "--steps", "3", "--seed", "9"),
                "seed: the run has " + TrainConfig.ofRun(finished).seed + ", asked 9");
        assertRefused(MainRunner.run("train", "--out", out, "--resume", "--steps", "3", "--penalty", "r1"),
                "penalty: the run has");
        assertRefused(MainRunner.run("train", "--out", out, "--resume", "--steps", "3", "--set", "optD.lr=0.01"),
                "optD.lr: the run has");
        assertEquals(before, Files.readAllLines(finished.resolve("metrics.csv")), "a refused resume trained");
        assertEquals(8, TrainConfig.ofRun(finished).batch, "a refused resume rewrote config.json");
    }

    @Test
    void aResumeThatRepeatsStoredValuesContinuesTheRun() throws Exception {
        Path run = tmp.resolve("repeated");
        assertEquals("0", train(run, "--set", "eval.metrics=")[0]);
        // The flags are applied to the stored config, so saying what the run already has is no change, in
        // any spelling that resolves to it.
        String loss = TrainConfig.ofRun(run).loss.toUpperCase(java.util.Locale.ROOT);
        String[] r = MainRunner.run("train", "--out", run.toString(), "--resume", "--steps", "3", "--model", "gan",
                "--batch", "8", "--loss", loss, "--threads", "1");
        assertEquals("0", r[0], r[2]);
        assertEquals(3, lastStep(run));
        // The length may also come as --set steps=N (it used to be dropped on this path).
        r = MainRunner.run("train", "--out", run.toString(), "--resume", "--set", "steps=4", "--threads", "1");
        assertEquals("0", r[0], r[2]);
        assertEquals(4, lastStep(run));
        assertEquals(4, TrainConfig.ofRun(run).steps);
    }

    @Test
    void aResumeOfARunStoppedBeforeItsFirstCheckpointStartsItAfresh() throws Exception {
        Path run = tmp.resolve("no-checkpoint");
        assertEquals("0", train(run, "--set", "eval.metrics=")[0]);
        try (var files = Files.list(run.resolve("checkpoints"))) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        String[] r = MainRunner.run("train", "--out", run.toString(), "--resume", "--batch", "8", "--threads", "1");
        assertEquals("0", r[0], r[2]);
        assertEquals(2, lastStep(run));
        assertEquals("gan", TrainConfig.ofRun(run).model, "started afresh with the stored settings");
    }

    private static long lastStep(Path run) throws java.io.IOException {
        List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
        return Long.parseLong(rows.get(rows.size() - 1).split(",")[0]);
    }

    @Test
    void aFlagAndASetOfTheSameKeyAreRefused() {
        Path out = tmp.resolve("twice");
        assertRefused(train(out, "--set", "batch=4"), "--batch 8 and --set batch=4 both set batch: give it once");
        assertRefused(train(out, "--set", "model=dcgan"), "--model gan and --set model=dcgan both set model");
        assertFalse(Files.exists(out), "a refused start made its folder");
    }

    @Test
    void evaluationSettingsAreCheckedBeforeAnyWork() {
        Path out = tmp.resolve("eval");
        assertRefused(train(out, "--set", "eval.metrics=fid,swdd"), "eval.metrics: unknown metric 'swdd'");
        assertRefused(train(out, "--set", "eval.metrics=swd", "--set", "eval.features=incepton"),
                "eval.features: unknown --features 'incepton'");
        Path missing = tmp.resolve("no-such-folder");
        assertRefused(train(out, "--set", "eval.metrics=swd", "--set", "eval.real=folder:" + missing),
                "eval.real: folder:" + missing, "does not exist");
        assertRefused(train(out, "--set", "eval.metrics=swd", "--set", "eval.real=fashion-mnist:test?split=train"),
                "split is given twice");
        assertFalse(Files.exists(out), "a refused start made its folder");
    }

    @Test
    void aStoredRunScoredWithAMetricThisJvmLacksStillLoadsButCannotStartAgain() throws Exception {
        // A notebook may register a metric of its own (MetricRegistry.register) and train with it.
        Path copy = tmp.resolve("custom-metric");
        Files.createDirectories(copy);
        com.google.gson.JsonObject cfg = TrainConfig.ofRun(finished).toJsonTree();
        cfg.getAsJsonObject("eval").addProperty("metrics", "swd,meangap");
        Files.writeString(copy.resolve("config.json"), cfg.toString());
        assertEquals("swd,meangap", TrainConfig.ofRun(copy).resolved().eval.metrics);
        assertRefused(MainRunner.run("train", "--config", copy.resolve("config.json").toString(), "--out",
                tmp.resolve("custom-again").toString(), "--threads", "1"), "eval.metrics: unknown metric 'meangap'");
    }

    @Test
    void aStartWhoseDataDoesNotLoadLeavesNoRunFolder() {
        Path out = tmp.resolve("no-data");
        String[] r = MainRunner.run("train", "--out", out.toString(), "--model", "dcgan", "--data",
                "folder:" + tmp.resolve("missing-images"), "--resolution", "32", "--threads", "1");
        assertRefused(r, "missing-images");
        assertFalse(Files.exists(out.resolve("config.json")), "`ganlab runs` would list it as pending for ever");
    }

    @Test
    void aResolutionTheModelRefusesIsSaidOnce() {
        String[] r = MainRunner.run("train", "--out", tmp.resolve("r18").toString(), "--model", "dcgan",
                "--data", "synthetic:8?perMode=40", "--resolution", "18", "--threads", "1");
        assertRefused(r, "resolution 18 must be");
        assertEquals(r[2].indexOf("resolution 18 must be"), r[2].lastIndexOf("resolution 18 must be"), r[2]);
        assertFalse(r[2].contains("memory estimate unavailable"), r[2]);
    }

    @Test
    void configFilesThatCannotBeReadSayWhichAndWhy() throws Exception {
        Path missing = tmp.resolve("absent.json");
        assertRefused(MainRunner.run("train", "--config", missing.toString(), "--out", tmp.resolve("c").toString()),
                "cannot read --config " + missing + ": no such file");
        Path broken = tmp.resolve("broken.json");
        Files.writeString(broken, "{\"steps\": 3,");
        assertRefused(MainRunner.run("train", "--config", broken.toString(), "--out", tmp.resolve("c").toString()),
                "--config " + broken + ": config is not valid JSON");
        Path spec = tmp.resolve("sweep.json");
        Files.writeString(spec, "{\"name\": \"x\", \"grid\": {\"batch\": [4]},");
        assertRefused(MainRunner.run("sweep", "--spec", spec.toString(), "--dry-run"),
                spec + ": sweep spec is not valid JSON");
        assertRefused(MainRunner.run("sweep", "--spec", tmp.resolve("absent-sweep.json").toString(), "--dry-run"),
                "absent-sweep.json: no such file");
    }

    @Test
    void runsRefusesWhatItWouldIgnore() {
        String root = finished.getParent().toString();
        assertRefused(MainRunner.run("runs", tmp.resolve("nowhere").toString()), "nowhere is not a folder",
                "does not exist");
        assertRefused(MainRunner.run("runs", root, "--rank", "fid"), "--rank fid orders the --compare table");
        assertRefused(MainRunner.run("runs", root, "--history", "finished", "--compare"),
                "--history prints one run's history");
        // A misspelt value would give a column of blanks: the values the runs do have are listed.
        assertRefused(MainRunner.run("runs", root, "--spread", "fdi"),
                "no run under " + root + " has a final value 'fdi'; they have:", "d_loss");
        // A metric no run has evaluated yet (a sweep before its first evaluation) is a warning.
        String[] notYet = MainRunner.run("runs", root, "--compare", "--rank", "fid_fmnist");
        assertEquals("0", notYet[0], notYet[2]);
        assertTrue(notYet[2].contains("warning: --rank fid_fmnist: no run under " + root + " has a final value"
                + " 'fid_fmnist' yet"), notYet[2]);
        String[] fine = MainRunner.run("runs", root, "--spread", "d_loss");
        assertEquals("0", fine[0], fine[2]);
        assertFalse(fine[2].contains("warning"), fine[2]);
    }

    @Test
    void benchRefusesTheOptionsOfAnotherOp() {
        assertRefused(MainRunner.run("bench", "--op", "fid", "--model", "progan"),
                "--model is read by --op train, not by --op fid");
        assertRefused(MainRunner.run("bench", "--op", "fid", "--batch", "3"),
                "--batch is read by --op loader and --op train, not by --op fid");
        assertRefused(MainRunner.run("bench", "--op", "train", "--sizes", "64"),
                "--sizes is read by --op loader, not by --op train");
        assertRefused(MainRunner.run("bench", "--op", "fidd"), "--op 'fidd': use train, fid or loader");
    }
}
