package dev.ganlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImagesTest {

    @Test
    void areaDownscaleAveragesBlocks() {
        // 1 channel 4x4 -> 2x2: each output is the mean of a 2x2 block.
        float[] src = {0, 2, 4, 6, 2, 4, 6, 8, 10, 10, 20, 20, 10, 10, 20, 20};
        float[] out = Images.resize(src, 1, 4, 4, 2, 2, Images.Filter.AREA);
        assertArrayEquals(new float[] {2, 6, 10, 20}, out, 1e-6f);
    }

    @Test
    void areaDownscaleByNonIntegerFactorWeightsOverlap() {
        // 3 -> 2 pixels: output 0 covers [0, 1.5): (1*a + 0.5*b)/1.5.
        float[] out = Images.resize(new float[] {3, 6, 9}, 1, 1, 3, 1, 2, Images.Filter.AREA);
        assertEquals((3 + 0.5f * 6) / 1.5f, out[0], 1e-5f);
        assertEquals((0.5f * 6 + 9) / 1.5f, out[1], 1e-5f);
    }

    @Test
    void bilinearUpscaleUsesHalfPixelCentres() {
        // align_corners=False: 2 -> 4 gives [a, 0.75a+0.25b, 0.25a+0.75b, b].
        float[] out = Images.resize(new float[] {0, 8}, 1, 1, 2, 1, 4, Images.Filter.BILINEAR);
        assertArrayEquals(new float[] {0, 2, 6, 8}, out, 1e-6f);
    }

    @Test
    void centerCropTakesTheMiddle() {
        byte[] px = new byte[2 * 3 * 5];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) i;
        }
        byte[] c = Images.centerCrop(px, 2, 3, 5, 3, 3);
        // channel 0 rows 0..2, cols 1..3; channel 1 starts at 15
        assertArrayEquals(new byte[] {1, 2, 3, 6, 7, 8, 11, 12, 13, 16, 17, 18, 21, 22, 23, 26, 27, 28}, c);
    }

    @Test
    void transparencyIsCompositedOnWhite() {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x00000000);          // fully transparent black -> white
        img.setRGB(1, 0, (128 << 24) | 0xFF0000); // half-transparent red -> (255, 127, 127)
        byte[] px = Images.fromBufferedImage(img, 3);
        assertEquals(255, px[0] & 0xFF);
        assertEquals(255, px[2] & 0xFF);
        assertEquals(255, px[1] & 0xFF, "red of half red on white");
        assertEquals(127, px[3] & 0xFF, "green of half red on white");
        assertEquals(127, px[5] & 0xFF, "blue of half red on white");
    }

    @Test
    void byteRastersOfDecodedFilesGiveTheValuesSetInThem() {
        // ImageIO's readers return 3BYTE_BGR (RGB files) and 4BYTE_ABGR (RGBA PNG); both are read from the
        // raster's bytes. Values written with setRGB come back planar, alpha composited on white.
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR}) {
            BufferedImage img = new BufferedImage(5, 3, type);
            int[] argb = new int[15];
            for (int i = 0; i < 15; i++) {
                argb[i] = r.nextInt();
                img.setRGB(i % 5, i / 5, argb[i]);
            }
            byte[] px = Images.fromBufferedImage(img, 3);
            for (int i = 0; i < 15; i++) {
                int a = type == BufferedImage.TYPE_4BYTE_ABGR ? argb[i] >>> 24 : 255;
                for (int c = 0; c < 3; c++) {
                    int v = (argb[i] >> (16 - 8 * c)) & 0xFF;
                    int expected = (v * a + 255 * (255 - a) + 127) / 255;
                    assertEquals(expected, px[c * 15 + i] & 0xFF, "type " + type + " pixel " + i + " channel " + c);
                }
            }
        }
    }

    @Test
    void lumaFollowsBt601() {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0x00FF00);
        assertEquals(Math.round(0.587f * 255), Images.fromBufferedImage(img, 1)[0] & 0xFF);
    }

    @Test
    void tensorRoundTripQuantisesLikeImageFiles() {
        ImageDataset ds = ImageDataset.fromFloats(new float[] {-1f, -0.999f, 0f, 1f, 2f, Float.NaN}, 1, 1, 1, 6, "t");
        byte[] p = ds.pixels(0);
        assertArrayEquals(new int[] {0, 0, 128, 255, 255, 0},
                new int[] {p[0] & 0xFF, p[1] & 0xFF, p[2] & 0xFF, p[3] & 0xFF, p[4] & 0xFF, p[5] & 0xFF});
        float[] back = new float[6];
        ds.copyScaled(0, back, 0, false);
        assertEquals(-1f, back[0], 1e-6f);
        assertEquals(1f, back[3], 1e-6f);
        ds.copyScaled(0, back, 0, true);
        assertEquals(1f, back[2], 1e-6f, "flipped row: value of column 3 lands in column 2");
    }

    @Test
    void aRangeOfImagesBecomesOneBatchInMinusOneToOne() {
        byte[][] px = {{0, 1, 2, 3, 4, 5}, {(byte) 255, (byte) 128, 0, 10, 20, 30}, {7, 7, 7, 7, 7, 7}};
        ImageDataset ds = new ImageDataset("three", 1, 2, 3, java.util.List.of(px), null, java.util.List.of());
        dev.ganlab.core.GanLab.init();
        try (ai.djl.ndarray.NDManager m = dev.ganlab.core.GanLab.newManager()) {
            ai.djl.ndarray.NDArray x = ds.toTensor(m, 1, 3);
            assertEquals(new ai.djl.ndarray.types.Shape(2, 1, 2, 3), x.getShape());
            float[] v = x.toFloatArray();
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < 6; k++) {
                    assertEquals((px[i + 1][k] & 0xFF) / 127.5f - 1f, v[i * 6 + k], 1e-6f, "image " + (i + 1) + " value " + k);
                }
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> ds.toTensor(null, 2, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> ds.toTensor(null, 1, 1));
    }

    @Test
    void toTensorIsTheInverseOfFromTensor() {
        // Two RGB 1x2 images with pixel values spread over 0..255.
        byte[][] px = {{0, 10, 20, 30, (byte) 200, (byte) 255}, {(byte) 255, 1, 2, 3, 4, 5}};
        ImageDataset ds = new ImageDataset("t", 3, 1, 2, java.util.List.of(px[0], px[1]), null, java.util.List.of());
        dev.ganlab.core.GanLab.init();
        try (ai.djl.ndarray.NDManager m = dev.ganlab.core.GanLab.newManager()) {
            ai.djl.ndarray.NDArray t = ds.toTensor(m);
            assertEquals(new ai.djl.ndarray.types.Shape(2, 3, 1, 2), t.getShape());
            assertEquals(-1f, t.getFloat(0, 0, 0, 0), 1e-6f);
            assertEquals(1f, t.getFloat(0, 2, 0, 1), 1e-6f, "channel 2, column 1 of image 0 is 255");
            ImageDataset back = ImageDataset.fromTensor(t, "back");
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(px[i], back.pixels(i), "image " + i);
            }
        }
    }
}
