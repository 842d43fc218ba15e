package dev.ganlab.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import dev.ganlab.core.AtomicFiles;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.StepScope;
import dev.ganlab.core.Stoppable;
import dev.ganlab.core.UserError;
import dev.ganlab.data.BatchSampler;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.data.LoadOptions;
import dev.ganlab.data.Permutations;
import dev.ganlab.data.PrefetchingLoader;
import dev.ganlab.loss.Params;
import dev.ganlab.metrics.EvaluationLog;
import dev.ganlab.metrics.EvaluationReport;
import dev.ganlab.metrics.Evaluator;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.models.GanModel;
import dev.ganlab.models.Models;
import dev.ganlab.objective.CriticPass;
import dev.ganlab.objective.GanObjective;
import dev.ganlab.objective.GeneratorPass;
import dev.ganlab.objective.GradientPenaltyTerm;
import dev.ganlab.objective.ObjectiveTerm;
import dev.ganlab.objective.StepSeeds;
import dev.ganlab.viz.ImageGrid;
import dev.ganlab.viz.Notebook;
import dev.ganlab.viz.PngFiles;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tech.tablesaw.api.Table;

/**
 * The GAN training loop: alternating discriminator and generator updates for any {@link GanModel},
 * with the losses, penalties and tricks of a {@link TrainConfig}, and the bookkeeping a real run
 * needs - history ({@code metrics.csv}), fixed-latent sample grids, atomic checkpoints with exact
 * resume, divergence and mode-collapse alarms, progress monitors.
 *
 * <p><b>One step</b> (step t): {@code nCritic} discriminator updates, each on a fresh real batch and
 * fresh fakes (generated without a graph), with the adversarial loss, drift term, the model's own
 * auxiliary loss and the gradient penalty (on every critic update, or every {@code penaltyEvery}-th
 * one) in one backward; then one generator update through the (frozen) discriminator; then the EMA
 * and historical-average updates. Every array a step creates
 * lives in a sub-manager and a {@link StepScope} closed at the end of the step (it also works around
 * a use-after-free of the engine's scalar operands under autograd); parameters, optimiser
 * moments and trick state live in the trainer's long-lived manager, so memory stays flat.
 *
 * <p><b>Exact resume.</b> All randomness of step t comes from the engine and Java generators seeded
 * with a hash of (seed, t, phase), and the data order is a pure function of (seed, position); with
 * parameters, optimiser moments, EMA weights, trick state, the loader position and the step restored
 * from a checkpoint, a resumed run computes the same losses and samples as an uninterrupted one.
 * The EMA generator's batch-norm statistics are re-estimated from scratch, with latents from a fixed
 * per-run seed, whenever it is about to be used ({@link Ema}), so they too depend on the weights only.
 */
public final class GanTrainer implements AutoCloseable {

    // Salts that separate the random streams of one step.
    private static final long SALT_INIT = -1;
    private static final long SALT_FIXED_LATENTS = -2;
    private static final long SALT_FIXED_REALS = -3;
    private static final long SALT_G = 40;
    private static final long SALT_REPLAY = 42;
    // 41 and 43 belong to the gradient penalty and the hinge margin (objective package).

    /** Sample grids are saved as {@code samples/step-00000250.png} (and {@code ...-raw.png} beside EMA ones). */
    private static final String SAMPLE_GRID_NAME = "step-%08d";
    /** Names written by {@link #resolutionSampleName}. */
    private static final Pattern RESOLUTION_SAMPLE = Pattern.compile("res-(\\d+)px\\.png");

    private final TrainConfig cfg;
    private final Path dir;
    private final ImageDataset data;
    private final GanModel model;
    private final NDManager root;
    private final ParameterStore ps;
    private final Block generator;
    private final Block emaGenerator;
    private final Ema ema;
    private final List<Parameter> gParams;
    private final List<Parameter> dParams;
    private final GanOptimizer optG;
    private final GanOptimizer optD;
    private final PrefetchingLoader loader;
    private final StepSeeds seeds;
    private final GanObjective objective;
    private final UnaryOperator<NDArray> augment;
    private final ExperienceReplay replay;
    private final CollapseDetector collapse;
    private final TrainingHistory history;
    private final NDArray fixedLatents;
    private final NDArray fixedReals;
    private final List<TrainingMonitor> monitors = new ArrayList<>();
    private final Map<String, double[]> intervalSums = new LinkedHashMap<>();
    private final Map<String, Double> pending = new LinkedHashMap<>();

    private long step;
    private long imagesShown;
    /** The step at which the EMA generator's batch-norm statistics were last re-estimated, or -1. */
    private long emaRecalibratedAt = -1;
    /** Latents of the last re-estimation (0: none, or a generator without batch norm). */
    private int emaRecalibrationLatents;
    /** What the model's schedule was last told (step t tells it the images shown before step t). */
    private long stageImages;
    /** Training seconds of earlier sessions and finished train() calls. */
    private double secondsDone;
    /** When the current train() call began; -1 outside train(). */
    private long runningSinceNanos = -1;
    private double lastDiversity = Double.NaN;
    private double lastCollapsePrecision = Double.NaN;
    private double lastCoverage = Double.NaN;
    private volatile boolean stopRequested;
    private Evaluator evaluator;
    private Shape evaluatorShape;
    private EvaluationReport lastEvaluation;
    private String evaluationWarning;
    private String lastSkipReason;
    private final RunStatus status = new RunStatus();

