package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.data.Permutations;
import dev.ganlab.models.GanModel;
import dev.ganlab.models.Models;
import dev.ganlab.viz.ImageGrid;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The generator of a finished (or running) run, loaded from its newest checkpoint for sampling and
 * evaluation, without its data set or training state. Staged models are put at the stage the
 * checkpoint reached.
 */
public final class TrainedGenerator implements AutoCloseable {

    private final TrainConfig cfg;
    private final GanModel model;
    private final NDManager root;
    private final ParameterStore ps;
    private final Block ema;
    private final long step;
    /** Latents the EMA generator's batch-norm statistics were estimated from (0: none or not needed). */
    private final int emaBatchNormLatents;

    private TrainedGenerator(TrainConfig cfg, Checkpoint c) throws IOException {
        GanLab.init();
        GanLab.noGradOnThisThread();
        this.cfg = cfg;
        JsonObject h = c.header();
        if (!h.has("channels")) {
            throw new UserError("checkpoint predates image-shape records; resume the run once to rewrite it");
        }
        this.root = GanLab.newManager();
        this.ps = new ParameterStore(root, false);
        this.model = Models.create(cfg, h.get("channels").getAsInt(), h.get("resolution").getAsInt(),
                h.get("data").getAsString());
        model.initializeGenerator(model.generator(), root);
        ParameterIO.load(model.generator(), c.section("G"));
        if (c.has("EMA_G")) {
            this.ema = model.newGenerator();
            model.initializeGenerator(ema, root);
            ParameterIO.load(ema, c.section("EMA_G"));
        } else {
            this.ema = null;
        }
        model.onImagesShown(h.has("stageImages") ? h.get("stageImages").getAsLong() : h.get("imagesShown").getAsLong());
        this.step = h.get("step").getAsLong();
        if (ema != null && h.has("emaBatchNormLatents")) {
            this.emaBatchNormLatents = h.get("emaBatchNormLatents").getAsInt();
        } else if (ema != null && cfg.emaBatchNormLatents > 0) {
            // A checkpoint written before the EMA generator got statistics of its own: as the trainer does.
            this.emaBatchNormLatents = Ema.recalibrateBatchNorm(model, ema, ps, root, cfg.emaBatchNormLatents,
                    model.batchSize(cfg.batch), Ema.recalibrationSeed(cfg.seed));
        } else {
            this.emaBatchNormLatents = 0;
        }
    }

    /**
     * Loads the newest readable checkpoint of a run folder, or the generators of a reference model
     * folder ({@link ReferenceModel}, e.g. {@code lib/zoo/dcgan-fmnist}).
     */
    public static TrainedGenerator load(Path runDir) {
        if (ReferenceModel.isReferenceFolder(runDir)) {
            ReferenceModel.checkComplete(runDir);
            Path weights = runDir.resolve(ReferenceModel.WEIGHTS);
            try {
                return new TrainedGenerator(TrainConfig.ofRun(runDir).resolved(), Checkpoint.read(weights));
            } catch (IOException e) {
                throw new UserError("reference model " + runDir + ": " + e.getMessage(), e);
            }
        }
        TrainConfig cfg = TrainConfig.ofRun(runDir).resolved();
        List<String> problems = new ArrayList<>();
        for (Path p : Checkpoint.list(runDir.resolve("checkpoints"))) {
            try {
                TrainedGenerator g = new TrainedGenerator(cfg, Checkpoint.read(p));
                if (!problems.isEmpty()) { // an older generator than the folder's newest: say so
                    System.err.println("loaded " + p + " instead of the newer, unreadable: " + String.join("; ", problems));
                }
                return g;
            } catch (IOException e) {
                problems.add(e.getMessage());
            }
        }
        throw new UserError("no readable checkpoint in " + runDir.resolve("checkpoints")
                + (problems.isEmpty() ? " (train the run first)" : ": " + String.join("; ", problems)));
    }

    public TrainConfig config() {
        return cfg;
    }

    public GanModel model() {
        return model;
    }

    /** The training step of the checkpoint. */
    public long step() {
        return step;
    }

    public boolean hasEma() {
        return ema != null;
    }

    /** Latents the EMA generator's batch-norm statistics were re-estimated from (0: none; see {@link Ema}). */
    public int emaBatchNormLatents() {
        return emaBatchNormLatents;
    }

    /** {@code n} images from latents drawn with {@code seed}; the EMA generator when asked for and present. */
    public ImageDataset sample(int n, boolean useEma, long seed) {
        if (n < 1) {
            throw new UserError("number of samples " + n + " must be >= 1");
        }
        GanLab.noGradOnThisThread();
        Block g = useEma && ema != null ? ema : model.generator();
        List<ImageDataset> parts = new ArrayList<>();
        for (int i = 0; i < n; i += 64) {
            try (NDManager sm = root.newSubManager(); NDScope scope = new NDScope()) {
                GanLab.seedEngine(Permutations.mix(seed, i));
                NDArray z = model.sampleLatent(sm, Math.min(64, n - i));
                parts.add(ImageDataset.fromTensor(model.generate(g, ps, z, false), "samples"));
            }
        }
        boolean usedEma = useEma && ema != null;
        String bn = usedEma && emaBatchNormLatents > 0
                ? ", batch-norm statistics from " + emaBatchNormLatents + " latents" : "";
        return ImageDataset.concat(model.name() + " step " + step + (usedEma ? " EMA" : "") + bn, parts);
    }

