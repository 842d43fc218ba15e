package dev.ganlab.models.progan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.ganlab.core.GanLab;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

/** The per-layer report of the equalized learning rate on a small ProGAN generator. */
class EqualizedLrTest {

    @Test
    void everyEqualizedLayerIsListedWithItsHeConstantAndRelativeAdamSteps() {
        GanLab.init();
        GanLab.seedEngine(3);
        ProganModel model = new ProganModel(ProganScheduleTest.smallConfig()); // 4 -> 16 px, nf 16, 16, 8
        try (NDManager m = GanLab.newManager()) {
            model.initializeGenerator(model.generator(), m);
            Table t = EqualizedLr.layers(model.generator(), 1e-3);
            // Dense + stem conv + toRGB4, then per block (8, 16 px) two convs and a toRGB.
            assertEquals(3 + 2 * 3, t.rowCount(), t.print());
            for (int i = 0; i < t.rowCount(); i++) {
                long fanIn = t.longColumn("fan_in").get(i);
                double he = t.doubleColumn("he_constant").get(i);
                String layer = t.stringColumn("layer").get(i);
                double gain = layer.contains("toRGB") ? ProganGenerator.TO_RGB_GAIN
                        : fanIn == ProganScheduleTest.smallConfig().latentSize ? ProganGenerator.DENSE_GAIN : Math.sqrt(2);
                assertEquals(gain / Math.sqrt(fanIn), he, 1e-6, layer);
                double stored = t.doubleColumn("stored_std").get(i);
                // The sample std of n N(0, 1) values has standard error about 1 / sqrt(2n): allow 5 of them.
                long n = fanIn * 3; // at least 3 outputs per layer here
                assertEquals(1.0, stored, 5 / Math.sqrt(2.0 * n), layer + ": equalized weights are stored N(0, 1)");
                assertEquals(stored * he, t.doubleColumn("effective_std").get(i), 1e-9, layer);
                assertEquals(1e-3 / stored, t.doubleColumn("adam_step_equalized").get(i), 1e-12, layer);
                assertEquals(1e-3 / (stored * he), t.doubleColumn("adam_step_he_init").get(i), 1e-12, layer);
            }
            // A 3x3 conv on 16 channels has fan-in 144.
            assertTrue(t.longColumn("fan_in").asList().contains(144L), t.print());
        }
    }
}