    private GanTrainer(TrainConfig resolved, Path dir, Checkpoint resumeFrom, ImageDataset given) {
        GanLab.init();
        GanLab.noGradOnThisThread();
        this.cfg = resolved;
        this.dir = dir.toAbsolutePath();
        LoadOptions opt = LoadOptions.defaults().withResolution(cfg.resolution).withChannels(cfg.channels)
                .withLimit(cfg.dataLimit);
        this.data = given != null ? given : Datasets.load(cfg.data, opt);
        this.root = GanLab.newManager();
        this.ps = new ParameterStore(root, false);
        this.seeds = new StepSeeds(cfg.seed);
        Ema.checkSettings(cfg.emaDecay, cfg.emaHalfLifeKimg);
        DiffAugment policy;
        try {
            policy = DiffAugment.parse(cfg.augment);
        } catch (IllegalArgumentException e) {
            throw new UserError("augment: " + e.getMessage(), e);
        }
        this.augment = cfg.augment.isBlank() ? null : policy::apply;

        GanLab.seedEngine(seed(0, SALT_INIT));
        this.model = Models.create(cfg, data);
        this.generator = model.generator();
        model.initializeGenerator(generator, root);
        model.initializeDiscriminator(root);
        this.gParams = Params.trainable(generator);
        this.dParams = Params.trainable(model.discriminator());
        if (cfg.emaDecay > 0) {
            this.emaGenerator = model.newGenerator();
            model.initializeGenerator(emaGenerator, root);
            this.ema = new Ema(generator, emaGenerator, cfg.emaDecay, cfg.emaHalfLifeKimg);
            ema.copyFromSource();
        } else {
            this.emaGenerator = null;
            this.ema = null;
        }
        this.optG = new GanOptimizer(cfg.optG, gParams, root);
        this.optD = new GanOptimizer(cfg.optD, dParams, root);
        TrainConfig.Tricks t = cfg.tricks;
        this.replay = t.replayBuffer > 0 ? new ExperienceReplay(t.replayBuffer, t.replayFraction, root) : null;
        this.objective = Objectives.of(cfg, seeds, gParams, dParams, root);

        GanLab.seedEngine(seed(0, SALT_FIXED_LATENTS));
        this.fixedLatents = model.sampleLatent(root, cfg.sampleCount);
        BatchSampler fixedSampler = new BatchSampler(data, seed(0, SALT_FIXED_REALS), false);
        float[] buf = new float[Math.min(cfg.sampleCount, data.size()) * data.imageLength()];
        int nReal = Math.min(cfg.sampleCount, data.size());
        fixedSampler.fill(0, nReal, buf);
        this.fixedReals = root.create(buf, new Shape(nReal, data.channels(), data.height(), data.width()));
        this.collapse = new CollapseDetector(seed(0, SALT_FIXED_REALS));

        long position = 0;
        if (resumeFrom != null) {
            position = restore(resumeFrom);
            // Old folders' scores under today's names (fid -> fid_fmnist), so one column continues.
            this.history = TrainingHistory.readCsv(dir.resolve("metrics.csv"))
                    .withScoreSuffix(TrainingHistory.scoreSuffixOf(cfg));
            history.truncateAfter(step);
            double logged = history.last("seconds");
            secondsDone = Double.isNaN(logged) ? 0 : logged;
        } else {
            this.history = new TrainingHistory();
        }
        this.loader = new PrefetchingLoader(new BatchSampler(data, seed(0, 0), cfg.hflip), position);
        // Bring a staged model (ProGAN) to where the last step left it, so the next step sees the same
        // stage transitions (and optimiser resets) as an uninterrupted run.
        model.onImagesShown(stageImages);
    }

    // ---- Opening runs -------------------------------------------------------------------------------

    /**
     * Starts a new run in {@code dir} (created if needed). A folder that already holds checkpoints is
     * an error: resume it with {@link #resume} or pick another folder.
     */
    public static GanTrainer start(TrainConfig cfg, Path dir) {
        return start(cfg, dir, null);
    }

