package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
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
import dev.ganlab.metrics.EvaluationReport;
import dev.ganlab.models.GanModel;
import dev.ganlab.models.Models;
import dev.ganlab.nn.DiffAugment;
import dev.ganlab.objective.GanObjective;
import dev.ganlab.objective.GradientPenaltyTerm;
import dev.ganlab.objective.ObjectiveTerm;
import dev.ganlab.objective.StepSeeds;
import dev.ganlab.viz.Notebook;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import tech.tablesaw.api.Table;

/**
 * The GAN training loop for any {@link GanModel}: alternating discriminator and generator updates whose
 * losses come from the run's {@link GanObjective} (terms built from the {@link TrainConfig} by
 * {@link Objectives}), and, between steps, the side work of a real run done by
 * {@link TrainingListener}s on the {@link Timetable}: divergence check, fixed-latent sample grids and the
 * collapse alarm ({@link FixedSamples}), evaluation ({@link RunEvaluation}), history rows
 * ({@link HistoryRecorder}), atomic checkpoints with exact resume ({@link CheckpointWriter}).
 *
 * <p><b>One step</b> (step t): {@code nCritic} discriminator updates, each on a fresh real batch and
 * fresh fakes (generated without a graph), scored by D after the objective's perturbation and the
 * augmentation, with the objective's critic loss in one backward; then one generator update through
 * the (frozen) discriminator with the objective's generator loss; the objective's terms act around
 * each optimiser step; then the EMA update. Every array a step creates lives in a sub-manager and a
 * {@link StepScope} closed at the end of the step (it also works around a use-after-free of the
 * engine's scalar operands under autograd); parameters, optimiser moments and term state live in the
 * trainer's long-lived manager, so memory stays flat.
 *
 * <p><b>Exact resume.</b> All randomness of step t comes from the engine and Java generators seeded
 * with a hash of (seed, t, stream) ({@link StepSeeds}), and the data order is a pure function of (seed,
 * position); with parameters, optimiser moments, EMA weights, term state, the loader position and the
 * step restored from a checkpoint, a resumed run computes the same losses and samples as an
 * uninterrupted one. The EMA generator's batch-norm statistics are re-estimated from scratch, with
 * latents from a fixed per-run seed, whenever it is about to be used ({@link Ema}), so they too depend
 * on the weights only.
 */
public final class GanTrainer implements AutoCloseable {

    // Salts of the run's fixed random streams (a step's streams: see GanStep and the objective's terms).
    private static final long SALT_INIT = -1;
    private static final long SALT_FIXED_LATENTS = -2;
    private static final long SALT_FIXED_REALS = -3;

    private final TrainConfig cfg;
    private final Timetable timetable;
    private final Path dir;
    private final ImageDataset data;
    private final GanModel model;
    private final NDManager root;
    private final ParameterStore ps;
    private final Block generator;
    private final Block emaGenerator;
    private final Ema ema;
    private final GanOptimizer optG;
    private final GanOptimizer optD;
    private final PrefetchingLoader loader;
    /** The training batches' sampler: also the labels of each batch, for class-conditional models. */
    private final BatchSampler trainSampler;
    private final StepSeeds seeds;
    private final GanObjective objective;
    private final ExperienceReplay replay;
    private final GanStep updates;
    private final HistoryRecorder history;
    private final FixedSamples fixedSamples;
    private final RunEvaluation evaluation;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final List<TrainingMonitor> monitors = new ArrayList<>();
    private final RunStatus status = new RunStatus();

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
    private volatile boolean stopRequested;

