package dev.ganlab.metrics;

import dev.ganlab.core.UserError;

import dev.ganlab.core.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files, format version 1.0: the magic {@code \x93NUMPY}, version
 * bytes 1 0, a little-endian uint16 header length, an ASCII dict header padded with spaces and ended
 * by a newline so that the data starts at a multiple of 64 bytes, then the raw C-order data.
 *
 * <p>Writes float32 ({@code <f4}) and float64 ({@code <f8}); reads those and uint8 ({@code |u1}), in
 * C order. This is how feature dumps leave GAN Lab ({@code metrics --dump-features}) and how the test
 * fixtures made by numpy come in.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** An array read from a file: its shape and its values widened to double. */
    public record Array(int[] shape, double[] values) {
        /** The array as a matrix; a 1-D array becomes one column. */
        public FeatureMatrix toMatrix() {
            int rows = shape.length == 0 ? 1 : shape[0];
            return new FeatureMatrix(rows, rows == 0 ? 1 : values.length / Math.max(rows, 1), values);
        }
    }

    private Npy() {}

    /** Writes a float32 {@code rows x cols} array, atomically (temp file, then rename). */
    public static void writeFloat32(Path file, FeatureMatrix m) throws IOException {
        float[] v = m.toFloats();
        ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(v);
        write(file, "<f4", new int[] {m.rows(), m.cols()}, buf.array());
    }

    /** Writes a float64 array of the given shape, atomically. */
    public static void writeFloat64(Path file, int[] shape, double[] values) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.asDoubleBuffer().put(values);
        write(file, "<f8", shape, buf.array());
    }

    /** The header bytes (magic through newline) for a C-order array. */
    static byte[] header(String descr, int[] shape) {
        StringBuilder sh = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            sh.append(shape[i]).append(shape.length == 1 ? "," : (i < shape.length - 1 ? ", " : ""));
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + sh + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String text = dict + " ".repeat(pad) + "\n";
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + t.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) t.length).put(t);
        return b.array();
    }

    private static void write(Path file, String descr, int[] shape, byte[] data) throws IOException {
        AtomicFiles.write(file, out -> {
            out.write(header(descr, shape));
            out.write(data);
        });
    }

    /** Reads a file. */
    public static Array read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads from a stream; {@code name} is used in error messages. */
    public static Array read(InputStream in, String name) throws IOException {
        byte[] all = in.readAllBytes();
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        for (byte m : MAGIC) {
            if (b.remaining() == 0 || b.get() != m) {
                throw new UserError(name + " is not a .npy file (bad magic)");
            }
        }
        int major = b.get();
        b.get();
        int headerLen = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
        String header = new String(all, b.position(), headerLen, StandardCharsets.US_ASCII);
        b.position(b.position() + headerLen);
        Matcher d = DESCR.matcher(header);
        Matcher o = ORDER.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find()) {
            throw new UserError(name + ": unreadable .npy header " + header.trim());
        }
        if (o.group(1).equals("True")) {
            throw new UserError(name + ": Fortran-order arrays are not supported; save with np.ascontiguousarray");
        }
        String[] dims = s.group(1).split(",");
        int count = 0;
        int[] shape = new int[dims.length];
        for (String dim : dims) {
            if (!dim.isBlank()) {
                shape[count++] = Integer.parseInt(dim.trim());
            }
        }
        shape = java.util.Arrays.copyOf(shape, count);
        long n = 1;
        for (int x : shape) {
            n *= x;
        }
        double[] v = new double[(int) n];
        switch (d.group(1)) {
            case "<f8" -> b.asDoubleBuffer().get(v);
            case "<f4" -> {
                var fb = b.asFloatBuffer();
                for (int i = 0; i < v.length; i++) {
                    v[i] = fb.get();
                }
            }
            case "|u1" -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = Byte.toUnsignedInt(b.get());
                }
            }
            default -> throw new UserError(name + ": dtype " + d.group(1) + " is not supported (use float32, float64"
                    + " or uint8)");
        }
        return new Array(shape, v);
    }
}