    /**
     * Starts a new run on images given directly (a subset, a synthetic set, data built in a notebook);
     * {@code cfg.data} then only names them. Resume such a run with {@link #resume(Path, Integer, ImageDataset)}.
     */
    public static GanTrainer start(TrainConfig cfg, Path dir, ImageDataset data) {
        TrainConfig r = cfg.resolved();
        if (!Checkpoint.list(dir.resolve("checkpoints")).isEmpty()) {
            throw new UserError("run folder " + dir + " already holds checkpoints: resume it (--resume /"
                    + " GanTrainer.resume) or choose another output folder");
        }
        try {
            Files.createDirectories(dir.resolve("samples"));
            Files.createDirectories(dir.resolve("checkpoints"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run folder " + dir, e);
        }
        AtomicFiles.writeString(dir.resolve("config.json"), r.toJson());
        GanTrainer t = new GanTrainer(r, dir, null, data);
        t.status.started = java.time.Instant.now().toString();
        return t;
    }

    /** Resumes the run in {@code dir} from its newest readable checkpoint; {@code steps} may extend it. */
    public static GanTrainer resume(Path dir, Integer steps) {
        return resume(dir, steps, null);
    }

    /** Resumes a run started on directly given images, with the same images. */
    public static GanTrainer resume(Path dir, Integer steps, ImageDataset data) {
        Path cfgFile = dir.resolve("config.json");
        TrainConfig cfg = TrainConfig.ofRun(dir);
        if (steps != null) {
            cfg.steps = steps;
        }
        cfg = cfg.resolved();
        Checkpoint ckpt = null;
        List<String> problems = new ArrayList<>();
        for (Path p : Checkpoint.list(dir.resolve("checkpoints"))) {
            try {
                ckpt = Checkpoint.read(p);
                break;
            } catch (IOException e) {
                problems.add(e.getMessage());
            }
        }
        if (ckpt == null) {
            throw new UserError("no readable checkpoint in " + dir.resolve("checkpoints")
                    + (problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")"));
        }
        AtomicFiles.writeString(cfgFile, cfg.toJson());
        GanTrainer t = new GanTrainer(cfg, dir, ckpt, data);
        RunStatus old = RunStatus.read(dir.resolve("status.json"));
        t.status.started = old != null && old.started != null ? old.started : java.time.Instant.now().toString();
        return t;
    }

    /**
     * Resumes {@code dir} when it holds a checkpoint and {@code resume} is set, else starts a new run
     * there. On resume the stored config must match {@code cfg} except for the number of steps;
     * otherwise this is an error and the folder is left as it was.
     */
    public static GanTrainer open(TrainConfig cfg, Path dir, boolean resume) {
        if (resume && !Checkpoint.list(dir.resolve("checkpoints")).isEmpty()) {
            if (!sameSettings(cfg, dir)) {
                throw new UserError("run " + dir + " was started with a different config; resume it without"
                        + " changing settings other than steps (compare " + dir.resolve("config.json") + ")");
            }
            return resume(dir, cfg.steps);
        }
        return start(cfg, dir);
    }

    /**
     * What a notebook wants on every re-run: continue the run in {@code dir} when it was started with
     * the same settings (steps may differ), else keep it under a new name and start afresh. The old
     * folder is renamed to {@code <dir>.replaced-<time>} beside it, never deleted, so changing a
     * parameter cell and re-running loses no training; the new name is printed.
     */
    public static GanTrainer reopen(TrainConfig cfg, Path dir) {
        if (!Checkpoint.list(dir.resolve("checkpoints")).isEmpty() && !sameSettings(cfg, dir)) {
            String stamp = java.time.LocalDateTime.now()
                    .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            Path aside = dir.resolveSibling(dir.getFileName() + ".replaced-" + stamp);
            for (int i = 2; Files.exists(aside); i++) {
                aside = dir.resolveSibling(dir.getFileName() + ".replaced-" + stamp + "-" + i);
            }
            try {
                Files.move(dir, aside, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot move the earlier run " + dir + " aside to " + aside, e);
            }
            System.out.println("The run in " + dir + " had other settings; it is kept as " + aside
                    + " and a new run starts.");
        }
        return open(cfg, dir, true);
    }

    /**
     * Whether the run in {@code dir} was started with {@code cfg}'s settings, the number of steps
     * aside. Both are resolved at the stored run's length, so defaults derived from the number of
     * steps (the instance-noise schedule) compare equal.
     */
    private static boolean sameSettings(TrainConfig cfg, Path dir) {
        TrainConfig stored = TrainConfig.ofRun(dir);
        TrainConfig want = cfg.copy();
        want.steps = stored.steps;
        if (want.tricks.instanceNoiseSteps == null) {
            // Its default is the length the run was first started with, which the stored config keeps
            // while steps grows with each extension.
            want.tricks.instanceNoiseSteps = stored.tricks.instanceNoiseSteps;
        }
        return stored.resolved().toJson().equals(want.resolved().toJson());
    }

    // ---- Accessors ------------------------------------------------------------------------------------

    public TrainConfig config() {
        return cfg;
    }

    public GanModel model() {
        return model;
    }

    public ImageDataset data() {
        return data;
    }

    public Path dir() {
        return dir;
    }

    /** Steps completed. */
    public long step() {
        return step;
    }

    public long imagesShown() {
        return imagesShown;
    }

    /** The history so far as a table (columns: step, images, seconds, losses, stage values, metrics). */
    public Table history() {
        return history.table(model.name() + " " + cfg.loss);
    }

    /**
     * The EMA generator when EMA is on (its batch-norm statistics re-estimated for the current weights,
     * see {@link Ema}), else the trained generator.
     */
    public Block samplingGenerator() {
        recalibrateEma();
        return emaGenerator != null ? emaGenerator : generator;
    }

    /**
     * Gives the EMA generator batch-norm statistics of its own weights ({@link Ema#recalibrateBatchNorm})
     * unless that was done at this step already or {@code emaBatchNormLatents} is 0. Called before the
     * EMA generator samples, is scored or checkpointed. Uses the run's fixed recalibration seed and
     * reseeds nothing the training steps rely on (each step seeds its own streams).
     */
    private void recalibrateEma() {
        if (emaGenerator == null || cfg.emaBatchNormLatents == 0 || emaRecalibratedAt == step) {
            return;
        }
        emaRecalibrationLatents = Ema.recalibrateBatchNorm(model, emaGenerator, ps, root, cfg.emaBatchNormLatents,
                model.batchSize(cfg.batch), Ema.recalibrationSeed(cfg.seed));
        emaRecalibratedAt = step;
    }

    /** Latents used by the last re-estimation of the EMA generator's batch-norm statistics (0: none). */
    public int emaRecalibrationLatents() {
        return emaRecalibrationLatents;
    }

    /** The long-lived manager holding parameters and training state (tests check it does not grow). */
    public NDManager rootManager() {
        return root;
    }

    public TrainingHistory historyLog() {
        return history;
    }

    public GanTrainer addMonitor(TrainingMonitor m) {
        monitors.add(m);
        return this;
    }

    /** Critic updates of this session (since start or resume) that carried the gradient penalty. */
    long penalisedCriticUpdates() {
        return objective.term(GradientPenaltyTerm.class).map(GradientPenaltyTerm::penalisedUpdates).orElse(0L);
    }

    /** The run's objective: its terms, in the order they run. */
    public GanObjective objective() {
        return objective;
    }

    /** Generator updates since the generator optimiser's last reset (tests check when ProGAN resets Adam). */
    long generatorUpdatesSinceReset() {
        return optG.steps();
    }

    /** Asks the loop to checkpoint and stop after the current step. */
    public void requestStop() {
        stopRequested = true;
    }

    private long seed(long t, long salt) {
        return seeds.of(t, salt);
    }

    // ---- The loop -----------------------------------------------------------------------------------

    /**
     * Trains until {@code steps} (from the config) are done, the run diverges, or a stop is requested
     * (interrupt, shutdown, {@link #requestStop()}); checkpoints before returning. Without monitors, a
     * live notebook display is used inside a Jupyter kernel and console progress lines elsewhere.
     *
     * <p><b>Interrupts</b> (a notebook's stop button interrupts the cell's thread) become a stop request
     * ({@link Stoppable}) seen between steps: the step in progress finishes (the batch loader waits out
     * the interrupt), the loop checkpoints (atomically), records status {@code interrupted} with the
     * step, stops the batch prefetching thread and the evaluator, says "stopped at step N; train()
     * continues from here" in the live display and returns, leaving the caller's interrupt flag set.
     * An evaluation running at that moment is abandoned (its values are missing from that step's row).
     * Calling {@code train()} again, on this trainer or a new {@link #reopen}, continues exactly.
     */
    public RunStatus train() {
        return Stoppable.run("train", this::requestStop, this::trainHere);
    }

    private RunStatus trainHere() {
        if (monitors.isEmpty()) {
            monitors.add(Notebook.inKernel() ? new NotebookMonitor() : new ConsoleMonitor());
        }
        GanLab.noGradOnThisThread();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested = true;
            try {
                finished.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ganlab-train-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        runningSinceNanos = System.nanoTime();
        setStatus("running", "");
        monitors.forEach(m -> m.onStart(this));
        try {
            while (step < cfg.steps) {
                if (stopRequested || Stoppable.stopRequested()) {
                    stopRequested = false; // answered: a later train() call continues the run
                    checkpoint();
                    releaseBackgroundResources();
                    setStatus("interrupted", "stopped at step " + step + "; train() continues from here");
                    return end();
                }
                Map<String, Float> values = step1();
                accumulate(values);
                long done = step;
                for (Map.Entry<String, Float> e : values.entrySet()) {
                    if (!Float.isFinite(e.getValue())) {
                        String last = status.lastCheckpoint == null ? "none (diverged before the first checkpoint)"
                                : status.lastCheckpoint;
                        writeHistory(done);
                        setStatus("diverged", "step " + done + ": " + e.getKey() + " is " + e.getValue()
                                + "; last good checkpoint: " + last);
                        end();
                        throw new TrainingDivergedException(status.message);
                    }
                }
                if (done % cfg.sampleEvery == 0 || done == cfg.steps) {
                    samples();
                }
                if ((cfg.eval.every > 0 && done % cfg.eval.every == 0) || done == cfg.steps) {
                    evaluateIntoHistory();
                }
                if (model.grows() && (done == cfg.steps
                        || model.resolutionAt(imagesShown) != model.imageShape().get(1))) {
                    // The next step works at another resolution (or there is none): keep this one's result.
                    saveResolutionSamples();
                }
                if (done % cfg.logEvery == 0 || done == cfg.steps) {
                    writeHistory(done);
                }
                if (done % cfg.checkpointEvery == 0 || done == cfg.steps) {
                    checkpoint();
                }
            }
            setStatus("finished", "");
            return end();
        } catch (RuntimeException | Error e) {
            if ("running".equals(status.status)) {
                // Not left "running": a sweep would take the run for one still in progress.
                setStatus("failed", String.valueOf(e));
            }
            throw e;
        } finally {
            secondsDone = seconds();
            runningSinceNanos = -1;
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // JVM already shutting down
            }
        }
    }

    /** Stops what runs beside the loop (batch prefetching, the evaluator's engine); both restart on demand. */
    private void releaseBackgroundResources() {
        loader.close();
        if (evaluator != null) {
            evaluator.close();
            evaluator = null;
            evaluatorShape = null;
        }
    }

    private RunStatus end() {
        monitors.forEach(m -> m.onEnd(this, status));
        return status;
    }

    /**
     * One training step (nCritic discriminator updates, one generator update). Returns the losses
     * logged for it: the discriminator's losses of its last update, and {@code penalty} and
     * {@code grad_norm} as means over the step's penalised critic updates (absent when lazy
     * regularisation penalised none of them); the model's stage values
     * ({@code model().stageMetrics()}) go to the history as they are after the step. Public for
     * notebooks that step by hand.
     */
    public Map<String, Float> step1() {
        stageImages = imagesShown;
        if (model.onImagesShown(imagesShown)) {
            // ProGAN's official code starts each new resolution with fresh Adam moments.
            optG.reset();
            optD.reset();
        }
        int batch = model.batchSize(cfg.batch);
        long t = step;
        Map<String, Float> out = new LinkedHashMap<>();
        try (NDManager sm = root.newSubManager(); StepScope scope = new StepScope()) {
            NDArray lastReals = null;
            for (int k = 0; k < cfg.nCritic; k++) {
                GanLab.seedEngine(seed(t, k));
                NDArray reals = model.prepareReals(loader.next(sm, batch));
                lastReals = reals;
                NDArray z = model.sampleLatent(sm, batch);
                NDList fakes = detached(model.generateViews(generator, ps, z, true));
                if (replay != null) {
                    if (fakes.size() > 1) {
                        throw new UserError("tricks.replayBuffer keeps one generated image per latent, but " + model.name()
                                + " makes " + fakes.size() + " (for fastgan set fastgan.smallBranch=false)");
                    }
                    fakes = new NDList(replay.mix(fakes.get(0), BatchSampler.rng(cfg.seed, t * 64 + SALT_REPLAY + k * 1000L)));
                }
                discriminatorStep(reals, fakes, t, k, out);
                imagesShown += batch;
            }
            objective.endCriticPhase(out);
            generatorStep(lastReals, batch, t, sm, out);
            if (ema != null) {
                ema.update(t, batch * cfg.nCritic); // images shown in this step: the half-life clock
            }
            // The stage of the row's last step, not an average over the interval (a mean of 8 and 16
            // px is no resolution the model ever had).
            pending.putAll(model.stageMetrics());
        } finally {
            loader.recycle();
        }
        step++;
        return out;
    }

    /** Images as the discriminator takes them: perturbed by the objective's terms, then augmented. */
    private NDArray discriminatorInput(NDArray x, long t) {
        NDArray y = objective.perturbInput(x, t);
        return augment == null ? y : augment.apply(y);
    }

    /** Each generated view (FastGAN: image and 128 px image) augmented on its own, as FastGAN's train.py. */
    private NDList discriminatorInputs(NDList views, long t) {
        NDList out = new NDList(views.size());
        for (NDArray v : views) {
            out.add(discriminatorInput(v, t));
        }
        return out;
    }

    private static NDList detached(NDList views) {
        NDList out = new NDList(views.size());
        for (NDArray v : views) {
            out.add(v.stopGradient());
        }
        return out;
    }

    /**
     * Critic update {@code k} of step {@code t}: the discriminator scores the (perturbed, augmented)
     * batches and the objective's terms make its loss ({@link GanObjective#criticLoss}), one backward;
     * the objective's terms act around the optimiser step (historical averaging, clipping).
     */
    private void discriminatorStep(NDArray reals, NDList fakes, long t, int k, Map<String, Float> out) {
        NDArray rIn = discriminatorInput(reals, t);
        NDList fViews = discriminatorInputs(fakes, t);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            DiscriminatorOutput or;
            DiscriminatorOutput of;
            if (model.discriminatorUsesBatchStatistics()) {
                DiscriminatorOutput[] both = model.discriminateJoint(ps, rIn, fViews.get(0), true);
                or = both[0];
                of = both[1];
            } else {
                or = model.discriminate(ps, rIn, true, true);
                of = model.discriminateViews(ps, fViews, true, false);
            }
            gc.backward(objective.criticLoss(new CriticPass(t, k, model, ps, rIn, fViews, or, of), out));
        }
        objective.beforeUpdate(ObjectiveTerm.Player.DISCRIMINATOR);
        optD.step();
        objective.afterUpdate(ObjectiveTerm.Player.DISCRIMINATOR);
    }

    /** The generator's update through the frozen discriminator, its loss made by the objective's terms. */
    private void generatorStep(NDArray reals, int batch, long t, NDManager sm, Map<String, Float> out) {
        GanLab.seedEngine(seed(t, SALT_G));
        NDArray z = model.sampleLatent(sm, batch);
        GeneratorPass pass = new GeneratorPass(t, model, ps, reals, x -> discriminatorInput(x, t));
        objective.beforeGeneratorPass(pass);
        Params.setRequiresGradient(dParams, false);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDList fViews = discriminatorInputs(model.generateViews(generator, ps, z, true), t);
            // With batch statistics in D, score fakes next to reals as in D's own step, so both updates
            // see the same normalisation.
            pass.setFake(model.discriminatorUsesBatchStatistics()
                    ? model.discriminateJoint(ps, discriminatorInput(reals, t), fViews.get(0), true)[1]
                    : model.discriminateViews(ps, fViews, true, false));
            gc.backward(objective.generatorLoss(pass, out));
        } finally {
            Params.setRequiresGradient(dParams, true);
        }
        objective.beforeUpdate(ObjectiveTerm.Player.GENERATOR);
        optG.step();
        objective.afterUpdate(ObjectiveTerm.Player.GENERATOR);
    }

    // ---- History, samples, checkpoints -------------------------------------------------------------

    private void accumulate(Map<String, Float> values) {
        for (Map.Entry<String, Float> e : values.entrySet()) {
            double[] s = intervalSums.computeIfAbsent(e.getKey(), k -> new double[2]);
            s[0] += e.getValue();
            s[1] += 1;
        }
    }

    /**
     * Seconds spent in {@link #train()} so far, over all sessions of the run; the clock stops when
     * train() returns (steps taken by hand with {@link #step1()} are not timed).
     */
    public double seconds() {
        return secondsDone + (runningSinceNanos < 0 ? 0 : (System.nanoTime() - runningSinceNanos) / 1e9);
    }

    private void writeHistory(long done) {
        Map<String, Double> row = new LinkedHashMap<>();
        row.put("step", (double) done);
        row.put("images", (double) imagesShown);
        row.put("seconds", seconds());
        for (Map.Entry<String, double[]> e : intervalSums.entrySet()) {
            row.put(e.getKey(), e.getValue()[0] / e.getValue()[1]);
        }
        row.putAll(pending);
        pending.clear();
        intervalSums.clear();
        history.add(row);
        history.writeCsv(dir.resolve("metrics.csv"));
        status.step = done;
        status.images = imagesShown;
        status.write(dir.resolve("status.json"));
        monitors.forEach(m -> m.onLog(this, row));
    }

    /** The mean of the last logged values of {@code key}, or NaN. */
    public double last(String key) {
        return history.last(key);
    }

    /** Latest diversity ratio of the fixed samples (fake spread / real spread), NaN before the first. */
    public double diversity() {
        return lastDiversity;
    }

    /** Latest coverage (recall of the fixed reals by the fixed samples), NaN before the first. */
    public double coverage() {
        return lastCoverage;
    }

    /**
     * Whether mode collapse is suspected: the samples look real (collapse_precision at least 0.5) while their
     * spread is below {@code collapseThreshold} times the real spread or they cover less than
     * {@code collapseThreshold} of the reals. (Without the precision condition an untrained generator,
     * whose outputs are all alike at first, raised the alarm in its first steps.)
     */
    public boolean collapseSuspected() {
        return lastCollapsePrecision >= 0.5
                && (lastDiversity < cfg.collapseThreshold || lastCoverage < cfg.collapseThreshold);
    }

    private void samples() {
        GanLab.noGradOnThisThread();
        try (NDManager sm = root.newSubManager(); NDScope scope = new NDScope()) {
            NDArray raw = generateBatched(generator, fixedLatents, sm);
            Shape image = raw.getShape().slice(1);
            // A growing model's reals change with its stage (ProGAN blends them during a fade-in), so
            // compare with them as the discriminator sees them now. Set once per image size instead, the
            // reference would depend on the alpha of the first grid at that size, and a resumed run would
            // measure against other reals than the uninterrupted one.
            if (model.grows() || collapse.needsReal(image)) {
                collapse.setReal(model.prepareReals(fixedReals), root);
            }
            lastDiversity = collapse.ratio(raw);
            pending.put("diversity", lastDiversity);
            var pr = collapse.coverage(raw);
            lastCollapsePrecision = pr.precision();
            lastCoverage = pr.recall();
            pending.put(CollapseDetector.PRECISION_KEY, lastCollapsePrecision);
            pending.put("coverage", lastCoverage);
            String name = String.format(SAMPLE_GRID_NAME, step);
            BufferedImage rawGrid = ImageGrid.of(raw).cols(cols()).render();
            PngFiles.write(rawGrid, dir.resolve("samples").resolve(name + (emaGenerator != null ? "-raw" : "") + ".png"));
            BufferedImage grid = rawGrid;
            if (emaGenerator != null) {
                recalibrateEma();
                grid = ImageGrid.of(generateBatched(emaGenerator, fixedLatents, sm)).cols(cols()).render();
                PngFiles.write(grid, dir.resolve("samples").resolve(name + ".png"));
            }
            BufferedImage g = grid;
            monitors.forEach(m -> m.onSamples(this, step, g));
        }
    }

    /** File name of the sample grid that ends resolution {@code resolution} (zero-padded so names sort). */
    public static String resolutionSampleName(int resolution) {
        return String.format(Locale.ROOT, "res-%04dpx.png", resolution);
    }

    /** Saves the sampling generator's grid as the result of the current resolution. */
    private void saveResolutionSamples() {
        int r = (int) model.imageShape().get(1);
        BufferedImage grid = sampleGrid();
        PngFiles.write(grid, dir.resolve("samples").resolve(resolutionSampleName(r)));
        monitors.forEach(m -> m.onResolutionDone(this, r, grid));
    }

    /**
     * The per-resolution sample grids of a growing model saved so far ({@code samples/res-<R>px.png}),
     * by resolution, smallest first: each is the fixed latents' grid at the end of that resolution
     * (for the last one: at the end of the run so far).
     */
    public Map<Integer, BufferedImage> resolutionSamples() {
        Map<Integer, BufferedImage> grids = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir.resolve("samples"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = RESOLUTION_SAMPLE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    grids.put(Integer.parseInt(m.group(1)), PngFiles.read(f));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir.resolve("samples"), e);
        }
        return grids;
    }

