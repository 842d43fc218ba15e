package dev.ganlab;

import dev.ganlab.train.GanTrainer;
import dev.ganlab.train.TrainConfig;

import java.nio.file.Path;

/** Run folders for tests that need a trained run (a checkpoint to load), not a trained model. */
public final class TinyRuns {

    private TinyRuns() {}

    /** A one-step DCGAN on 8 synthetic modes (16 px) with narrow networks, no metrics. */
    public static TrainConfig dcgan() {
        return TrainConfig.fromJson("""
                {"data": "synthetic:8?perMode=8", "steps": 1, "batch": 8, "sampleCount": 4,
                 "dcgan": {"gWidth": 8, "dWidth": 8, "latentDim": 8}, "eval": {"metrics": ""}}""");
    }

    /** Starts {@code c} in {@code dir}, takes one step and checkpoints it. */
    public static void trainOneStep(TrainConfig c, Path dir) {
        try (GanTrainer t = GanTrainer.start(c, dir)) {
            t.step1();
            t.checkpoint();
        }
    }
}
