package dev.ganlab.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {

    @Test
    void float32HeaderFollowsVersion1AndRoundTrips(@TempDir Path dir) throws Exception {
        FeatureMatrix m = new FeatureMatrix(3, 2, new double[] {1, 2, 3, 4.5, -5, 6});
        Path f = dir.resolve("x.npy");
        Npy.writeFloat32(f, m);
        byte[] bytes = Files.readAllBytes(f);
        assertEquals((byte) 0x93, bytes[0]);
        assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, bytes[6]);
        assertEquals(0, bytes[7]);
        int headerLen = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
        assertEquals(0, (10 + headerLen) % 64, "data must start on a 64-byte boundary");
        String header = new String(bytes, 10, headerLen, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"), header);
        assertTrue(header.endsWith("\n"));
        assertEquals(10 + headerLen + 6 * 4, bytes.length);
        Npy.Array back = Npy.read(f);
        assertArrayEquals(new int[] {3, 2}, back.shape());
        assertArrayEquals(m.data(), back.values(), 0);
    }

    @Test
    void readsNumpyWrittenFixtures() {
        Npy.Array a = Fixtures.npy("features_a.npy");   // written by numpy, float64
        assertArrayEquals(new int[] {300, 32}, a.shape());
        Npy.Array img = Fixtures.npy("tiny_input_grey20.npy");   // uint8
        assertArrayEquals(new int[] {3, 1, 20, 20}, img.shape());
    }
}