    private int cols() {
        return (int) Math.ceil(Math.sqrt(cfg.sampleCount));
    }

    private NDArray generateBatched(Block g, NDArray z, NDManager sm) {
        int n = (int) z.getShape().get(0);
        int b = Math.max(1, model.batchSize(cfg.batch));
        NDList parts = new NDList();
        for (int i = 0; i < n; i += b) {
            NDArray zi = z.get(i + ":" + Math.min(n, i + b));
            zi.attach(sm);
            parts.add(model.generate(g, ps, zi, false));
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts);
    }

    /**
     * Scores the generator with the configured metrics (nothing when {@code eval.metrics} is empty) and
     * returns the report; the values join the next history row. For a staged model the reference
     * images are brought to the current stage's resolution.
     */
    public EvaluationReport evaluate() {
        if (cfg.eval.metrics.isBlank()) {
            return null;
        }
        int n = evalCount();
        ImageDataset fakes = sample(n, cfg.eval.ema, Permutations.mix(cfg.seed, 0x5EEDL));
        Shape shape = new Shape(fakes.channels(), fakes.height(), fakes.width());
        if (evaluator == null || !shape.equals(evaluatorShape)) {
            if (evaluator != null) {
                evaluator.close();
            }
            ImageDataset real = cfg.eval.real.isBlank() ? data : Datasets.load(cfg.eval.real);
            if (real.height() != fakes.height() || real.channels() != fakes.channels()) {
                real = Datasets.resized(real, fakes.channels(), fakes.height());
            }
            Evaluator.Builder b = Evaluator.builder().real(real).n(n).metrics(cfg.eval.metrics)
                    .seed(cfg.seed);
            if (!cfg.eval.features.isBlank()) {
                b.features(cfg.eval.features);
            }
            evaluator = b.build();
            evaluatorShape = shape;
        }
        EvaluationReport r = evaluator.evaluate(fakes);
        lastEvaluation = r;
        pending.putAll(r.metrics());
        // metrics.csv holds the numbers; evaluations.jsonl the setup each was measured with.
        EvaluationLog.append(dir.resolve(EvaluationLog.FILE), step, imagesShown, r);
        return r;
    }

