package dev.ganlab.cli;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.train.TrainConfig;
import org.junit.jupiter.api.Test;

/** The train command's note on ProGAN runs too short to finish growing. */
class TrainCommandTest {

    @Test
    void aProganRunThatStopsBeforeItHasGrownGetsANoteWithTheStepsGrowingTakes() {
        TrainConfig c = new TrainConfig();
        c.model = "progan";
        c.resolution = 64;
        TrainConfig r = c.resolved();
        String note = TrainCommand.growthNote(r);
        // Paper schedule to 64 px: 4 px 800k images at batch 128 (6,250 steps); 8 and 16 px 1.6M each at
        // 128 (12,500 each); 32 px 1.6M at 64 (25,000); the 64 px fade-in 800k at 32 (25,000).
        assertTrue(note != null && note.contains("6,400,000 images = 81,250 steps") && note.contains("step 2,000"),
                note);
        assertTrue(note.contains("progan.fadeInImages (800,000)"), note);

        c.steps = 81_250;
        assertNull(TrainCommand.growthNote(c.resolved()), "a run long enough to grow needs no note");
        TrainConfig dcgan = new TrainConfig();
        assertNull(TrainCommand.growthNote(dcgan.resolved()));
    }
}
