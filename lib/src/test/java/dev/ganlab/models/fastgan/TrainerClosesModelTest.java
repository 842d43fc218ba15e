package dev.ganlab.models.fastgan;

import dev.ganlab.Slow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.train.GanTrainer;
import dev.ganlab.train.TrainConfig;
import dev.ganlab.train.TrainedGenerator;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing a trainer or a loaded generator releases the model's perceptual network (issue 13, item 8). */
class TrainerClosesModelTest {

    @TempDir Path tmp;

    @Test

    @Slow
    void closingTheTrainerAndTheLoadedGeneratorReleasesThePerceptualNetwork() throws Exception {
        Path net = ReconstructionLossTest.writeMeanAbsoluteDistanceModule(tmp.resolve("mad.pt"));
        TrainConfig c = dev.ganlab.TinyRuns.fastgan();
        c.fastgan.reconLoss = "lpips=" + net;
        Path dir = tmp.resolve("run");
        FastganModel model;
        try (GanTrainer t = GanTrainer.start(c, dir)) {
            model = (FastganModel) t.model();
            assertTrue(model.reconstructionLoss().holdsModule(), "the run loaded " + net);
            t.checkpoint();
        }
        assertFalse(model.reconstructionLoss().holdsModule(), "GanTrainer.close() left the perceptual network open");

        TrainedGenerator g = TrainedGenerator.load(dir);
        FastganModel loaded = (FastganModel) g.model();
        assertTrue(loaded.reconstructionLoss().holdsModule());
        g.close();
        assertFalse(loaded.reconstructionLoss().holdsModule(), "TrainedGenerator.close() left it open");
    }
}
