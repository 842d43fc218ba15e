package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.nn.Init;
import dev.ganlab.nn.Linear;
import org.junit.jupiter.api.Test;

/**
 * The EMA's half-life in images (stylegan2-ada's ema_kimg): beta = 0.5^(batch / (kimg * 1000)), so
 * the average keeps half the weight of a value after kimg thousand images whatever the batch size.
 */
class EmaHalfLifeTest {

    @Test
    void betaHalvesTheWeightAfterTheHalfLifeWhateverTheBatch() {
        double kimg = 10;
        for (int batch : new int[] {4, 16, 64, 100}) {
            double updates = kimg * 1000 / batch;
            assertEquals(0.5, Math.pow(Ema.halfLifeBeta(batch, kimg), updates), 2e-4,
                    "weight left after " + updates + " updates of " + batch + " images");
        }
        // The closed form itself: 0.5^(64 / 10000).
        assertEquals(Math.exp(Math.log(0.5) * 64 / 10000.0), Ema.halfLifeBeta(64, 10), 1e-7);
        // Two batches of 32 forget as much as one of 64.
        float b32 = Ema.halfLifeBeta(32, 10);
        assertEquals(Ema.halfLifeBeta(64, 10), b32 * b32, 1e-6);
    }

    @Test
    void anUpdateMovesTheAverageByOneMinusBetaWithNoWarmUp() {
        GanLab.init();
        try (NDManager m = GanLab.newManager()) {
            Linear g = Linear.builder().setUnits(3).optWeightInit(Init.normal(0, 1)).build();
            Linear e = Linear.builder().setUnits(3).optWeightInit(Init.normal(0, 1)).build();
            g.initialize(m, DataType.FLOAT32, new Shape(1, 2));
            e.initialize(m, DataType.FLOAT32, new Shape(1, 2));
            float[] src = g.getParameters().get("weight").getArray().toFloatArray();
            float[] old = e.getParameters().get("weight").getArray().toFloatArray();
            Ema ema = new Ema(g, e, 0.999f, 0.5f);
            int images = 128;
            ema.update(0, images); // update 0: the constant decay's warm-up would give beta 0.1
            double beta = Math.pow(0.5, images / 500.0);
            float[] now = e.getParameters().get("weight").getArray().toFloatArray();
            for (int i = 0; i < now.length; i++) {
                assertEquals(beta * old[i] + (1 - beta) * src[i], now[i], 1e-6, "weight[" + i + "]");
            }
        }
    }

    @Test
    void settingsAreCheckedNamingTheKey() {
        UserError neg = assertThrows(UserError.class, () -> Ema.checkSettings(0.999f, -1f));
        assertTrue(neg.getMessage().contains("emaHalfLifeKimg"), neg.getMessage());
        UserError off = assertThrows(UserError.class, () -> Ema.checkSettings(0f, 10f));
        assertTrue(off.getMessage().contains("emaHalfLifeKimg") && off.getMessage().contains("emaDecay"),
                off.getMessage());
        Ema.checkSettings(0f, 0f); // EMA off, no half-life: fine
    }
}
