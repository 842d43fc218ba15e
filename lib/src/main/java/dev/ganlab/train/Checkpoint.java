package dev.ganlab.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.AtomicFiles;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
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

    /** Writes a checkpoint atomically. */
    public static void write(Path file, JsonObject header, Map<String, SectionWriter> sections) {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, SectionWriter> e : sections.entrySet()) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                try (DataOutputStream out = new DataOutputStream(buf)) {
                    e.getValue().write(out);
                }
                bytes.put(e.getKey(), buf.toByteArray());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise checkpoint " + file, e);
        }
        AtomicFiles.write(file, os -> {
            DataOutputStream out = new DataOutputStream(os);
            out.write(MAGIC);
            out.writeInt(VERSION);
            writeLongUtf(out, header.toString());
            out.writeInt(bytes.size());
            for (Map.Entry<String, byte[]> e : bytes.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
            }
            out.flush();
        });
    }

    /** Reads a checkpoint; a truncated or foreign file is an IOException naming it. */
    public static Checkpoint read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             DataInputStream in = new DataInputStream(raw)) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + " is not a GAN Lab checkpoint");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException(file + ": checkpoint version " + version + ", this GAN Lab reads " + VERSION);
            }
            JsonObject header = JsonParser.parseString(readLongUtf(in)).getAsJsonObject();
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

    /** Checkpoint files of a folder, newest step first. */
    public static List<Path> list(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        out.sort((a, b) -> Long.compare(stepOf(b), stepOf(a)));
        return out;
    }

    /** The step encoded in a checkpoint's file name. */
    public static long stepOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(file + " is not named step-N.ckpt");
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
