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
            }
        }
        assertEquals(6, evaluations, "evaluations at steps 5, 10, ..., 30");
        BestGenerator.Kept kept = BestGenerator.read(run).orElseThrow();
        assertEquals(bestStep, kept.step(), kept.summary());
        assertEquals(best, kept.value(), 1e-4 * Math.abs(best));
        assertEquals("swd_x1e3", kept.metric());
        assertEquals("ema", kept.generator());
        // The run checkpointed after every evaluation, so only the best one is left.
        assertEquals(1, Checkpoint.list(run.resolve("best/checkpoints")).size());

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
        Path straight = train(scored(30), tmp.resolve("straight"));
        // Stopped after its checkpoint of step 10, with a generator kept at step 15 by a session that went on
        // and stopped before checkpointing 15 (planted: a copy of what the run kept up to 10, under step 15).
        Path split = train(scored(10), tmp.resolve("split"));
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
        try (TrainedGenerator x = TrainedGenerator.load(a.folder()); TrainedGenerator y = TrainedGenerator.load(b.folder())) {
            assertSameSamples(x, y, true);
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
                {"eval.metrics=fid", "eval.keepBest=d_loss"}}) {        // a loss, not a score
            UserError e = assertThrows(UserError.class, () -> TrainConfigTest.with(bad), String.join(" ", bad));
            assertTrue(e.getMessage().contains("eval.keepBest '" + bad[1].substring("eval.keepBest=".length()) + "'"),
                    e.getMessage());
        }
    }
}
