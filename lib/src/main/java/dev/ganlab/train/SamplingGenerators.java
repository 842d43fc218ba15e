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

    /** Latents are drawn in blocks of this many, each block from its own seed, whatever the forward's size. */
    static final int LATENT_BLOCK = 64;
    /** Pixels per image up to which a whole latent block goes through the generator in one forward. */
    static final long FULL_BLOCK_PIXELS = 128L * 128;

    /**
     * Images per generator forward when sampling: a whole latent block up to 128 px; above it fewer, in
     * proportion to the pixels (16 at 256 px, 4 at 512 px, 1 at 1024 px), so that sampling stays below
     * the training step's own memory. Measured with FastGAN's widths (lib/BENCHMARKS.md, "Peak memory
     * by model and resolution"): with 64 images per forward at 256 px the end-of-run evaluation took
     * the run to 7.2 GB where its steps peaked at 3.0 GB; at 1024 px 4 per forward held 2.1-2.4 GB.
     * Latents do not change with it (they are drawn per block); only generators that draw noise in the
     * forward (FastGAN's noise injection) draw it in other shapes above 128 px.
     */
    static int forwardChunk(int resolution) {
        long pixels = (long) resolution * resolution;
        return pixels <= FULL_BLOCK_PIXELS ? LATENT_BLOCK : (int) Math.max(1, LATENT_BLOCK * FULL_BLOCK_PIXELS / pixels);
    }

    /**
     * {@code n} generated images at {@code step} (EMA generator when {@code useEma} and EMA is on) from
     * latents drawn with {@code seed} in blocks of {@value #LATENT_BLOCK}, generated {@link #forwardChunk}
     * at a time, as 8-bit images for metrics or files.
     */
    ImageDataset sample(int n, boolean useEma, long seed, long step) {
        return sample(n, useEma, seed, step, cfg.resolution == null ? LATENT_BLOCK : forwardChunk(cfg.resolution));
    }

    ImageDataset sample(int n, boolean useEma, long seed, long step, int chunk) {
        GanLab.noGradOnThisThread();
        Block g = useEma && emaGenerator != null ? forSampling(step) : trained;
        List<ImageDataset> parts = new ArrayList<>();
        int b = LATENT_BLOCK;
        for (int i = 0; i < n; i += b) {
            try (NDManager sm = root.newSubManager(); NDScope scope = new NDScope()) {
                GanLab.seedEngine(Permutations.mix(seed, i));
                NDArray z = model.sampleLatent(sm, Math.min(b, n - i));
                long m = z.getShape().get(0);
                for (long j = 0; j < m; j += chunk) {
                    // each chunk's arrays go before the next forward: only its 8-bit images are kept
                    try (NDScope forward = new NDScope()) {
                        NDArray zj = chunk >= m ? z : z.get(j + ":" + Math.min(m, j + chunk));
                        parts.add(ImageDataset.fromTensor(model.generate(g, ps, zj, false), "samples"));
                    }
                }
            }
        }
        String bn = g == emaGenerator && recalibrationLatents > 0
                ? ", batch-norm statistics from " + recalibrationLatents + " latents" : "";
        return ImageDataset.concat(model.name() + " samples (step " + step + (useEma ? ", EMA" : "") + bn + ")", parts);
    }
}
