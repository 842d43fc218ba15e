package dev.ganlab;

import dev.ganlab.train.GanTrainer;
import dev.ganlab.train.TrainConfig;

import java.nio.file.Path;

/** Run folders for tests that need a trained run (a checkpoint to load), not a trained model. */
public final class TinyRuns {

    private TinyRuns() {}

    /** A one-step DCGAN on 8 synthetic modes (16 px) with narrow networks, no metrics. */
    public static TrainConfig dcgan() {
        TrainConfig c = new TrainConfig();
        c.data = "synthetic:8?perMode=8";
        c.steps = 1;
        c.batch = 8;
        c.sampleCount = 4;
        c.dcgan.gWidth = 8;
        c.dcgan.dWidth = 8;
        c.dcgan.latentDim = 8;
        c.eval.metrics = "";
        return c;
    }

    /** Starts {@code c} in {@code dir}, takes one step and checkpoints it. */
    public static void trainOneStep(TrainConfig c, Path dir) {
        try (GanTrainer t = GanTrainer.start(c, dir)) {
            t.step1();
            t.checkpoint();
        }
    }
}
