package dev.ganlab.train;

import dev.ganlab.TinyRuns;
import dev.ganlab.data.ImageDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Sampling in smaller generator forwards (high resolutions) gives the same latents, hence the same images. */
class SamplingChunkTest {

    @TempDir
    Path dir;

    @Test
    void smallerForwardsGiveTheSameImagesAsWholeLatentBlocks() {
        TrainConfig c = TinyRuns.dcgan();
        try (GanTrainer t = GanTrainer.start(c, dir.resolve("run"))) {
            t.step1();
            // 70 images: a whole block of 64 and a part block of 6; forwards of 5 cross both
            ImageDataset whole = t.generators().sample(70, true, 7, t.step(), SamplingGenerators.LATENT_BLOCK);
            ImageDataset chunked = t.generators().sample(70, true, 7, t.step(), 5);
            assertEquals(70, chunked.size());
            for (int i = 0; i < 70; i++) {
                assertArrayEquals(whole.pixels(i), chunked.pixels(i), "image " + i);
            }
            // and another seed gives other images, so the comparison above can fail
            ImageDataset other = t.generators().sample(70, true, 8, t.step(), 5);
            assertEquals(false, java.util.Arrays.equals(whole.pixels(0), other.pixels(0)));
        }
    }

    @Test
    void forwardsShrinkWithThePixelsAbove128() {
        assertEquals(64, SamplingGenerators.forwardChunk(28));
        assertEquals(64, SamplingGenerators.forwardChunk(128));
        assertEquals(16, SamplingGenerators.forwardChunk(256));
        assertEquals(4, SamplingGenerators.forwardChunk(512));
        assertEquals(1, SamplingGenerators.forwardChunk(1024));
    }
}
