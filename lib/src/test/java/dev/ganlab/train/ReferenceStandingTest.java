package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.TinyRuns;
import dev.ganlab.core.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a reference model stands: an exported folder is the finished model with its better generator; a run
 * carried in {@code training/NAME} is shown at its newest checkpoint with the newest evaluation at or before
 * it (rows the carried history holds beyond the checkpoint are not its scores); otherwise it is absent.
 */
class ReferenceStandingTest {

    @TempDir static Path tmp;
    static Path zoo;
    static Path run;

    @BeforeAll
    static void trainAndExport() throws IOException {
        run = tmp.resolve("run");
        TinyRuns.trainOneStep(TinyRuns.progan(), run);
        zoo = tmp.resolve("zoo");
        Path ema = tmp.resolve("ema.json");
        Path raw = tmp.resolve("raw.json");
        for (Path f : new Path[] {ema, raw}) {
            Files.writeString(f, """
                    {"setup": {"features": "fmnist", "real": "synthetic:8", "realCount": 64, "fake": "folder:x",
                      "fakeCount": 64, "seed": 0}, "metrics": {"swd_x1e3": %s}, "details": {}, "warnings": []}"""
                    .formatted(f == ema ? "12.0" : "15.0"));
        }
        ReferenceModel.export(run, zoo.resolve("finished"), new ReferenceModel.ExportOptions(
                Map.of("ema", ema, "raw", raw), "swd_x1e3", 1, "environment/zoo/train-reference.sh finished", null));
        // A run in progress as --carry leaves it: the run folder, with a history that goes on past the checkpoint.
        Path carried = zoo.resolve(ReferenceStanding.TRAINING_DIR).resolve("progress");
        Files.createDirectories(carried.resolve("checkpoints"));
        Files.copy(run.resolve("config.json"), carried.resolve("config.json"));
        Path ckpt = Checkpoint.list(run.resolve("checkpoints")).get(0);
        Files.copy(ckpt, carried.resolve("checkpoints").resolve(ckpt.getFileName()));
        // headline scores (fid_infinity_fmnist, precision_fmnist) beside a spread (kid_std) and an SWD level (a detail)
        Files.writeString(carried.resolve("metrics.csv"), """
                step,images,seconds,d_loss,swd_x1e3,fid_fmnist,fid_infinity_fmnist,kid_std_fmnist,precision_fmnist,swd_16_x1e3
                0,0,0.5,1.0,40.0,300.0,280.0,0.01,0.5,41.0
                1,16,1.0,0.9,,,,,,
                2,32,1.5,0.8,25.0,200.0,180.0,0.01,0.6,26.0
                """);
        // the same run trained without an average: it is shown, and said to be, the raw generator
        Path noEma = zoo.resolve(ReferenceStanding.TRAINING_DIR).resolve("no-ema");
        Files.createDirectories(noEma.resolve("checkpoints"));
        TrainConfig cfg = TrainConfig.ofRun(run);
        cfg.emaDecay = 0f;
        Files.writeString(noEma.resolve("config.json"), cfg.toJson());
        Files.copy(ckpt, noEma.resolve("checkpoints").resolve(ckpt.getFileName()));
        // the same run with its checkpoint in three parts and a manifest, as the carry writes one of more than 95 MB
        for (String name : new String[] {"split", "damaged", "missing"}) {
            Path folder = zoo.resolve(ReferenceStanding.TRAINING_DIR).resolve(name);
            Files.createDirectories(folder.resolve("checkpoints"));
            Files.copy(run.resolve("config.json"), folder.resolve("config.json"));
            writeInParts(ckpt, folder.resolve("checkpoints"), name.equals("damaged"));
        }
        Files.delete(zoo.resolve(ReferenceStanding.TRAINING_DIR).resolve("missing").resolve("checkpoints")
                .resolve(ckpt.getFileName() + ".part-2"));
    }

    /** Three parts and a manifest written by hand (slices of the bytes, SHA-256 of the whole file). */
    static void writeInParts(Path ckpt, Path folder, boolean damage) throws IOException {
        byte[] bytes = Files.readAllBytes(ckpt);
        String name = ckpt.getFileName().toString();
        int third = bytes.length / 3;
        int[] cuts = {0, third, 2 * third, bytes.length};
        StringBuilder parts = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            byte[] part = Arrays.copyOfRange(bytes, cuts[i], cuts[i + 1]);
            if (damage && i == 1) {
                part[part.length / 2] ^= 1;
            }
            Files.write(folder.resolve(name + ".part-" + i), part);
            parts.append(i == 0 ? "" : ", ").append('"').append(name).append(".part-").append(i).append('"');
        }
        String sha;
        try {
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Files.writeString(folder.resolve(name + ".parts.json"), "{\"file\": \"%s\", \"size\": %d, \"sha256\": \"%s\", \"parts\": [%s]}"
                .formatted(name, bytes.length, sha, parts));
    }

    @Test
    void anExportedModelIsTheFinishedOneWithItsBetterGenerator() {
        ReferenceStanding s = ReferenceStanding.of(zoo, "finished");
        assertEquals(ReferenceStanding.State.EXPORTED, s.state());
        assertEquals(zoo.resolve("finished"), s.folder().orElseThrow());
        assertEquals("ema", s.model().orElseThrow().best(), "EMA scored 12 < raw 15");
        assertTrue(s.showEma());
        assertEquals(1, s.step());
        assertTrue(s.summary().startsWith("reference model finished (step 1): swd_x1e3"), s.summary());
    }

