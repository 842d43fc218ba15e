package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** Finding and reading run folders the way the metric notebook does, on tiny trained runs. */
class RunFolderTest {

    @TempDir static Path root;

    @BeforeAll
    static void writeRuns() throws Exception {
        // A finished run at the top, one a level deeper, one started but not checkpointed, one whose
        // config is broken, and folders that are not runs.
        train(GanTrainerTest.tiny(5), root.resolve("a-first"));
        TrainConfig deeper = GanTrainerTest.tiny(20);
        deeper.seed = 2;
        train(deeper, root.resolve("01-losses").resolve("hinge"));
        Path fresh = root.resolve("fresh");
        Files.createDirectories(fresh.resolve("checkpoints"));
        Files.writeString(fresh.resolve("config.json"), GanTrainerTest.tiny(10).resolved().toJson());
        Path broken = root.resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("config.json"), "{not json");
        Files.createDirectories(root.resolve("empty").resolve("deeper"));
        Files.writeString(root.resolve("notes.txt"), "not a run");
        // Too deep to be found: seven levels below the root (RunFolder.MAX_DEPTH is six).
        Path tooDeep = root.resolve("x/y/z/u/v/w/run");
        Files.createDirectories(tooDeep);
        Files.writeString(tooDeep.resolve("config.json"), GanTrainerTest.tiny(10).resolved().toJson());
    }

    static void train(TrainConfig c, Path dir) {
        try (GanTrainer t = GanTrainer.start(c, dir)) {
            t.addMonitor(GanTrainerTest.QUIET).train();
        }
    }

    static RunFolder named(List<RunFolder> runs, String name) {
        return runs.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(
                () -> new AssertionError("no run " + name + " in " + runs));
    }

    @Test
    void findsRunsBelowTheRootSortedByRelativeName() {
        List<RunFolder> runs = RunFolder.under(root);
        assertEquals(List.of("01-losses/hinge", "a-first", "broken", "fresh"), runs.stream().map(RunFolder::name).toList());
        assertEquals(List.of(), RunFolder.under(root.resolve("no-such-folder")));
    }

    @Test
    void aFinishedRunCarriesItsConfigStatusCheckpointAndHistory() {
        RunFolder hinge = named(RunFolder.under(root), "01-losses/hinge");
        assertTrue(hinge.usable(), hinge.toString());
        assertNull(hinge.problem());
        assertEquals(2, hinge.config().seed);
        assertEquals(20, hinge.config().steps);
        assertEquals("finished", hinge.status());
        assertEquals(20, hinge.checkpointStep());
        Table h = hinge.history();
        assertEquals("01-losses/hinge", h.name());
        // tiny(): a row every 5 steps.
        assertEquals(4, h.rowCount());
        assertEquals(20.0, h.doubleColumn("step").get(3));
        assertEquals(5, named(RunFolder.under(root), "a-first").checkpointStep());
    }

    @Test
    void aCurveKeepsOnlyTheRowsThatLoggedTheColumn() {
        RunFolder hinge = named(RunFolder.under(root), "01-losses/hinge");
        // Samples (and with them the diversity value) every 10 steps, history rows every 5.
        RunFolder.Curve diversity = hinge.curve("diversity");
        assertArrayEquals(new double[] {10, 20}, diversity.steps());
        Table h = hinge.history();
        assertEquals(h.doubleColumn("diversity").get(1), diversity.values()[0]);
        assertEquals(h.doubleColumn("diversity").get(3), diversity.values()[1]);
        RunFolder.Curve dLoss = hinge.curve("d_loss");
        assertArrayEquals(new double[] {5, 10, 15, 20}, dLoss.steps());
        assertTrue(hinge.curve("fid").isEmpty(), "never evaluated: no FID column");
    }

    @Test
    void theOverviewHasOneRowPerRunWithItsProblem() {
        List<RunFolder> runs = RunFolder.under(root);
        Table t = RunFolder.overview("runs", runs);
        assertEquals(runs.size(), t.rowCount());
        assertEquals(List.of("01-losses/hinge", "a-first", "broken", "fresh"), t.stringColumn("run").asList());
        assertEquals("dcgan", t.stringColumn("model").get(0));
        assertEquals("finished", t.stringColumn("status").get(0));
        assertEquals(20L, t.longColumn("checkpoint step").get(0));
        assertEquals(20, t.intColumn("steps").get(0));
        assertEquals("none", t.stringColumn("in-run evaluation").get(0), "tiny() turns evaluation off");
        assertEquals("", t.stringColumn("problem").get(0));
        assertTrue(t.intColumn("steps").isMissing(2), "broken config: no steps");
        assertEquals("no checkpoint yet", t.stringColumn("problem").get(3));
    }

    @Test
    void unusableRunsAreListedWithTheReason() {
        List<RunFolder> runs = RunFolder.under(root);
        RunFolder fresh = named(runs, "fresh");
        assertFalse(fresh.usable());
        assertEquals("no checkpoint yet", fresh.problem());
        assertEquals(-1, fresh.checkpointStep());
        assertEquals(RunStatus.PENDING, fresh.status(), "config.json but no status.json: not started");
        assertNull(fresh.statusFile());
        assertEquals(0, fresh.history().rowCount());
        RunFolder broken = named(runs, "broken");
        assertFalse(broken.usable());
        assertNull(broken.config());
        assertTrue(broken.problem().startsWith("config.json unreadable"), broken.problem());
        assertThrows(UserError.class, () -> broken.sample(2, 1));
        assertThrows(UserError.class, () -> fresh.sample(2, 1));
        assertThrows(UserError.class, () -> RunFolder.of(root.resolve("empty")));
    }

    @Test
    void samplesComeFromTheNewestCheckpointAndDependOnTheSeed() {
        RunFolder run = RunFolder.of(root.resolve("a-first"));
        ImageDataset data = run.trainingData();
        assertEquals(8 * 40, data.size(), "synthetic:8?perMode=40");
        ImageDataset a = run.sample(5, 11);
        ImageDataset again = run.sample(5, 11);
        ImageDataset other = run.sample(5, 12);
        assertEquals(5, a.size());
        assertEquals(data.channels(), a.channels());
        assertEquals(data.height(), a.height());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.pixels(i), again.pixels(i), "same seed, same image " + i);
        }
        boolean differs = false;
        for (int i = 0; i < a.size(); i++) {
            differs |= !java.util.Arrays.equals(a.pixels(i), other.pixels(i));
        }
        assertTrue(differs, "another seed should give other images");
        // The same images as the generator loaded by hand from the newest checkpoint.
        try (TrainedGenerator g = TrainedGenerator.load(run.dir())) {
            assertEquals(run.checkpointStep(), g.step());
            ImageDataset direct = g.sample(5, run.config().eval.ema, 11);
            assertArrayEquals(direct.pixels(4), a.pixels(4));
        }
    }
}
