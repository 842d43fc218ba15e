package dev.ganlab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10ReaderTest {

    @TempDir Path dir;

    /** A batch file of n records: label i % 10, red plane filled with i, green 100, blue 200. */
    static byte[] batch(int n) {
        byte[] b = new byte[n * Cifar10Reader.RECORD];
        for (int i = 0; i < n; i++) {
            int o = i * Cifar10Reader.RECORD;
            b[o] = (byte) (i % 10);
            for (int k = 0; k < 1024; k++) {
                b[o + 1 + k] = (byte) i;
                b[o + 1 + 1024 + k] = 100;
                b[o + 1 + 2048 + k] = (byte) 200;
            }
        }
        return b;
    }

    @Test
    void readsPlanarRecordsAndLabels() throws IOException {
        for (int i = 1; i <= 5; i++) {
            Files.write(dir.resolve("data_batch_" + i + ".bin"), batch(3));
        }
        Files.write(dir.resolve("test_batch.bin"), batch(4));
        ImageDataset train = Datasets.load("cifar10:" + dir);
        assertEquals(15, train.size());
        assertEquals(3, train.channels());
        assertEquals(2, train.label(2));
        assertEquals(2, train.pixels(2)[5] & 0xFF, "red plane");
        assertEquals(100, train.pixels(2)[1024 + 5] & 0xFF, "green plane");
        assertEquals(200, train.pixels(2)[2048 + 5] & 0xFF, "blue plane");
        assertEquals("airplane", train.classNames().get(0));
        ImageDataset test = Datasets.load("cifar10:" + dir + "?split=test");
        assertEquals(4, test.size());
        // RGB picture keeps the planes: pixel (0, 0) of image 2 is (2, 100, 200).
        int rgb = train.image(2).getRGB(0, 0);
        assertEquals(2, (rgb >> 16) & 0xFF);
        assertEquals(100, (rgb >> 8) & 0xFF);
        assertEquals(200, rgb & 0xFF);
    }

    @Test
    void truncatedBatchIsNamed() throws IOException {
        Files.write(dir.resolve("test_batch.bin"), java.util.Arrays.copyOf(batch(2), Cifar10Reader.RECORD + 10));
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.load("cifar10:" + dir + "?split=test"));
        assertTrue(e.getMessage().contains("test_batch.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("3073"), e.getMessage());
    }

    @Test
    void missingFolderAndBatchAreNamed() {
        Path none = dir.resolve("nope");
        assertTrue(assertThrows(DatasetException.class, () -> Datasets.load("cifar10:" + none)).getMessage()
                .contains(none.toString()));
        assertTrue(assertThrows(DatasetException.class, () -> Datasets.load("cifar10:" + dir)).getMessage()
                .contains("data_batch_1.bin"));
    }
}
