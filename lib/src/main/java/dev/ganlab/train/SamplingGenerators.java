package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.ganlab.core.GanLab;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.data.Permutations;
import dev.ganlab.models.GanModel;

import java.util.ArrayList;
import java.util.List;

/**
 * A run's generators as samplers: the trained generator and, when EMA is on ({@code emaDecay > 0}), its
 * exponential moving average ({@link Ema}) with batch-norm statistics of its own. Whatever samples, is
 * scored or is checkpointed from the EMA generator asks this class for it, so the statistics are
 * re-estimated ({@link Ema#recalibrateBatchNorm}) at most once per step and only when needed.
 */
final class SamplingGenerators {

    private final TrainConfig cfg;
    private final GanModel model;
    private final ParameterStore ps;
    private final NDManager root;
    private final Block trained;
    /** The EMA generator, or null without EMA. */
    private final Block emaGenerator;
    private final Ema ema;
    /** The step at which the EMA generator's batch-norm statistics were last re-estimated, or -1. */
    private long recalibratedAt = -1;
    /** Latents of the last re-estimation (0: none, or a generator without batch norm). */
    private int recalibrationLatents;

    /**
     * Builds and initialises the EMA generator (when on) as a copy of {@code trained}. The caller fixes
     * when this runs: building draws initial weights from the engine's generator before the copy.
     */
    SamplingGenerators(TrainConfig cfg, GanModel model, Block trained, ParameterStore ps, NDManager root) {
        this.cfg = cfg;
        this.model = model;
        this.ps = ps;
        this.root = root;
        this.trained = trained;
        if (cfg.emaDecay > 0) {
            this.emaGenerator = model.newGenerator();
            model.initializeGenerator(emaGenerator, root);
            this.ema = new Ema(trained, emaGenerator, cfg.emaDecay, cfg.emaHalfLifeKimg);
            ema.copyFromSource();
        } else {
            this.emaGenerator = null;
            this.ema = null;
        }
    }

    Block trained() {
        return trained;
    }

    /** The EMA generator as it is (statistics not re-estimated), or null without EMA. */
    Block ema() {
        return emaGenerator;
    }

    boolean hasEma() {
        return emaGenerator != null;
    }

    /** Moves the average after training step {@code t}, which showed {@code images} images (the half-life clock). */
    void update(long t, int images) {
        if (ema != null) {
            ema.update(t, images);
        }
    }

    /** The EMA generator with statistics for its weights at {@code step} when EMA is on, else the trained one. */
    Block forSampling(long step) {
        recalibrate(step);
        return emaGenerator != null ? emaGenerator : trained;
    }

    /** Latents used by the last re-estimation of the EMA generator's batch-norm statistics (0: none). */
    int recalibrationLatents() {
        return recalibrationLatents;
    }

    /**
     * Gives the EMA generator batch-norm statistics of its own weights unless that was done at this step
     * already or {@code emaBatchNormLatents} is 0. Uses the run's fixed recalibration seed and reseeds
     * nothing the training steps rely on (each step seeds its own streams).
     */
    private void recalibrate(long step) {
        if (emaGenerator == null || cfg.emaBatchNormLatents == 0 || recalibratedAt == step) {
            return;
        }
        recalibrationLatents = Ema.recalibrateBatchNorm(model, emaGenerator, ps, root, cfg.emaBatchNormLatents,
                model.batchSize(cfg.batch), Ema.recalibrationSeed(cfg.seed));
        recalibratedAt = step;
    }

    /**
     * {@code n} generated images at {@code step} (EMA generator when {@code useEma} and EMA is on) from
     * latents drawn with {@code seed}, in batches of 64, as 8-bit images for metrics or files.
     */
    ImageDataset sample(int n, boolean useEma, long seed, long step) {
        GanLab.noGradOnThisThread();
        Block g = useEma && emaGenerator != null ? forSampling(step) : trained;
        List<ImageDataset> parts = new ArrayList<>();
        int b = 64;
        for (int i = 0; i < n; i += b) {
            try (NDManager sm = root.newSubManager(); NDScope scope = new NDScope()) {
                GanLab.seedEngine(Permutations.mix(seed, i));
                NDArray z = model.sampleLatent(sm, Math.min(b, n - i));
                parts.add(ImageDataset.fromTensor(model.generate(g, ps, z, false), "samples"));
            }
        }
        String bn = g == emaGenerator && recalibrationLatents > 0
                ? ", batch-norm statistics from " + recalibrationLatents + " latents" : "";
        return ImageDataset.concat(model.name() + " samples (step " + step + (useEma ? ", EMA" : "") + bn + ")", parts);
    }
}
