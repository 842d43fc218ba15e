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

    /**
     * A one-step ResNet19 with ch = 2 on 8 synthetic modes (16 px), batch 8, one critic step, under
     * {@code loss}, {@code penalty} and the discriminator normaliser {@code dNorm}; every step logged,
     * no EMA, no metrics, no samples or checkpoints during the run.
     */
    public static TrainConfig resnet19(String loss, String penalty, String dNorm) {
        return TrainConfig.fromJson("""
                {"model": "resnet19", "data": "synthetic:8?perMode=40", "steps": 1, "batch": 8, "nCritic": 1,
                 "logEvery": 1, "sampleEvery": 100, "checkpointEvery": 100, "sampleCount": 4, "emaDecay": 0,
                 "loss": "%s", "penalty": "%s", "eval": {"metrics": ""},
                 "resnet19": {"gWidth": 2, "dWidth": 2, "latentDim": 8, "dNorm": "%s"}}""".formatted(loss, penalty, dNorm));
    }

    /** A one-step ProGAN straight at 16 px (1/64 of the paper's feature maps, latent 16) on 8 synthetic modes, batch 8. */
    public static TrainConfig progan() {
        TrainConfig p = new TrainConfig();
        p.model = "progan";
        p.data = "synthetic:8?perMode=8";
        p.resolution = 16;
        p.steps = 1;
        p.batch = 8;
        p.progan.minibatch = new java.util.TreeMap<>(java.util.Map.of(4, 8));
        p.progan.fmapScale = 1.0 / 64;
        p.progan.latentSize = 16;
        p.sampleCount = 4;
        p.eval.metrics = "";
        return p;
    }

    /** A one-step FastGAN at 64 px (its smallest size; widths 2, latent 8) on 4 synthetic modes, no metrics. */
    public static TrainConfig fastgan() {
        TrainConfig c = new TrainConfig();
        c.model = "fastgan";
        c.data = "synthetic:4?size=64&perMode=4";
        c.resolution = 64;
        c.steps = 1;
        c.sampleCount = 4;
        c.eval.metrics = "";
        c.fastgan.gWidth = 2;
        c.fastgan.dWidth = 2;
        c.fastgan.decoderWidth = 2;
        c.fastgan.latentDim = 8;
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
