package dev.ganlab.cli;

import dev.ganlab.Slow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.data.Datasets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ganlab train --model fastgan --data emoji:smileys --resolution 128} on a 100-image subset, with
 * narrow networks so it takes seconds: the run folder, EMA samples, and a resume that continues the
 * same run.
 */
class TrainFastganCommandTest {

    @TempDir Path tmp;

    static String[] run(List<String> args) {
        return MainRunner.run(args.toArray(new String[0]));
    }

    static List<String> train(Path out, int steps, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--model", "fastgan", "--data", "emoji:smileys",
                "--resolution", "128", "--out", out.toString(), "--steps", Integer.toString(steps), "--threads", "1",
                "--set", "dataLimit=100", "--set", "fastgan.gWidth=2", "--set", "fastgan.dWidth=2",
                "--set", "fastgan.decoderWidth=2", "--set", "fastgan.latentDim=8", "--set", "logEvery=1",
                "--set", "sampleEvery=2", "--set", "checkpointEvery=2", "--set", "sampleCount=4",
                "--set", "eval.n=8"));
        a.addAll(List.of(extra));
        return a;
    }

    /** metrics.csv rows without the wall-time column. */
    static List<String> withoutSeconds(Path run) throws Exception {
        return Files.readAllLines(run.resolve("metrics.csv")).stream().map(l -> {
            List<String> c = new ArrayList<>(List.of(l.split(",", -1)));
            c.remove(2);
            return String.join(",", c);
        }).toList();
    }

    @Slow
    @Test
    void trainsOnTheFewShotSubsetWithEmaAndResumesTheSameRun() throws Exception {
        assumeTrue(Datasets.catalog().stream().anyMatch(s -> s.name().equals("emoji") && s.installed()),
                "the emoji npm package is installed by environment/setup.sh");
        Path split = tmp.resolve("split");
        String[] r = run(train(split, 2));
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("100 images, 3x128x128"), r[1]);
        JsonObject cfg = JsonParser.parseString(Files.readString(split.resolve("config.json"))).getAsJsonObject();
        assertEquals("fastgan", cfg.get("model").getAsString());
        assertEquals(100, cfg.get("dataLimit").getAsInt());
        assertEquals(0.999f, cfg.get("emaDecay").getAsFloat(), "FastGAN's EMA of G");
        assertEquals("random", cfg.get("hingeMargin").getAsString());
        assertTrue(cfg.getAsJsonObject("fastgan").get("sle").getAsBoolean());
        // EMA on: each sample step writes the EMA grid and the raw generator's grid.
        assertTrue(Files.isRegularFile(split.resolve("samples/step-00000002.png")));
        assertTrue(Files.isRegularFile(split.resolve("samples/step-00000002-raw.png")));
        assertTrue(Files.isRegularFile(split.resolve("checkpoints/step-00000002.ckpt")));
        JsonObject status = JsonParser.parseString(Files.readString(split.resolve("status.json"))).getAsJsonObject();
        assertEquals("finished", status.get("status").getAsString());
        List<String> header = List.of(Files.readAllLines(split.resolve("metrics.csv")).get(0).split(","));
        assertTrue(header.containsAll(List.of("d_loss", "g_loss", "d_aux", "recon_full", "recon_part", "recon_small",
                "swd_x1e3")),
                header.toString());

        String[] resumed = run(List.of("train", "--out", split.toString(), "--resume", "--steps", "4", "--threads", "1"));
        assertEquals("0", resumed[0], resumed[2]);
        assertTrue(resumed[1].contains("resumed at step 2"), resumed[1]);
        Path straight = tmp.resolve("straight");
        assertEquals("0", run(train(straight, 4))[0]);
        // The losses of steps 1-4 match; the end-of-run scores differ (the split run was scored at step 2 too).
        List<String> a = withoutSeconds(straight).subList(1, 5);
        List<String> b = withoutSeconds(split).subList(1, 5);
        for (int i = 0; i < 4; i++) {
            int losses = 10; // step, images, d_loss, d_real, d_fake, d_aux, recon_full, recon_part, recon_small, g_loss
            assertEquals(List.of(a.get(i).split(",", -1)).subList(0, losses), List.of(b.get(i).split(",", -1)).subList(0, losses),
                    "step " + (i + 1) + " of the resumed run differs from the uninterrupted run");
        }
    }

    @Slow
    @Test
    void officialDefaultsTrainATiny64PxModelWithFiniteLosses() throws Exception {
        assumeTrue(Datasets.catalog().stream().anyMatch(s -> s.name().equals("emoji") && s.installed()),
                "the emoji npm package is installed by environment/setup.sh");
        Path out = tmp.resolve("tiny64");
        List<String> args = train(out, 3, "--set", "batch=2", "--set", "sampleEvery=1000", "--set", "checkpointEvery=1000");
        args.set(args.indexOf("128"), "64");
        String[] r = run(args);
        assertEquals("0", r[0], r[2]);
        JsonObject cfg = JsonParser.parseString(Files.readString(out.resolve("config.json"))).getAsJsonObject();
        assertEquals("color,translation", cfg.get("augment").getAsString(), "official train.py policy");
        JsonObject f = cfg.getAsJsonObject("fastgan");
        assertTrue(f.get("smallBranch").getAsBoolean());
        assertEquals("official", f.get("upBlocks").getAsString());
        List<String> lines = Files.readAllLines(out.resolve("metrics.csv"));
        List<String> header = List.of(lines.get(0).split(",", -1));
        List<String> keys = List.of("d_loss", "d_real", "d_fake", "d_aux", "recon_full", "recon_part", "recon_small", "g_loss");
        int rows = 0;
        for (String line : lines.subList(1, lines.size())) {
            List<String> v = List.of(line.split(",", -1));
            if (v.get(header.indexOf("d_loss")).isEmpty()) {
                continue; // an evaluation-only row
            }
            rows++;
            for (String k : keys) {
                double x = Double.parseDouble(v.get(header.indexOf(k)));
                assertTrue(Double.isFinite(x), k + " = " + x + " in " + line);
            }
            assertTrue(Double.parseDouble(v.get(header.indexOf("recon_small"))) > 0, line);
        }
        assertEquals(3, rows, lines.toString());
    }

    @Test
    void badSettingsAreNamed() {
        String[] r = run(train(tmp.resolve("bad"), 1, "--set", "fastgan.sle=maybe"));
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("fastgan.sle") && r[2].contains("maybe"), r[2]);
        List<String> args = train(tmp.resolve("bad96"), 1);
        args.set(args.indexOf("128"), "96");
        String[] r96 = run(args);
        assertEquals("2", r96[0]);
        assertTrue(r96[2].contains("96") && r96[2].contains("[64, 128, 256, 512, 1024]"), r96[2]);
    }
}