    /** Images per evaluation: the configured count, or for "auto" the training set's size in 256..2000. */
    public int evalCount() {
        return cfg.eval.n > 0 ? cfg.eval.n : Math.max(256, Math.min(2000, data.size()));
    }

    private void evaluateIntoHistory() {
        if (cfg.eval.metrics.isBlank()) {
            return;
        }
        try {
            evaluate(); // its values join the next history row
        } catch (Stoppable.StoppedException e) {
            // Interrupted while scoring: the step is done, so the loop checkpoints and stops next.
            evaluationWarning = "evaluation at step " + step + " abandoned: " + e.getMessage();
        } catch (UserError e) {
            // A metric that cannot run at this stage (SWD below 16 px while ProGAN is small) must not
            // stop training: say so and go on.
            evaluationWarning = "evaluation at step " + step + " skipped: " + e.getMessage();
            // Say it once per reason: a ProGAN run evaluating every k steps would otherwise repeat the
            // same line for every evaluation of its first stages.
            if (!e.getMessage().equals(lastSkipReason)) {
                System.err.println(evaluationWarning + " (said once; later skips for this reason are silent)");
                lastSkipReason = e.getMessage();
            }
        }
    }

    /** Why the last evaluation was skipped, or null. */
    public String evaluationWarning() {
        return evaluationWarning;
    }

