package dev.ganlab.models.fastgan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.ganlab.core.GanLab;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.train.ReconstructionPanel;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The reconstruction figure shows the inputs, the decoders' outputs and the distances of the training loss. */
class ReconstructionPanelTest {

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
        JniUtils.setNumThreads(1); // small ops on a shared 2-core machine, as FastganModelTest
    }

    @AfterAll
    static void threads() {
        JniUtils.setNumThreads(GanLab.threads());
    }

    static ImageDataset randomImages(int n, int side, long seed) {
        Random rng = new Random(seed);
        float[] v = new float[n * 3 * side * side];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextFloat() * 2 - 1;
        }
        return ImageDataset.fromFloats(v, n, 3, side, side, "random");
    }

    @Test
    void rowsAreTheInputsTheirReconstructionsAndTheChosenQuarter() {
        FastganModel model = new FastganModel(FastganModelTest.small(), 3, 64);
        ImageDataset images = randomImages(5, 64, 3);
        int n = 3;
        int q = 1; // top-right
        try (NDManager m = GanLab.newManager()) {
            GanLab.seedEngine(11);
            model.initializeDiscriminator(m);
            ReconstructionPanel panel = ReconstructionPanel.of(model, images, n, q);

            // The same reconstructions computed here directly.
            NDArray x = images.toTensor(m, 0, n);
            Reconstructions r = model.reconstruct(new ParameterStore(m, false), x, q, false);
            ImageDataset full = ImageDataset.fromTensor(r.full(), "full"); // 64 px at 64 px: no enlargement
            ImageDataset part = ImageDataset.fromTensor(r.part(), "part"); // 32 px, drawn 2x

            assertEquals(List.of(n, n, n, n), List.of(panel.inputs().size(), panel.full().size(),
                    panel.quadrants().size(), panel.parts().size()));
            for (int i = 0; i < n; i++) {
                BufferedImage in = images.image(i);
                BufferedImage fullRef = full.image(i);
                BufferedImage partRef = part.image(i);
                for (int y = 0; y < 64; y++) {
                    for (int xx = 0; xx < 64; xx++) {
                        assertEquals(in.getRGB(xx, y), panel.inputs().get(i).getRGB(xx, y));
                        assertEquals(fullRef.getRGB(xx, y), panel.full().get(i).getRGB(xx, y));
                        // top-right quarter of the input, each pixel drawn as a 2x2 block
                        assertEquals(in.getRGB(32 + xx / 2, y / 2), panel.quadrants().get(i).getRGB(xx, y),
                                "quarter pixel " + xx + "," + y);
                        assertEquals(partRef.getRGB(xx / 2, y / 2), panel.parts().get(i).getRGB(xx, y));
                    }
                }
            }
            ReconstructionLoss loss = model.reconstructionLoss();
            assertEquals(loss.distance(r.full(), r.fullTarget()).getFloat(), panel.fullDistance(), 1e-6);
            assertEquals(loss.distance(r.part(), r.partTarget()).getFloat(), panel.partDistance(), 1e-6);
            assertTrue(panel.fullDistance() > 0 && panel.partDistance() > 0, "an untrained decoder is not exact");
            assertEquals("mse", panel.distance());
            assertTrue(panel.toString().contains("top-right"), panel.toString());

            BufferedImage picture = panel.render();
            assertTrue(picture.getWidth() >= n * 64 && picture.getHeight() >= 4 * 64,
                    picture.getWidth() + "x" + picture.getHeight());
        }
    }

    @Test
    void badCountsAndQuadrantsAreNamed() {
        FastganModel model = new FastganModel(FastganModelTest.small(), 3, 64);
        ImageDataset images = randomImages(2, 64, 4);
        for (int n : new int[] {0, 3}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ReconstructionPanel.of(model, images, n, 0));
            assertTrue(e.getMessage().contains("n " + n) && e.getMessage().contains("1..2"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReconstructionPanel.of(model, images, 1, 4));
        assertTrue(e.getMessage().contains("quadrant 4"), e.getMessage());
    }
}