    GanTrainer(TrainConfig resolved, Path dir, Checkpoint resumeFrom, ImageDataset given) {
        GanLab.init();
        GanLab.noGradOnThisThread();
        this.cfg = resolved;
        this.timetable = Timetable.of(cfg);
        this.dir = dir.toAbsolutePath();
        LoadOptions opt = LoadOptions.defaults().withResolution(cfg.resolution).withChannels(cfg.channels)
                .withLimit(cfg.dataLimit).withStorage(dev.ganlab.data.DataStorage.parse(cfg.dataStorage));
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
        UnaryOperator<NDArray> augment = cfg.augment.isBlank() ? null : policy::apply;

        GanLab.seedEngine(seed(0, SALT_INIT));
        this.model = Models.create(cfg, data);
        this.generator = model.generator();
        model.initializeGenerator(generator, root);
        model.initializeDiscriminator(root);
        List<Parameter> gParams = Params.trainable(generator);
        List<Parameter> dParams = Params.trainable(model.discriminator());
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
        this.updates = new GanStep(cfg, model, ps, dParams, optG, optD, objective, augment, replay, seeds);
        this.fixedSamples = new FixedSamples(this, data, root, seed(0, SALT_FIXED_LATENTS), seed(0, SALT_FIXED_REALS));
        this.evaluation = new RunEvaluation(this);

        long position = 0;
        if (resumeFrom != null) {
            CheckpointWriter.Position p = CheckpointWriter.restore(this, resumeFrom);
            step = p.step();
            imagesShown = p.imagesShown();
            stageImages = p.stageImages();
            position = p.loaderPosition();
            status.lastCheckpoint = "checkpoints/" + Checkpoint.fileName(step);
            // Old folders' scores under today's names (fid -> fid_fmnist), so one column continues.
            TrainingHistory h = TrainingHistory.readCsv(dir.resolve("metrics.csv"))
                    .withScoreSuffix(TrainingHistory.scoreSuffixOf(cfg));
            h.truncateAfter(step);
            double logged = h.last("seconds");
            secondsDone = Double.isNaN(logged) ? 0 : logged;
            this.history = new HistoryRecorder(h);
            if (p.openInterval() != null) {
                history.restoreOpenInterval(p.openInterval());
            }
        } else {
            this.history = new HistoryRecorder(new TrainingHistory());
        }
        // Class-balanced batches on request (issue 14); the sampler also gives the batch labels (GanStep).
        this.trainSampler = cfg.classBalanced ? new dev.ganlab.data.ClassBalancedSampler(data, seed(0, 0), cfg.hflip)
                : new BatchSampler(data, seed(0, 0), cfg.hflip);
        this.loader = new PrefetchingLoader(trainSampler, position);
        // Bring a staged model (ProGAN) to where the last step left it, so the next step sees the same
        // stage transitions (and optimiser resets) as an uninterrupted run.
        model.onImagesShown(stageImages);
        // The side work after each step, in this order.
        listeners.addAll(List.of(new DivergenceCheck(), fixedSamples, evaluation, fixedSamples.resolutionListener(),
                history, new CheckpointWriter()));
    }

    // ---- Opening runs (see RunOpening) --------------------------------------------------------------

    /**
     * Starts a new run in {@code dir} (created if needed). A folder that already holds checkpoints is
     * an error: resume it with {@link #resume} or pick another folder.
     */
    public static GanTrainer start(TrainConfig cfg, Path dir) {
        return RunOpening.start(cfg, dir, null);
    }

    /**
     * Starts a new run on images given directly (a subset, a synthetic set, data built in a notebook);
     * {@code cfg.data} then only names them. Resume such a run with {@link #resume(Path, Integer, ImageDataset)}.
     */
    public static GanTrainer start(TrainConfig cfg, Path dir, ImageDataset data) {
        return RunOpening.start(cfg, dir, data);
    }

    /** Resumes the run in {@code dir} from its newest readable checkpoint; {@code steps} may extend it. */
    public static GanTrainer resume(Path dir, Integer steps) {
        return RunOpening.resume(dir, steps, null);
    }

    /** Resumes a run started on directly given images, with the same images. */
    public static GanTrainer resume(Path dir, Integer steps, ImageDataset data) {
        return RunOpening.resume(dir, steps, data);
    }

    /**
     * Resumes {@code dir} when it holds a checkpoint and {@code resume} is set, else starts a new run
     * there. On resume the stored config must match {@code cfg} except for the number of steps;
     * otherwise this is an error and the folder is left as it was.
     */
    public static GanTrainer open(TrainConfig cfg, Path dir, boolean resume) {
        return RunOpening.open(cfg, dir, resume);
    }