    /** The latest evaluation report of this session, or null (see {@link #finalMetrics}). */
    public EvaluationReport lastEvaluation() {
        return lastEvaluation;
    }

    /**
     * The run's latest metric values: from this session's last evaluation, or else from the history
     * (a finished run reopened in a new session), as metric name to value.
     */
    public Map<String, Double> finalMetrics() {
        if (lastEvaluation != null) {
            return lastEvaluation.metrics();
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (String c : history.table("h").columnNames()) {
            if (!EVALUATION_EXCLUDED.contains(c) && !c.startsWith("d_") && !c.startsWith("g_")) {
                double v = history.last(c);
                if (!Double.isNaN(v)) {
                    out.put(c, v);
                }
            }
        }
        return out;
    }

    private static final java.util.Set<String> EVALUATION_EXCLUDED = java.util.Set.of("step", "images", "seconds",
            "penalty", "grad_norm", "drift", "feature_matching", "diversity", CollapseDetector.PRECISION_KEY,
            "coverage", "resolution", "alpha", "lod", "recon_full", "recon_part");

    /** The sample grid of the fixed latents from the EMA generator (or the trained one without EMA). */
    public BufferedImage sampleGrid() {
        GanLab.noGradOnThisThread();
        try (NDManager sm = root.newSubManager(); NDScope scope = new NDScope()) {
            return ImageGrid.of(generateBatched(samplingGenerator(), fixedLatents, sm)).cols(cols()).render();
        }
    }

    /**
     * The fixed-latent sample grids this run has saved in {@code samples/} (from the EMA generator when
     * EMA is on), by step, oldest first: how the samples changed over training, including sessions
     * before a resume.
     */
    public SortedMap<Long, BufferedImage> savedSampleGrids() {
        SortedMap<Long, BufferedImage> grids = new TreeMap<>();
        if (Files.isDirectory(dir.resolve("samples"))) {
            for (Path p : SampleGrids.list(dir)) {
                grids.put(SampleGrids.stepOf(p), SampleGrids.read(p));
            }
        }
        return grids;
    }

    /**
     * {@code n} generated images (EMA generator when {@code ema} and EMA is on) from latents drawn with
     * {@code seed}, as 8-bit images for metrics or files.
     */
    public ImageDataset sample(int n, boolean useEma, long seed) {
        GanLab.noGradOnThisThread();
        Block g = useEma && emaGenerator != null ? emaGenerator : generator;
        if (g == emaGenerator) {
            recalibrateEma();
        }
        List<ImageDataset> parts = new ArrayList<>();
        int b = 64;
        for (int i = 0; i < n; i += b) {
            try (NDManager sm = root.newSubManager(); NDScope scope = new NDScope()) {
                GanLab.seedEngine(Permutations.mix(seed, i));
                NDArray z = model.sampleLatent(sm, Math.min(b, n - i));
                parts.add(ImageDataset.fromTensor(model.generate(g, ps, z, false), "samples"));
            }
        }
        String bn = g == emaGenerator && emaRecalibrationLatents > 0
                ? ", batch-norm statistics from " + emaRecalibrationLatents + " latents" : "";
        return ImageDataset.concat(model.name() + " samples (step " + step + (useEma ? ", EMA" : "") + bn + ")", parts);
    }

    /** Writes a checkpoint of the current state (and prunes old ones beyond keepCheckpoints). */
    public Path checkpoint() {
        Path ckDir = dir.resolve("checkpoints");
        Path file = ckDir.resolve(Checkpoint.fileName(step));
        JsonObject header = new JsonObject();
        header.addProperty("step", step);
        header.addProperty("imagesShown", imagesShown);
        header.addProperty("stageImages", stageImages);
        header.addProperty("loaderPosition", loader.position());
        header.addProperty("seconds", seconds());
        header.addProperty("model", model.name());
        header.addProperty("data", data.name());
        header.addProperty("channels", data.channels());
        header.addProperty("resolution", data.height());
        header.add("openInterval", openInterval());
        if (emaGenerator != null) {
            recalibrateEma();
            // TrainedGenerator reads this: the EMA_G section's batch-norm statistics are its own.
            header.addProperty("emaBatchNormLatents", emaRecalibrationLatents);
        }
        Map<String, Checkpoint.SectionWriter> sections = new LinkedHashMap<>();
        sections.put("G", out -> ParameterIO.save(generator, out));
        sections.put("D", out -> ParameterIO.save(model.discriminator(), out));
        if (emaGenerator != null) {
            sections.put("EMA_G", out -> ParameterIO.save(emaGenerator, out));
        }
        sections.put("OPT_G", optG::save);
        sections.put("OPT_D", optD::save);
        if (replay != null) {
            sections.put("REPLAY", replay::save);
        }
        for (ObjectiveTerm term : objective.terms()) {
            for (String name : term.checkpointSections()) {
                sections.put(name, out -> term.save(name, out));
            }
        }
        Checkpoint.write(file, header, sections);
        history.writeCsv(dir.resolve("metrics.csv"));
        List<Path> all = Checkpoint.list(ckDir);
        for (int i = cfg.keepCheckpoints; i < all.size(); i++) {
            try {
                Files.deleteIfExists(all.get(i));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prune " + all.get(i), e);
            }
        }
        status.lastCheckpoint = dir.relativize(file).toString();
        status.write(dir.resolve("status.json"));
        return file;
    }

    /** Loads a checkpoint's state; returns the loader position. */
    private long restore(Checkpoint c) {
        JsonObject h = c.header();
        if (!h.get("model").getAsString().equals(model.name())) {
            throw new UserError("checkpoint is of model " + h.get("model").getAsString() + ", config says " + model.name());
        }
        try {
            ParameterIO.load(generator, c.section("G"));
            ParameterIO.load(model.discriminator(), c.section("D"));
            if (emaGenerator != null) {
                ParameterIO.load(emaGenerator, c.section("EMA_G"));
            }
            optG.load(c.section("OPT_G"));
            optD.load(c.section("OPT_D"));
            if (replay != null && c.has("REPLAY")) {
                replay.load(c.section("REPLAY"));
            }
            for (ObjectiveTerm term : objective.terms()) {
                for (String name : term.checkpointSections()) {
                    if (c.has(name)) {
                        term.load(name, c.section(name));
                    }
                }
            }
        } catch (IOException e) {
            throw new UserError("checkpoint does not fit this model/config: " + e.getMessage(), e);
        }
        step = h.get("step").getAsLong();
        imagesShown = h.get("imagesShown").getAsLong();
        stageImages = h.has("stageImages") ? h.get("stageImages").getAsLong() : imagesShown;
        status.lastCheckpoint = "checkpoints/" + Checkpoint.fileName(step);
        if (h.has("openInterval")) {
            restoreOpenInterval(h.getAsJsonObject("openInterval"));
        }
        return h.get("loaderPosition").getAsLong();
    }

    /**
     * What the next history row will average but has not written yet: the sums of the steps since the
     * last row and the values waiting for it (samples' diversity, an evaluation). Saved in checkpoints
     * so that a run stopped between two rows (an interrupt) writes the same next row after resuming.
     * Values are kept as Java's decimal strings: exact, and NaN survives.
     */
    private JsonObject openInterval() {
        JsonObject sums = new JsonObject();
        intervalSums.forEach((k, v) -> {
            com.google.gson.JsonArray a = new com.google.gson.JsonArray();
            a.add(Double.toString(v[0]));
            a.add(Double.toString(v[1]));
            sums.add(k, a);
        });
        JsonObject waiting = new JsonObject();
        pending.forEach((k, v) -> waiting.addProperty(k, Double.toString(v)));
        JsonObject o = new JsonObject();
        o.add("sums", sums);
        o.add("pending", waiting);
        return o;
    }

    private void restoreOpenInterval(JsonObject o) {
        intervalSums.clear();
        pending.clear();
        for (Map.Entry<String, com.google.gson.JsonElement> e : o.getAsJsonObject("sums").entrySet()) {
            com.google.gson.JsonArray a = e.getValue().getAsJsonArray();
            intervalSums.put(e.getKey(), new double[] {Double.parseDouble(a.get(0).getAsString()),
                    Double.parseDouble(a.get(1).getAsString())});
        }
        for (Map.Entry<String, com.google.gson.JsonElement> e : o.getAsJsonObject("pending").entrySet()) {
            pending.put(e.getKey(), Double.parseDouble(e.getValue().getAsString()));
        }
    }

    private void setStatus(String s, String message) {
        status.status = s;
        status.message = message;
        status.step = step;
        status.steps = cfg.steps;
        status.images = imagesShown;
        status.pid = ProcessHandle.current().pid();
        status.write(dir.resolve("status.json"));
    }

    public RunStatus status() {
        return status;
    }

    @Override
    public void close() {
        if (evaluator != null) {
            evaluator.close();
        }
        loader.close();
        model.close();
        root.close();
    }
}
