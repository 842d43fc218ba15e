package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint file: sections stream to disk after their lengths, and the bytes are those of the
 * layout read by {@link Checkpoint#read} (magic, version, header, then name, int length and bytes per
 * section), built here by hand.
 */
class CheckpointFileTest {

    @TempDir Path tmp;

    @Test
    void sectionsAreWrittenInTheLayoutTheReaderReads() throws IOException {
        byte[] big = new byte[3_000_000];
        new Random(7).nextBytes(big);
        Map<String, Checkpoint.SectionWriter> sections = new LinkedHashMap<>();
        sections.put("A", out -> out.write(big));
        sections.put("B", out -> {
            out.writeInt(42);
            out.writeUTF("moments");
        });
        JsonObject header = new JsonObject();
        header.addProperty("step", 12);
        Path file = tmp.resolve("step-00000012.ckpt");
        Checkpoint.write(file, header, sections);

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        DataOutputStream e = new DataOutputStream(expected);
        e.write("GANLABCK".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        e.writeInt(1);
        byte[] h = header.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        e.writeInt(h.length);
        e.write(h);
        e.writeInt(2);
        e.writeUTF("A");
        e.writeInt(big.length);
        e.write(big);
        e.writeUTF("B");
        e.writeInt(4 + 2 + "moments".length());
        e.writeInt(42);
        e.writeUTF("moments");
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(file));

        Checkpoint read = Checkpoint.read(file);
        assertEquals(12, read.header().get("step").getAsInt());
        assertEquals(42, read.section("B").readInt());
        byte[] a = new byte[big.length];
        read.section("A").readFully(a);
        assertArrayEquals(big, a);
    }

    @Test
    void aWriterWhoseTwoRunsDifferIsAnErrorNamingItsSectionAndLeavesNoFile() {
        int[] runs = {0};
        Map<String, Checkpoint.SectionWriter> sections = new LinkedHashMap<>();
        sections.put("OPT_G", out -> out.write(new byte[++runs[0] * 10]));
        Path file = tmp.resolve("step-00000003.ckpt");
        UncheckedIOException err = assertThrows(UncheckedIOException.class,
                () -> Checkpoint.write(file, new JsonObject(), sections));
        String msg = err.getMessage() + " / " + err.getCause();
        assertTrue(msg.contains("section OPT_G") && msg.contains("wrote 20 bytes after counting 10"), msg);
        assertFalse(Files.exists(file), "a failed write must not leave a checkpoint");
    }

    @Test
    void lengthsBeyondTheFormatsIntAreRefusedBeforeWriting() {
        // 2^31 bytes counted: the writer is never run into the file.
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        Checkpoint.SectionWriter huge = out -> {
            for (int i = 0; i < 2048; i++) {
                out.write(chunk.array());
            }
        };
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        IOException err = assertThrows(IOException.class,
                () -> Checkpoint.writeLengthPrefixed(new DataOutputStream(sink), huge, "section X"));
        assertTrue(err.getMessage().contains("section X: 2147483648 bytes"), err.getMessage());
        assertEquals(0, sink.size());
    }
}
