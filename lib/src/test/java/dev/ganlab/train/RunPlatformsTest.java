package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.ComputePlatform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint records the platform that computed it; resuming it on the same platform is silent, on another
 * (here: a checkpoint whose header says another instruction set and thread count, as one carried from another
 * machine would) gives a notice naming what differs, and platforms.jsonl keeps every session's platform.
 */
class RunPlatformsTest {

    @TempDir Path tmp;

    private static List<JsonObject> sessions(Path run) throws IOException {
        return Files.readAllLines(run.resolve(RunPlatforms.FILE)).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    }

    /** Rewrites a checkpoint with its header changed by {@code edit}, its sections byte for byte. */
    private static void rewriteHeader(Path file, java.util.function.Consumer<JsonObject> edit) throws IOException {
        Checkpoint c = Checkpoint.read(file);
        JsonObject header = c.header().deepCopy();
        edit.accept(header);
        Map<String, Checkpoint.SectionWriter> sections = new LinkedHashMap<>();
        for (String name : c.sectionNames()) {
            byte[] bytes = c.section(name).readAllBytes();
            sections.put(name, out -> out.write(bytes));
        }
        Checkpoint.write(file, header, sections);
    }

    private static String resumeAndTrain(Path run, int steps) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (GanTrainer t = GanTrainer.resume(run, steps)) {
            t.addMonitor(new ConsoleMonitor(new PrintStream(console, true, StandardCharsets.UTF_8), false)).train();
        }
        return console.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aResumeOnAnotherPlatformSaysWhatDiffersAndTheRunRecordsEverySession() throws IOException {
        Path run = tmp.resolve("run");
        try (GanTrainer t = GanTrainer.start(GanTrainerTest.tiny(10), run)) {
            t.addMonitor(GanTrainerTest.QUIET).train();
            assertTrue(t.resumeNotice().isEmpty(), "a new run has nothing to say");
        }
        ComputePlatform here = ComputePlatform.current();
        Path ck10 = run.resolve("checkpoints").resolve(Checkpoint.fileName(10));
        assertEquals(here.toJson(), Checkpoint.readHeader(ck10).getAsJsonObject(RunPlatforms.HEADER));

        // Same platform: silent, and the session is recorded as a resume with no difference.
        String same = resumeAndTrain(run, 20);
        assertFalse(same.contains("NOTE:"), same);

        // The step-20 checkpoint as another machine would have written it.
        Path ck20 = run.resolve("checkpoints").resolve(Checkpoint.fileName(20));
        String otherIsa = here.vectorIsa().equals("avx512") ? "avx2" : "avx512";
        rewriteHeader(ck20, h -> {
            JsonObject p = h.getAsJsonObject(RunPlatforms.HEADER);
            p.addProperty("vectorIsa", otherIsa);
            p.addProperty("threads", here.threads() + 3);
            p.addProperty("cpuModel", "another model"); // recorded, not compared
        });
        String other = resumeAndTrain(run, 30);
        assertTrue(other.contains("NOTE: resumed on another platform than the one that wrote the step-20 checkpoint"
                + " (engine threads " + (here.threads() + 3) + " -> " + here.threads() + "; vector instructions "
                + otherIsa + " -> " + here.vectorIsa() + ")"), other);

        // A checkpoint written before platforms were recorded: nothing can be said, and nothing is claimed.
        Path ck30 = run.resolve("checkpoints").resolve(Checkpoint.fileName(30));
        rewriteHeader(ck30, h -> h.remove(RunPlatforms.HEADER));
        String old = resumeAndTrain(run, 40);
        assertFalse(old.contains("NOTE:"), old);

        List<JsonObject> s = sessions(run);
        assertEquals(4, s.size(), "one line per training session");
        assertEquals(List.of(0L, 10L, 20L, 30L), s.stream().map(o -> o.get("step").getAsLong()).toList());
        assertFalse(s.get(0).get("resumed").getAsBoolean());
        assertFalse(s.get(0).has("differences"), "a new run continues no checkpoint");
        for (JsonObject o : s) {
            assertEquals(here.toJson(), o.getAsJsonObject("platform"));
        }
        assertEquals(0, s.get(1).getAsJsonArray("differences").size());
        assertEquals(2, s.get(2).getAsJsonArray("differences").size());
        assertEquals(otherIsa, s.get(2).getAsJsonObject("checkpointPlatform").get("vectorIsa").getAsString());
        assertTrue(s.get(3).get("checkpointPlatform").isJsonNull(), s.get(3).toString());
        assertTrue(s.get(3).get("differences").isJsonNull(), "unknown, not 'no difference': " + s.get(3));
    }
}
