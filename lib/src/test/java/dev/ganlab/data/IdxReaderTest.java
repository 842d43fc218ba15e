package dev.ganlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir Path dir;

    /** An idx images file of n images h x w where pixel (i, k) = (i * 7 + k) mod 256. */
    static byte[] images(int magic, int n, int h, int w) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        out.writeInt(magic);
        out.writeInt(n);
        out.writeInt(h);
        out.writeInt(w);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < h * w; k++) {
                out.writeByte((i * 7 + k) & 0xFF);
            }
        }
        return buf.toByteArray();
    }

    static byte[] labels(int n) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        out.writeInt(IdxReader.MAGIC_LABELS);
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeByte(i % 10);
        }
        return buf.toByteArray();
    }

    static void gz(Path file, byte[] content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content);
        }
    }

    @Test
    void readsRawAndGzipIdenticallyWhateverTheName() throws IOException {
        byte[] content = images(IdxReader.MAGIC_IMAGES, 5, 3, 4);
        Path raw = dir.resolve("a-idx3-ubyte");
        Files.write(raw, content);
        Path gzipped = dir.resolve("b-idx3-ubyte"); // gzip content without a .gz name: detected by magic bytes
        gz(gzipped, content);
        int[] d1 = new int[3];
        int[] d2 = new int[3];
        List<byte[]> a = IdxReader.readImages(raw, d1, 0);
        List<byte[]> b = IdxReader.readImages(gzipped, d2, 0);
        assertArrayEquals(new int[] {5, 3, 4}, d1);
        assertArrayEquals(d1, d2);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(a.get(i), b.get(i));
            assertEquals((byte) ((i * 7 + 11) & 0xFF), a.get(i)[11]);
        }
    }

    @Test
    void limitReadsOnlyThatMany() throws IOException {
        Path f = dir.resolve("x");
        Files.write(f, images(IdxReader.MAGIC_IMAGES, 10, 2, 2));
        int[] d = new int[3];
        assertEquals(4, IdxReader.readImages(f, d, 4).size());
        assertEquals(4, d[0]);
    }

    @Test
    void wrongMagicNamesFileAndNumber() throws IOException {
        Path f = dir.resolve("labels-as-images");
        Files.write(f, labels(3));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(f, new int[3], 0));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("0x00000801"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 0x00000803"), e.getMessage());
    }

    @Test
    void truncatedImagesFileIsReportedWithTheImageIndex() throws IOException {
        byte[] full = images(IdxReader.MAGIC_IMAGES, 4, 5, 5);
        Path f = dir.resolve("cut.gz");
        gz(f, Arrays.copyOf(full, full.length - 10));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(f, new int[3], 0));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("image 3"), e.getMessage());
    }

    @Test
    void labelsRoundTrip() throws IOException {
        Path f = dir.resolve("l");
        Files.write(f, labels(25));
        int[] l = IdxReader.readLabels(f, 0);
        assertEquals(25, l.length);
        assertEquals(4, l[14]);
    }

    @Test
    void mnistFolderLoadsThroughTheSpecAndChecksCounts() throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte"), images(IdxReader.MAGIC_IMAGES, 12, 28, 28));
        gz(dir.resolve("train-labels-idx1-ubyte.gz"), labels(12));
        ImageDataset ds = Datasets.load("mnist:" + dir);
        assertEquals(12, ds.size());
        assertEquals(28, ds.height());
        assertEquals(3, ds.label(3));
        // A labels file that disagrees with the images file is an error, not a silent truncation.
        gz(dir.resolve("train-labels-idx1-ubyte.gz"), labels(11));
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.load("mnist:" + dir));
        assertTrue(e.getMessage().contains("12 images but"), e.getMessage());
        DatasetException missing = assertThrows(DatasetException.class, () -> Datasets.load("mnist:" + dir + "?split=test"));
        assertTrue(missing.getMessage().contains("t10k-images-idx3-ubyte"), missing.getMessage());
    }
}
