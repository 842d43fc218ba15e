package dev.ganlab.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.AtomicFiles;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A checkpoint file: a JSON header (step, images shown, loader position, config) and named binary
 * sections (each network's parameters, optimiser moments, EMA weights, trick state). Written whole
 * or not at all (temporary file, flush, rename), so a crash during a save leaves the previous
 * checkpoint intact; resume takes the newest file that reads back completely.
 *
 * <p>Layout: magic {@code GANLABCK}, int version, UTF header JSON, int section count, then per
 * section a UTF name, an int length and the bytes.
 */
public final class Checkpoint {

    private static final byte[] MAGIC = "GANLABCK".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final Pattern NAME = Pattern.compile("step-(\\d+)\\.ckpt");

    /** Writes one section's bytes. */
    @FunctionalInterface
    public interface SectionWriter {
        void write(DataOutputStream out) throws IOException;
    }

    private final JsonObject header;
    private final Map<String, byte[]> sections;

    private Checkpoint(JsonObject header, Map<String, byte[]> sections) {
        this.header = header;
        this.sections = sections;
    }

    public JsonObject header() {
        return header;
    }

    public boolean has(String section) {
        return sections.containsKey(section);
    }

    /** The sections' names, in the file's order. */
    public java.util.List<String> sectionNames() {
        return java.util.List.copyOf(sections.keySet());
    }

    /** A stream over a section's bytes. */
    public DataInputStream section(String name) {
        byte[] b = sections.get(name);
        if (b == null) {
            throw new IllegalStateException("checkpoint has no section '" + name + "' (has " + sections.keySet() + ")");
        }
        return new DataInputStream(new ByteArrayInputStream(b));
    }

    /** The file name of the checkpoint of a step. */
    public static String fileName(long step) {
        return String.format("step-%08d.ckpt", step);
    }

    /**
     * Writes a checkpoint atomically. Sections stream to the file: each writer runs twice, first into a
     * counter for the section's length prefix, then into the file, so no section is ever held whole in
     * the Java heap (weights, EMA and Adam moments: about 600 MB for FastGAN; held as buffers they raised
     * ProGAN's 1024 px peak by a gigabyte; lib/BENCHMARKS.md). Writers only read state, so both runs
     * write the same bytes; a writer whose second run writes another number of bytes is an error naming
     * the section (a writer must not depend on being called once). The price is encoding each section
     * twice (the optimisers' moments four times, their own length prefix streamed the same way): a
     * fraction of a second per checkpoint for FastGAN.
     */
    public static void write(Path file, JsonObject header, Map<String, SectionWriter> sections) {
        AtomicFiles.write(file, os -> {
            DataOutputStream out = new DataOutputStream(os);
            out.write(MAGIC);
            out.writeInt(VERSION);
            writeLongUtf(out, header.toString());
            out.writeInt(sections.size());
            for (Map.Entry<String, SectionWriter> e : sections.entrySet()) {
                out.writeUTF(e.getKey());
                writeLengthPrefixed(out, e.getValue(), "checkpoint " + file + ", section " + e.getKey());
            }
            out.flush();
        });
    }

    /**
     * Writes {@code writer}'s bytes after their count (an int), streaming: the writer runs once into a
     * counter and once into {@code out}. {@code what} names the bytes in the error when the two runs differ
     * in length.
     */
    public static void writeLengthPrefixed(DataOutputStream out, SectionWriter writer, String what) throws IOException {
        long length = countedWrite(OutputStream.nullOutputStream(), writer);
        if (length > Integer.MAX_VALUE) {
            throw new IOException(what + ": " + length + " bytes, beyond the format's int lengths");
        }
        out.writeInt((int) length);
        long written = countedWrite(out, writer);
        if (written != length) {
            throw new IOException(what + ": wrote " + written + " bytes after counting " + length);
        }
    }

    /** Runs {@code writer} into {@code sink}; the bytes it wrote (DataOutputStream's own count stops at 2 GB). */
    private static long countedWrite(OutputStream sink, SectionWriter writer) throws IOException {
        long[] count = {0};
        OutputStream counting = new FilterOutputStream(sink) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                count[0] += len;
            }
        };
        DataOutputStream data = new DataOutputStream(counting);
        writer.write(data);
        data.flush();
        return count[0];
    }

    /** Reads a checkpoint; a truncated or foreign file is an IOException naming it. */
    public static Checkpoint read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             DataInputStream in = new DataInputStream(raw)) {
            JsonObject header = header(file, in);
            int n = in.readInt();
            Map<String, byte[]> sections = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                sections.put(name, b);
            }
            if (in.read() != -1) {
                throw new IOException(file + ": unexpected bytes after the last section");
            }
            return new Checkpoint(header, sections);
        } catch (EOFException e) {
            throw new IOException(file + " is truncated", e);
        }
    }

    /** A checkpoint's header alone, without reading its sections (a quick look at a large file). */
    public static JsonObject readHeader(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 12))) {
            return header(file, in);
        } catch (EOFException e) {
            throw new IOException(file + " is truncated", e);
        }
    }

    private static JsonObject header(Path file, DataInputStream in) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException(file + " is not a GAN Lab checkpoint");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException(file + ": checkpoint version " + version + ", this GAN Lab reads " + VERSION);
        }
        return JsonParser.parseString(readLongUtf(in)).getAsJsonObject();
    }

    /** Checkpoint files of a folder, newest step first. */
    public static List<Path> list(Path dir) {
        return listByStep(dir, NAME);
    }

    /** The step encoded in a checkpoint's file name. */
    public static long stepOf(Path file) {
        return stepIn(file, NAME);
    }

    /** The files of {@code dir} whose names match {@code name} (its group 1 is the step), newest step first. */
    static List<Path> listByStep(Path dir, Pattern name) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> name.matcher(p.getFileName().toString()).matches()).forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        out.sort((a, b) -> Long.compare(stepIn(b, name), stepIn(a, name)));
        return out;
    }

    /** The step in a file name that matches {@code name} (group 1). */
    static long stepIn(Path file, Pattern name) {
        Matcher m = name.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(file + " is not named " + name.pattern().replace("(\\d+)", "N")
                    .replace("\\", ""));
        }
        return Long.parseLong(m.group(1));
    }

    private static void writeLongUtf(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readLongUtf(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
