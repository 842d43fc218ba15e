package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.Slow;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval.keepBest}: the kept generator is the one of the best evaluation in the run's own history, its
 * weights are the run's at that step (read through the ordinary checkpoint of that step, not through the
 * keeper), and a run stopped and resumed keeps what an uninterrupted one keeps.
 */
class BestGeneratorTest {

    @TempDir Path tmp;

    /** A tiny run scored with SWD every 5 steps, checkpointed at every step that is evaluated. */
    private static TrainConfig scored(int steps) {
        TrainConfig c = GanTrainerTest.tiny(steps);
        c.eval.metrics = "swd";
        c.eval.every = 5;
        c.eval.n = 64;
        c.eval.keepBest = "swd_x1e3";
        c.checkpointEvery = 5;
        c.keepCheckpoints = 100;
        return c;
    }

    private static Path train(TrainConfig c, Path dir) {
        try (GanTrainer t = GanTrainer.start(c, dir)) {
            t.addMonitor(GanTrainerTest.QUIET).train();
        }
        return dir;
    }

    private static void assertSameSamples(TrainedGenerator a, TrainedGenerator b, boolean ema) {
        ImageDataset x = a.sample(8, ema, 3);
        ImageDataset y = b.sample(8, ema, 3);
        for (int i = 0; i < x.size(); i++) {
            assertArrayEquals(x.pixels(i), y.pixels(i), (ema ? "EMA" : "raw") + " image " + i);
        }
    }

    @Slow
    @Test
    void keepsTheGeneratorOfTheBestEvaluationInTheHistory() throws IOException {
        Path run = train(scored(30), tmp.resolve("run"));
        // The best evaluation, from metrics.csv: the lowest SWD, the earliest of a tie.
        List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
        List<String> header = List.of(rows.get(0).split(","));
        int stepCol = header.indexOf("step");
        int swdCol = header.indexOf("swd_x1e3");
        assertTrue(swdCol > 0, header.toString());
        long bestStep = -1;
        double best = Double.POSITIVE_INFINITY;
        int evaluations = 0;
        List<Long> improvements = new java.util.ArrayList<>();
        for (String row : rows.subList(1, rows.size())) {
            String[] c = row.split(",", -1);
            if (c[swdCol].isEmpty()) {
                continue;
            }
            evaluations++;
            double v = Double.parseDouble(c[swdCol]);
            if (v < best) {
                best = v;
                bestStep = Long.parseLong(c[stepCol]);
                improvements.add(0, bestStep);
            }
        }
        assertEquals(6, evaluations, "evaluations at steps 5, 10, ..., 30");
        BestGenerator.Kept kept = BestGenerator.read(run).orElseThrow();
        assertEquals(bestStep, kept.step(), kept.summary());
        assertEquals(best, kept.value(), 1e-4 * Math.abs(best));
        assertEquals("swd_x1e3", kept.metric());
        assertEquals("ema", kept.generator());
        // Every checkpoint was kept, and a resume from each needs the generator that was best at its step:
        // every improvement stays, newest first.
        assertEquals(improvements, Checkpoint.list(run.resolve("best/checkpoints")).stream().map(Checkpoint::stepOf)
                .toList());

        // The run's own checkpoint of that step, alone in a run folder, samples what the kept folder samples.
        Path atStep = tmp.resolve("at-step");
        Files.createDirectories(atStep.resolve("checkpoints"));
        Files.copy(run.resolve("config.json"), atStep.resolve("config.json"));
        String name = Checkpoint.fileName(bestStep);
        Files.copy(run.resolve("checkpoints").resolve(name), atStep.resolve("checkpoints").resolve(name));
        try (TrainedGenerator a = TrainedGenerator.load(atStep);
                TrainedGenerator b = TrainedGenerator.load(run.resolve(BestGenerator.FOLDER))) {
            assertEquals(bestStep, b.step());
            assertSameSamples(a, b, true);
            assertSameSamples(a, b, false);
        }
    }