    /**
     * What a notebook wants on every re-run: continue the run in {@code dir} when it was started with
     * the same settings (steps may differ), else keep it under a new name and start afresh. The old
     * folder is renamed to {@code <dir>.replaced-<time>} beside it, never deleted, so changing a
     * parameter cell and re-running loses no training; the new name is printed.
     */
    public static GanTrainer reopen(TrainConfig cfg, Path dir) {
        return RunOpening.reopen(cfg, dir);
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

    /** When the side work is due. */
    public Timetable timetable() {
        return timetable;
    }

    /** The run's objective: its terms, in the order they run. */
    public GanObjective objective() {
        return objective;
    }

    /** The history so far as a table (columns: step, images, seconds, losses, stage values, metrics). */
    public Table history() {
        return history.history().table(model.name() + " " + cfg.loss);
    }

    public TrainingHistory historyLog() {
        return history.history();
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

    public GanTrainer addMonitor(TrainingMonitor m) {
        monitors.add(m);
        return this;
    }

    /** Adds side work to run after each step, after the built-in listeners. */
    public GanTrainer addListener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    /** Critic updates of this session (since start or resume) that carried the gradient penalty. */
    long penalisedCriticUpdates() {
        return objective.term(GradientPenaltyTerm.class).map(GradientPenaltyTerm::penalisedUpdates).orElse(0L);
    }

    /** Generator updates since the generator optimiser's last reset (tests check when ProGAN resets Adam). */
    long generatorUpdatesSinceReset() {
        return optG.steps();
    }

    // Package-private views for the listeners.
    List<TrainingMonitor> monitors() {
        return monitors;
    }

    HistoryRecorder historyRecorder() {
        return history;
    }

    ParameterStore parameterStore() {
        return ps;
    }

    Block trainedGenerator() {
        return generator;
    }

    Block emaGenerator() {
        return emaGenerator;
    }

    boolean hasEma() {
        return emaGenerator != null;
    }

    GanOptimizer optimizer(ObjectiveTerm.Player player) {
        return player == ObjectiveTerm.Player.GENERATOR ? optG : optD;
    }

    ExperienceReplay replay() {
        return replay;
    }

    long stageImages() {
        return stageImages;
    }

    long loaderPosition() {
        return loader.position();
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
        setStatus(RunStatus.RUNNING, "");
        monitors.forEach(m -> m.onStart(this));
        try {
            while (step < cfg.steps) {
                if (stopRequested || Stoppable.stopRequested()) {
                    stopRequested = false; // answered: a later train() call continues the run
                    checkpoint();
                    loader.close(); // batch prefetching restarts on demand, as the listeners' resources
                    listeners.forEach(l -> l.onStop(this));
                    setStatus(RunStatus.INTERRUPTED, "stopped at step " + step + "; train() continues from here");
                    return end();
                }
                Map<String, Float> values = step1();
                history.accumulate(values);
                for (TrainingListener l : listeners) {
                    l.onStepEnd(this, step, values);
                }
            }
            setStatus(RunStatus.FINISHED, "");
            return end();
        } catch (RuntimeException | Error e) {
            if (RunStatus.RUNNING.equals(status.status)) {
                // Not left "running": a sweep would take the run for one still in progress.
                setStatus(RunStatus.FAILED, String.valueOf(e));
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

    /** Ends the run as diverged at step {@code done} (see {@link DivergenceCheck}); always throws. */
    void diverged(long done, String what) {
        String last = status.lastCheckpoint == null ? "none (diverged before the first checkpoint)"
                : status.lastCheckpoint;
        history.writeRow(this, done);
        setStatus(RunStatus.DIVERGED, "step " + done + ": " + what + "; last good checkpoint: " + last);
        end();
        throw new TrainingDivergedException(status.message);
    }

    private RunStatus end() {
        monitors.forEach(m -> m.onEnd(this, status));
        return status;
    }

    /**
     * One training step (nCritic discriminator updates, one generator update). Returns the losses
     * logged for it (each term's keys, see {@link GanObjective#loggedKeys}): the discriminator's losses
     * of its last update, and {@code penalty} and {@code grad_norm} as means over the step's penalised
     * critic updates (absent when lazy regularisation penalised none of them); the model's stage values
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
            updates.run(t, batch, loader, trainSampler, sm, out);
            imagesShown += (long) batch * cfg.nCritic;
            if (ema != null) {
                ema.update(t, batch * cfg.nCritic); // images shown in this step: the half-life clock
            }
            // The stage of the row's last step, not an average over the interval (a mean of 8 and 16
            // px is no resolution the model ever had).
            history.pend(model.stageMetrics());
        } finally {
            loader.recycle();
        }
        step++;
        return out;
    }

    // ---- What the listeners found, and sampling ----------------------------------------------------

    /**
     * Seconds spent in {@link #train()} so far, over all sessions of the run; the clock stops when
     * train() returns (steps taken by hand with {@link #step1()} are not timed).
     */
    public double seconds() {
        return secondsDone + (runningSinceNanos < 0 ? 0 : (System.nanoTime() - runningSinceNanos) / 1e9);
    }

    /** The mean of the last logged values of {@code key}, or NaN. */
    public double last(String key) {
        return history.history().last(key);
    }

    /** Latest diversity ratio of the fixed samples (fake spread / real spread), NaN before the first. */
    public double diversity() {
        return fixedSamples.diversity();
    }

    /** Latest coverage (recall of the fixed reals by the fixed samples), NaN before the first. */
    public double coverage() {
        return fixedSamples.coverage();
    }

    /**
     * Whether mode collapse is suspected: the samples look real (collapse_precision at least 0.5) while their
     * spread is below {@code collapseThreshold} times the real spread or they cover less than
     * {@code collapseThreshold} of the reals. (Without the precision condition an untrained generator,
     * whose outputs are all alike at first, raised the alarm in its first steps.)
     */
    public boolean collapseSuspected() {
        return fixedSamples.collapsePrecision() >= 0.5
                && (diversity() < cfg.collapseThreshold || coverage() < cfg.collapseThreshold);
    }

    /** File name of the sample grid that ends resolution {@code resolution} (zero-padded so names sort). */
    public static String resolutionSampleName(int resolution) {
        return FixedSamples.resolutionSampleName(resolution);
    }

    /**
     * The per-resolution sample grids of a growing model saved so far ({@code samples/res-<R>px.png}),
     * by resolution, smallest first: each is the fixed latents' grid at the end of that resolution
     * (for the last one: at the end of the run so far).
     */
    public Map<Integer, BufferedImage> resolutionSamples() {
        return FixedSamples.resolutionSamples(dir);
    }

    /**
     * Scores the generator with the configured metrics (nothing when {@code eval.metrics} is empty) and
     * returns the report; the values join the next history row. For a staged model the reference
     * images are brought to the current stage's resolution.
     */
    public EvaluationReport evaluate() {
        return evaluation.evaluate();
    }

    /** Images per evaluation: the configured count, or for "auto" the training set's size in 256..2000. */
    public int evalCount() {
        return evaluation.evalCount();
    }

    /** Why the last evaluation was skipped, or null. */
    public String evaluationWarning() {
        return evaluation.evaluationWarning();
    }

    /** The latest evaluation report of this session, or null (see {@link #finalMetrics}). */
    public EvaluationReport lastEvaluation() {
        return evaluation.lastEvaluation();
    }

    /**
     * The run's latest metric values: from this session's last evaluation, or else from the history
     * (a finished run reopened in a new session), as metric name to value.
     */
    public Map<String, Double> finalMetrics() {
        return evaluation.finalMetrics(history.history());
    }

    /** The sample grid of the fixed latents from the EMA generator (or the trained one without EMA). */
    public BufferedImage sampleGrid() {
        return fixedSamples.grid();
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
        return CheckpointWriter.write(this);
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
        listeners.forEach(TrainingListener::close);
        loader.close();
        model.close();
        root.close();
    }
}
