package dev.ganlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchTest {

    @TempDir Path tmp;

    @Test
    void busyTimeIsTheUnionOfOperatorIntervals() throws Exception {
        Path trace = tmp.resolve("t.json");
        // [0,10] and [5,12] overlap -> 12; [20,25] -> 5; nested [21,22] adds nothing; an event without dur is ignored
        Files.writeString(trace, "[{\"name\":\"a\",\"ph\":\"X\",\"ts\":0,\"dur\":10},"
                + "{\"name\":\"b\",\"ph\":\"X\",\"ts\":5,\"dur\":7},{\"name\":\"c\",\"ph\":\"X\",\"ts\":20,\"dur\":5},"
                + "{\"name\":\"d\",\"ph\":\"X\",\"ts\":21,\"dur\":1},{\"name\":\"m\",\"ph\":\"i\",\"ts\":30}]");
        assertEquals(17.0, ProfileTrace.busyMicros(trace), 1e-9);
    }

    @Test
    void flopCountOfADcganStepMatchesTheArchitecture() {
        int r = 16;
        int c = 1;
        int b = 4;
        Path trace = tmp.resolve("kept-trace.json");
        TrainStepBenchmark.Result res = TrainStepBenchmark.run(new TrainStepBenchmark.Options("dcgan", r, b, 2, 1, c, 1,
                trace));
        // DCGAN defaults: latent 100, generator width 128, discriminator widths 16..128.
        int w = 128;
        int s = r / 4;
        // The two upsampling convs run as 4x4 transposed convolutions of their input
        // (Conv2d.optUpsample2x): every input pixel meets 16 taps, 16 H W C_in C_out.
        double g = 100.0 * w * s * s + 16.0 * s * s * w * w + 16.0 * (2 * s) * (2 * s) * w * (w / 2)
                + (double) r * r * (w / 2) * c * 9;
        double d = 0;
        int size = r;
        int in = c;
        int out = 16;
        for (int i = 0; i < 4; i++) {
            size = (size + 2 - 3) / 2 + 1;
            d += (double) size * size * out * in * 9;
            in = out;
            out *= 2;
        }
        d += (double) in * size * size;
        // D step: G forward without graph (x1) on b images, D on the joint 2b batch with backward (x3);
        // G step: G forward and backward (x3), D on the joint 2b batch with grad mode on (x3).
        double expected = 2.0 * b * (g * 1 + d * 2 * 3 + g * 3 + d * 2 * 3);
        assertEquals(expected / 1e9, res.gflopPerStep(), 1e-9);
        assertEquals(res.arraysAfterWarmup(), res.arraysEnd(), "live arrays grew during the timed steps");
        assertTrue(res.msPerStep() > 0 && res.imagesPerSecond() > 0 && res.peakGflops() > 0);
        assertTrue(res.outsideEngineFraction() >= 0 && res.outsideEngineFraction() < 1, res.report());
        assertTrue(ProfileTrace.busyMicros(trace) > 0, "--trace keeps the profiled steps' operator events");
        // Parameter totals the peers are checked against (PyTorch-GAN's DCGAN as the bench builds it):
        // G: Linear(100 -> w s s), BN(w), conv3x3 w -> w, BN(w), conv3x3 w -> w/2, BN(w/2), conv3x3 w/2 -> c.
        long gParams = (100L + 1) * w * s * s + 2 * w + (9L * w + 1) * w + 2 * w + (9L * w + 1) * (w / 2) + 2 * (w / 2)
                + (9L * (w / 2) + 1) * c;
        // D: conv3x3 stride 2 of c -> 16 -> 32 -> 64 -> 128, BN after all but the first, Linear(128 * 1 * 1 -> 1).
        long dParams = (9L * c + 1) * 16 + (9L * 16 + 1) * 32 + 2 * 32 + (9L * 32 + 1) * 64 + 2 * 64
                + (9L * 64 + 1) * 128 + 2 * 128 + (128L * size * size + 1);
        assertEquals(gParams, res.generatorParameters());
        assertEquals(dParams, res.discriminatorParameters());
    }

    @Test
    void badOptionsAreNamed() {
        UserError e = assertThrows(UserError.class,
                () -> new TrainStepBenchmark.Options("stylegan", 32, 8, 1, 1, 1, 0));
        assertTrue(e.getMessage().contains("stylegan"));
        UserError noProfile = assertThrows(UserError.class,
                () -> new TrainStepBenchmark.Options("dcgan", 32, 8, 1, 1, 1, 0, tmp.resolve("t.json")));
        assertTrue(noProfile.getMessage().contains("--profile-steps"), noProfile.getMessage());
    }
}