    // --- latent access (issue 14, latent-space tools: dev.ganlab.latent) ---

    /**
     * The {@code n} latents {@link #sample}{@code (n, ema, seed)} draws, one row each (flattened to the
     * model's latent size), so that tools can change them and call {@link #generate}.
     */
    public float[][] latents(int n, long seed) {
        if (n < 1) {
            throw new UserError("number of latents " + n + " must be >= 1");
        }
        GanLab.noGradOnThisThread();
        float[][] out = new float[n][];
        for (int i = 0; i < n; i += 64) {
            try (NDManager sm = root.newSubManager()) {
                GanLab.seedEngine(Permutations.mix(seed, i));
                int m = Math.min(64, n - i);
                float[] flat = model.sampleLatent(sm, m).toFloatArray();
                int d = flat.length / m;
                for (int k = 0; k < m; k++) {
                    out[i + k] = java.util.Arrays.copyOfRange(flat, k * d, (k + 1) * d);
                }
            }
        }
        return out;
    }

    /** Images from the given latents (each of the model's latent size), in order. */
    public ImageDataset generate(float[][] latents, boolean useEma, String name) {
        if (latents.length == 0) {
            throw new UserError("no latents to generate from");
        }
        GanLab.noGradOnThisThread();
        Block g = useEma && ema != null ? ema : model.generator();
        long d = model.latentShape(1).size();
        List<ImageDataset> parts = new ArrayList<>();
        for (int i = 0; i < latents.length; i += 64) {
            int m = Math.min(64, latents.length - i);
            float[] flat = new float[(int) (m * d)];
            for (int k = 0; k < m; k++) {
                if (latents[i + k].length != d) {
                    throw new UserError("latent " + (i + k) + " has " + latents[i + k].length + " values; "
                            + model.name() + " takes " + d);
                }
                System.arraycopy(latents[i + k], 0, flat, (int) (k * d), (int) d);
            }
            try (NDManager sm = root.newSubManager(); NDScope scope = new NDScope()) {
                NDArray z = sm.create(flat, model.latentShape(m));
                parts.add(ImageDataset.fromTensor(model.generate(g, ps, z, false), name));
            }
        }
        return ImageDataset.concat(name, parts);
    }

    /**
     * {@code n} images of class {@code label} from a class-conditional run: the latents of
     * {@link #latents}{@code (n, seed)} with their class part set to that class.
     *
     * @throws UserError when the run is not class-conditional or the label is outside 0..K-1
     */
    public ImageDataset sampleClass(int n, int label, boolean useEma, long seed) {
        if (!(model instanceof dev.ganlab.models.ClassConditional cc)) {
            throw new UserError("--class: " + model.name() + " run (cond=" + cfg.cond + ") is not class-conditional;"
                    + " train with cond=concat, acgan or projection");
        }
        dev.ganlab.data.ClassLabels.checkLabel(label, cc.classCount(), "class of " + model.name() + " run");
        float[][] z = latents(n, seed);
        for (int i = 0; i < n; i++) {
            z[i] = cc.withClass(z[i], label);
        }
        return generate(z, useEma, model.name() + " step " + step + " class " + label);
    }

    // --- end latent access ---

    /**
     * The generator's output tensor for the latents {@link #sample}{@code (n, useEma, seed)} draws, as
     * floats before they are quantised to pixels (so that tests can compare generators bit for bit).
     */
    float[] outputs(int n, boolean useEma, long seed) {
        GanLab.noGradOnThisThread();
        Block g = useEma && ema != null ? ema : model.generator();
        float[] out = new float[0];
        for (int i = 0; i < n; i += 64) {
            try (NDManager sm = root.newSubManager(); NDScope scope = new NDScope()) {
                GanLab.seedEngine(Permutations.mix(seed, i));
                NDArray z = model.sampleLatent(sm, Math.min(64, n - i));
                float[] part = model.generate(g, ps, z, false).toFloatArray();
                float[] grown = java.util.Arrays.copyOf(out, out.length + part.length);
                System.arraycopy(part, 0, grown, out.length, part.length);
                out = grown;
            }
        }
        return out;
    }

    /** A grid of {@code n} samples. */
    public BufferedImage grid(int n, boolean useEma, long seed) {
        ImageDataset s = sample(n, useEma, seed);
        return ImageGrid.of(s, 0, s.size()).cols((int) Math.ceil(Math.sqrt(n))).render();
    }

    @Override
    public void close() {
        model.close();
        root.close();
    }
}
