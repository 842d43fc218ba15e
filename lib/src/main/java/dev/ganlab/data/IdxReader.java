package dev.ganlab.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads the idx format of MNIST and Fashion-MNIST (LeCun et al.), gzip-compressed or raw.
 *
 * <p>An idx file starts with a magic number {@code 0x0000TTDD}: TT the element type ({@code 0x08} =
 * unsigned byte) and DD the number of dimensions, then DD big-endian 32-bit sizes, then the data.
 * Images are {@code 0x00000803} (N, H, W) and labels {@code 0x00000801} (N).
 */
public final class IdxReader {

    /** Magic number of an unsigned-byte 3-D array (images). */
    public static final int MAGIC_IMAGES = 0x00000803;
    /** Magic number of an unsigned-byte 1-D array (labels). */
    public static final int MAGIC_LABELS = 0x00000801;

    private IdxReader() {}

    /** Images of an idx3-ubyte file: one planar grey array per image; {@code dims} gets {N, H, W}. */
    public static List<byte[]> readImages(Path file, int[] dims, int limit) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != MAGIC_IMAGES) {
                throw new DatasetException(file + ": magic number 0x" + String.format("%08x", magic)
                        + " is not that of an idx images file (expected 0x00000803, unsigned bytes, 3 dims)");
            }
            int n = in.readInt();
            int h = in.readInt();
            int w = in.readInt();
            if (n < 0 || h <= 0 || w <= 0 || (long) h * w > 1 << 24) {
                throw new DatasetException(file + ": implausible idx header N=" + n + " H=" + h + " W=" + w);
            }
            int count = limit > 0 ? Math.min(limit, n) : n;
            List<byte[]> images = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] px = new byte[h * w];
                try {
                    in.readFully(px);
                } catch (EOFException e) {
                    throw new DatasetException(file + ": truncated, header says " + n + " images of " + h + "x" + w
                            + " but the data ends inside image " + i, e);
                }
                images.add(px);
            }
            dims[0] = count;
            dims[1] = h;
            dims[2] = w;
            return images;
        } catch (EOFException e) {
            throw new DatasetException(file + ": truncated idx header", e);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read idx file: " + e.getMessage(), e);
        }
    }

    /** Labels of an idx1-ubyte file. */
    public static int[] readLabels(Path file, int limit) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != MAGIC_LABELS) {
                throw new DatasetException(file + ": magic number 0x" + String.format("%08x", magic)
                        + " is not that of an idx labels file (expected 0x00000801, unsigned bytes, 1 dim)");
            }
            int n = in.readInt();
            int count = limit > 0 ? Math.min(limit, n) : n;
            byte[] raw = new byte[count];
            try {
                in.readFully(raw);
            } catch (EOFException e) {
                throw new DatasetException(file + ": truncated, header says " + n + " labels", e);
            }
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = raw[i] & 0xFF;
            }
            return labels;
        } catch (EOFException e) {
            throw new DatasetException(file + ": truncated idx header", e);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read idx file: " + e.getMessage(), e);
        }
    }

    /**
     * Finds an idx file in {@code dir} by its usual names: {@code base}, {@code base.gz}, and the
     * variant with a dot before "idx" ({@code train-images.idx3-ubyte}).
     */
    public static Path find(Path dir, String base) {
        String dotted = base.replace("-idx", ".idx");
        for (String name : new String[] {base + ".gz", base, dotted + ".gz", dotted}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException(file + ": no such file");
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        // Decide by content, not by name: gzip streams start with 1f 8b.
        InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)) : raw;
        return new DataInputStream(in);
    }
}