    @Test
    void aCarriedRunIsShownAtItsCheckpointWithTheEvaluationsUpToIt() {
        ReferenceStanding s = ReferenceStanding.of(zoo, "progress");
        assertEquals(ReferenceStanding.State.TRAINING, s.state());
        assertTrue(s.model().isEmpty());
        assertEquals(1, s.step(), "the checkpoint's step");
        assertEquals(TinyRuns.progan().steps, s.steps());
        // step 2's scores come after the checkpoint; step 1 has none, so the newest is step 0's
        assertEquals(Map.of("swd_x1e3", 40.0, "fid_fmnist", 300.0, "fid_infinity_fmnist", 280.0,
                "precision_fmnist", 0.5, "step", 0.0), s.lastScores(), "headline scores only");
        assertTrue(s.showEma(), "a run in training shows the generator its evaluations score");
        assertTrue(s.summary().contains("still training") && s.summary().contains("step 1 of ")
                && s.summary().contains("its EMA generator at step 0: swd_x1e3 40.0 fid_fmnist 300"), s.summary());
        // the carried folder loads like the run it came from
        try (TrainedGenerator a = TrainedGenerator.load(run); TrainedGenerator b = TrainedGenerator.load(s.folder().get())) {
            assertArrayEquals(a.outputs(3, true, 5), b.outputs(3, true, 5));
        }
    }

    @Test
    void aCarriedRunWithoutAverageOrHistoryIsShownRawAndNotEvaluated() {
        ReferenceStanding s = ReferenceStanding.of(zoo, "no-ema");
        assertEquals(ReferenceStanding.State.TRAINING, s.state());
        assertFalse(s.showEma(), "emaDecay 0: there is no average to show");
        assertTrue(s.lastScores().isEmpty(), "no metrics.csv");
        assertTrue(s.summary().contains("step 1 of ") && s.summary().endsWith("(not evaluated yet)"), s.summary());
    }

    @Test
    void aCheckpointCarriedInPartsIsJoinedAndChecked() throws IOException {
        ReferenceStanding s = ReferenceStanding.of(zoo, "split");
        assertEquals(ReferenceStanding.State.TRAINING, s.state());
        assertEquals(1, s.step(), "the step in the manifest's name");
        Path carried = zoo.resolve(ReferenceStanding.TRAINING_DIR).resolve("split");
        Path shown = s.folder().orElseThrow();
        assertEquals(carried.resolve(ReferenceStanding.JOINED_DIR), shown);
        assertTrue(s.summary().contains("in " + carried + ": step 1 of"), "said where it is kept: " + s.summary());
        try (TrainedGenerator a = TrainedGenerator.load(run); TrainedGenerator b = TrainedGenerator.load(shown)) {
            assertArrayEquals(a.outputs(3, true, 5), b.outputs(3, true, 5), "the joined checkpoint is the run's");
        }
        // an older carry's checkpoint left in the joined folder (git ignores it, so a pull does not remove it)
        Path joinedCheckpoints = shown.resolve("checkpoints");
        Path stale = joinedCheckpoints.resolve(Checkpoint.fileName(9));
        Files.copy(Checkpoint.list(joinedCheckpoints).get(0), stale);
        ReferenceStanding.of(zoo, "split");
        assertEquals(List.of(joinedCheckpoints.resolve(Checkpoint.fileName(1))), Checkpoint.list(joinedCheckpoints),
                "only the manifest's checkpoint is loadable");

        UserError e = assertThrows(UserError.class, () -> ReferenceStanding.of(zoo, "damaged"));
        assertTrue(e.getMessage().contains(".ckpt.parts.json") && e.getMessage().contains("a part is missing or damaged"),
                e.getMessage());
        UserError m = assertThrows(UserError.class, () -> ReferenceStanding.of(zoo, "missing"));
        assertTrue(m.getMessage().contains(".ckpt.parts.json: its part ") && m.getMessage().endsWith(".part-2 is missing"),
                m.getMessage());
        for (String bad : new String[] {"damaged", "missing"}) {
            Path folder = zoo.resolve(ReferenceStanding.TRAINING_DIR).resolve(bad).resolve(ReferenceStanding.JOINED_DIR)
                    .resolve("checkpoints");
            try (var files = Files.list(folder)) {
                assertEquals(List.of(), files.toList(), bad + ": bad parts leave no file, partial or whole");
            }
        }
    }

    @Test
    void neitherExportedNorCarriedIsAbsentAndSaysHowToTrainIt() {
        ReferenceStanding s = ReferenceStanding.of(zoo, "progan-emoji32");
        assertEquals(ReferenceStanding.State.ABSENT, s.state());
        assertTrue(s.folder().isEmpty());
        assertTrue(s.model().isEmpty());
        assertEquals(0, s.step());
        assertTrue(s.lastScores().isEmpty());
        assertTrue(s.summary().contains("environment/zoo/train-reference.sh progan-emoji32"), s.summary());
        UserError e = assertThrows(UserError.class, () -> ReferenceStanding.of(zoo, "training"));
        assertTrue(e.getMessage().contains("'training' is not a reference model name"), e.getMessage());
    }
}