    @Slow
    @Test
    void aResumedRunForgetsWhatWasKeptAfterItsCheckpointAndKeepsWhatAnUninterruptedRunKeeps() throws IOException {
        TrainConfig two = scored(30);
        two.keepCheckpoints = 2;
        Path straight = train(two, tmp.resolve("straight"));
        // Stopped after its checkpoint of step 10, with a generator kept at step 15 by a session that went on
        // and stopped before checkpointing 15 (planted: a copy of what the run kept up to 10, under step 15).
        TrainConfig first = scored(10);
        first.keepCheckpoints = 2;
        Path split = train(first, tmp.resolve("split"));
        Path keptDir = split.resolve("best/checkpoints");
        Files.copy(Checkpoint.list(keptDir).get(0), keptDir.resolve(Checkpoint.fileName(15)));
        try (GanTrainer t = GanTrainer.resume(split, 30)) {
            assertTrue(Checkpoint.list(split.resolve("best/checkpoints")).stream()
                    .allMatch(p -> Checkpoint.stepOf(p) <= 10), "kept generators after the resumed step are forgotten");
            t.addMonitor(GanTrainerTest.QUIET).train();
        }
        BestGenerator.Kept a = BestGenerator.read(straight).orElseThrow();
        BestGenerator.Kept b = BestGenerator.read(split).orElseThrow();
        assertEquals(a.step(), b.step());
        assertEquals(a.value(), b.value());
        // with two checkpoints kept, the generators they need (and the newest) stay, the same in both
        assertEquals(Checkpoint.list(straight.resolve("best/checkpoints")).stream().map(Checkpoint::stepOf).toList(),
                Checkpoint.list(split.resolve("best/checkpoints")).stream().map(Checkpoint::stepOf).toList());
        try (TrainedGenerator x = TrainedGenerator.load(a.folder()); TrainedGenerator y = TrainedGenerator.load(b.folder())) {
            assertSameSamples(x, y, true);
        }
    }

    @Test
    void onlyAStrictImprovementInTheMetricsDirectionIsKept() {
        try (GanTrainer t = GanTrainer.start(scored(5), tmp.resolve("offers"))) {
            BestGenerator lower = new BestGenerator("swd_x1e3");
            assertTrue(lower.offer(t, java.util.Map.of("swd_x1e3", 5.0)), "the first evaluation");
            assertFalse(lower.offer(t, java.util.Map.of("swd_x1e3", 6.0)), "worse");
            assertTrue(lower.offer(t, java.util.Map.of("swd_x1e3", 4.0)), "better");
            assertFalse(lower.offer(t, java.util.Map.of("swd_x1e3", 4.0)), "a tie keeps the earlier");
            assertFalse(lower.offer(t, java.util.Map.of("swd_x1e3", Double.NaN)), "NaN");
            assertEquals(4.0, lower.state().get("value").getAsDouble());
            BestGenerator higher = new BestGenerator("is_fmnist");
            assertTrue(higher.offer(t, java.util.Map.of("is_fmnist", 5.0)));
            assertFalse(higher.offer(t, java.util.Map.of("is_fmnist", 4.0)), "lower IS is worse");
            assertTrue(higher.offer(t, java.util.Map.of("is_fmnist", 6.0)));
            assertEquals(6.0, BestGenerator.read(t.dir()).orElseThrow().value(), "the newest kept is the last better one");
            UserError e = assertThrows(BestGenerator.MissingValue.class,
                    () -> lower.offer(t, java.util.Map.of("fid_fmnist", 1.0)));
            assertTrue(e.getMessage().contains("eval.keepBest 'swd_x1e3'"), e.getMessage());
            // a resumed run's record of another metric is no rank for this one
            BestGenerator other = new BestGenerator("swd_x1e3");
            other.restore(higher.state(), t.dir());
            assertEquals(null, other.state());
            other.restore(lower.state(), t.dir());
            assertEquals(4.0, other.state().get("value").getAsDouble());
        }
    }

    @Test
    void aRunWithoutTheSettingKeepsNothing() {
        TrainConfig c = GanTrainerTest.tiny(5);
        c.eval.metrics = "swd";
        c.eval.n = 64;
        Path run = train(c, tmp.resolve("off"));
        assertFalse(Files.exists(run.resolve(BestGenerator.FOLDER)));
        assertTrue(BestGenerator.read(run).isEmpty());
    }

    @Test
    void settingsTheEvaluationCannotRankByAreRefusedNamingTheSetting() {
        assertEquals("fid_fmnist", TrainConfigTest.with("data=fashion-mnist", "eval.metrics=fid,kid",
                "eval.keepBest=fid_fmnist").eval.keepBest);
        assertEquals("swd_x1e3", TrainConfigTest.with("eval.metrics=swd", "eval.keepBest=swd_x1e3").eval.keepBest);
        for (String[] bad : new String[][] {
                {"eval.metrics=", "eval.keepBest=fid_fmnist"},          // nothing is evaluated
                {"eval.metrics=fid,kid", "eval.keepBest=swd_x1e3"},     // not written by these metrics
                {"eval.metrics=fid,kid", "eval.keepBest=kid_std_fmnist"}, // a spread: no better direction
                {"eval.metrics=fid", "eval.keepBest=d_loss"},           // a loss, not a score
                {"eval.metrics=fid", "eval.features=inception=/x/pt_inception.pt", "eval.keepBest=fid_fmnist"}}) {
            UserError e = assertThrows(UserError.class, () -> TrainConfigTest.with(bad), String.join(" ", bad));
            String named = bad[bad.length - 1].substring("eval.keepBest=".length());
            assertTrue(e.getMessage().contains("eval.keepBest '" + named + "'"),
                    e.getMessage());
        }
    }
}
