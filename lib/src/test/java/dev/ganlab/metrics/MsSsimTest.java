package dev.ganlab.metrics;

import com.google.gson.JsonObject;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MsSsimTest {

    private static final JsonObject REF = Fixtures.reference().getAsJsonObject("msssim");

    @Test
    void imageWithItselfIsOne() {
        ImageDataset pair = Fixtures.images("msssim_rgb192.npy");
        MsSsim.Result r = MsSsim.compute(pair, 0, pair, 0);
        assertEquals(1.0, r.value(), 1e-12);
        assertEquals(5, r.scales());
    }

    @Test
    void matchesTheNumpyTranscriptionOfTensorFlowOnPerturbedPairs() {
        for (String name : List.of("rgb192", "rgb64", "grey28", "grey45x37", "inverted192")) {
            ImageDataset pair = Fixtures.images("msssim_" + name + ".npy");
            JsonObject ref = REF.getAsJsonObject(name);
            MsSsim.Result r = MsSsim.compute(pair, 0, pair, 1);
            assertEquals(ref.get("scales").getAsInt(), r.scales(), name);
            assertEquals(ref.get("msssim").getAsDouble(), r.value(), 1e-9, name);
        }
    }

    @Test
    void anticorrelatedStructureIsClippedToZero() {
        ImageDataset pair = Fixtures.images("msssim_inverted192.npy");
        assertEquals(0.0, MsSsim.compute(pair, 0, pair, 1).value());
    }

    @Test
    void smallImagePolicyUsesFewerScalesWithRenormalisedWeights() {
        assertEquals(5, MsSsim.scalesFor(161, 161));
        assertEquals(4, MsSsim.scalesFor(160, 160));
        assertEquals(2, MsSsim.scalesFor(28, 28));
        assertEquals(3, MsSsim.scalesFor(64, 64));
        assertEquals(0, MsSsim.scalesFor(10, 64));
        assertArrayEquals(MsSsim.WEIGHTS, MsSsim.weightsFor(5));
        double[] w2 = MsSsim.weightsFor(2);
        assertEquals(1.0, w2[0] + w2[1], 1e-12);
        assertEquals(0.0448 / (0.0448 + 0.2856), w2[0], 1e-12);
        byte[] tiny = new byte[8 * 8];
        assertThrows(UserError.class, () -> MsSsim.compute(tiny, tiny, 1, 8, 8));
    }

    @Test
    void diversityIsHigherForNearDuplicatesThanForIndependentImages() {
        Random r = new Random(4);
        byte[] base = new byte[32 * 32];
        r.nextBytes(base);
        List<byte[]> similar = new ArrayList<>();
        List<byte[]> different = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] s = base.clone();
            s[r.nextInt(s.length)] ^= 0x40;
            similar.add(s);
            byte[] d = new byte[32 * 32];
            r.nextBytes(d);
            different.add(d);
        }
        MsSsim.Diversity sim = MsSsim.diversity(new ImageDataset("similar", 1, 32, 32, similar, null, List.of()), 50, 1);
        MsSsim.Diversity dif = MsSsim.diversity(new ImageDataset("different", 1, 32, 32, different, null, List.of()), 50, 1);
        assertEquals(50, sim.pairs());
        assertEquals(2, sim.scales());
        assertTrue(sim.mean() > 0.95, "near duplicates: " + sim);
        assertTrue(dif.mean() < 0.2, "independent noise: " + dif);
    }
}
