package dev.ganlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.Slow;
import dev.ganlab.core.GanLab;
import dev.ganlab.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ganlab train --devices}: errors in one line, and a run that moves to another number of replicas. */
class TrainDevicesCommandTest {

    @TempDir Path tmp;

    private static String[] train(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--out", out.toString(), "--model", "gan",
                "--data", "synthetic:8?perMode=40", "--batch", "8", "--set", "gan.gNorm=none",
                "--set", "gan.gHidden=32,32", "--set", "gan.dHidden=32,16", "--set", "gan.latentDim=8",
                "--set", "eval.metrics=", "--set", "sampleCount=16", "--set", "logEvery=1"));
        args.addAll(List.of(extra));
        return MainRunner.run(args.toArray(new String[0]));
    }

    @Test
    void anAbsentGpuIsOneLineBeforeAnyWork() {
        int n = GanLab.gpuCount();
        Path out = tmp.resolve("absent");
        String[] r = train(out, "--steps", "1", "--devices", "gpu:" + n);
        assertFalse("0".equals(r[0]), "exit status 0 for an absent GPU");
        assertTrue(r[2].contains("no GPU " + n + ": this machine has"), r[2]);
        assertFalse(r[2].contains("Exception") || r[2].contains("\tat "), "a stack trace: " + r[2]);
        assertFalse(Files.exists(out.resolve("config.json")), "the run folder was written before the check");
    }

    @Slow
    @Test
    void aRunOnTwoReplicasResumesOnOne() throws Exception {
        Path out = tmp.resolve("moved");
        String[] first = train(out, "--steps", "2", "--devices", "cpu,cpu");
        assertEquals("0", first[0], first[2]);
        assertTrue(first[2].contains("split over 2 replicas"), first[2]);
        String[] second = MainRunner.run("train", "--out", out.toString(), "--resume", "--steps", "3", "--devices", "cpu");
        assertEquals("0", second[0], second[2]);
        TrainConfig stored = TrainConfig.ofRun(out);
        assertEquals("cpu", stored.devices, "config.json records where the run trains now");
        assertEquals(3, stored.steps);
        assertEquals(4, Files.readAllLines(out.resolve("metrics.csv")).size(), "header and steps 1..3");
    }
}
