package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
import dev.ganlab.data.PrefetchingLoader;
import dev.ganlab.loss.Params;
import dev.ganlab.metrics.EvaluationReport;
import dev.ganlab.models.GanModel;
import dev.ganlab.models.Models;
import dev.ganlab.objective.GanObjective;
import dev.ganlab.objective.ObjectiveTerm;
import dev.ganlab.objective.StepSeeds;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
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
 * on the weights only. "The same" holds on one platform (engine build, device, thread count, vector
 * instructions): on another the sums round differently from the first step, so a checkpoint carried to another
 * machine continues the recipe but not the same numbers; the resume says so ({@link #resumeNotice}) and the run
 * folder's {@code platforms.jsonl} records which platform trained from which step ({@link RunPlatforms}).
 */
public final class GanTrainer implements AutoCloseable {

    // Salts of the run's fixed random streams (a step's streams: see GanStep and the objective's terms).
    private static final long SALT_INIT = -1;
    private static final long SALT_FIXED_LATENTS = -2;
    private static final long SALT_FIXED_REALS = -3;
    private static final long SALT_D_REFERENCE = -4;

    private final TrainConfig cfg;
    private final Timetable timetable;
    private final Path dir;
    private final ImageDataset data;
    private final GanModel model;
    private final NDManager root;
    private final ParameterStore ps;
    private final SamplingGenerators generators;
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
    private final RunPlatforms platforms;
    private final FixedSamples fixedSamples;
    private final RunEvaluation evaluation;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final RunSession session;

    private long step;
    /** The step this trainer resumed at (0 for a new run). */
    private long resumedAt;
    private long imagesShown;
    /** What the model's schedule was last told (step t tells it the images shown before step t). */
    private long stageImages;
    private volatile boolean stopRequested;

    GanTrainer(TrainConfig resolved, Path dir, Checkpoint resumeFrom, ImageDataset given) {
        GanLab.init();
        GanLab.noGradOnThisThread();
        this.cfg = resolved;
        this.timetable = Timetable.of(cfg);
        this.dir = dir.toAbsolutePath();
        this.session = new RunSession(this, this.dir);
        LoadOptions opt = LoadOptions.defaults().withResolution(cfg.resolution).withChannels(cfg.channels)
                .withLimit(cfg.dataLimit).withStorage(dev.ganlab.data.DataStorage.parse(cfg.dataStorage));
        this.data = given != null ? given : Datasets.load(cfg.data, opt);
        this.root = GanLab.newManager();
        this.ps = new ParameterStore(root, false);
        this.seeds = new StepSeeds(cfg.seed);
        Ema.checkSettings(cfg.emaDecay, cfg.emaHalfLifeKimg);
        UnaryOperator<NDArray> augment = Objectives.augmentation(cfg);

        GanLab.seedEngine(seed(0, SALT_INIT));
        this.model = Models.create(cfg, data);
        Block generator = model.generator();
        model.initializeGenerator(generator, root);
        model.useTrainingImages(data, seed(0, SALT_D_REFERENCE)); // e.g. VBN's reference batch (dcgan.dNorm=vbn)
        model.initializeDiscriminator(root);
        List<Parameter> gParams = Params.trainable(generator);
        List<Parameter> dParams = Params.trainable(model.discriminator());
        this.generators = new SamplingGenerators(cfg, model, generator, ps, root);
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
            resumedAt = step;
            imagesShown = p.imagesShown();
            stageImages = p.stageImages();
            position = p.loaderPosition();
            session.status().lastCheckpoint = "checkpoints/" + Checkpoint.fileName(step);
            this.history = HistoryRecorder.resumed(dir, cfg, step, p.openInterval());
            session.resumeClock(history.history().last("seconds"));
            this.platforms = new RunPlatforms(this.dir, true, p.platform());
        } else {
            this.history = new HistoryRecorder(new TrainingHistory());
            this.platforms = new RunPlatforms(this.dir, false, null);
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
     * Why {@link #open open(cfg, dir, true)} would refuse to continue the run in {@code dir}, or null when
     * it would continue it (or {@code dir} holds no checkpoint, so it would start afresh). Lets a sweep
     * check every run it would continue before any of them trains.
     */
    public static UserError resumeRefusal(TrainConfig cfg, Path dir) {
        return Checkpoint.list(dir.resolve("checkpoints")).isEmpty() ? null : RunOpening.resumeRefusal(cfg, dir);
    }

    /**
     * What a notebook wants on every re-run: continue the run in {@code dir} when it was started with
     * the same settings (steps may grow), else keep it under a new name and start afresh; a run whose newest
     * checkpoint is already past {@code cfg.steps} (a shortened profile) also starts afresh. The old
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
        return generators.forSampling(step);
    }

    /** The long-lived manager holding parameters and training state (tests check it does not grow). */
    public NDManager rootManager() {
        return root;
    }

    public GanTrainer addMonitor(TrainingMonitor m) {
        session.monitors().add(m);
        return this;
    }

    /** Adds side work to run after each step, after the built-in listeners. */
    public GanTrainer addListener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    // Package-private views for the listeners.
    List<TrainingMonitor> monitors() {
        return session.monitors();
    }

    RunPlatforms platforms() {
        return platforms;
    }

    /**
     * When this trainer resumed a checkpoint written on another platform (engine, device, threads, vector
     * instructions: {@link dev.ganlab.core.ComputePlatform}), what differs and what that means; else empty. The
     * monitors show it when training starts, and {@code platforms.jsonl} in the run folder keeps it.
     */
    public Optional<String> resumeNotice() {
        return platforms.notice(dev.ganlab.core.ComputePlatform.current(), resumedAt);
    }

    HistoryRecorder historyRecorder() {
        return history;
    }

    ParameterStore parameterStore() {
        return ps;
    }

    RunEvaluation evaluation() {
        return evaluation;
    }

    /** The trained and the EMA generator. */
    SamplingGenerators generators() {
        return generators;
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
        GanLab.noGradOnThisThread();
        try (RunSession.Running running = session.running(this::requestStop)) {
            while (step < cfg.steps) {
                if (stopRequested || Stoppable.stopRequested()) {
                    stopRequested = false; // answered: a later train() call continues the run
                    checkpoint();
                    stopLoader(); // batch prefetching restarts on demand, as the listeners' resources
                    listeners.forEach(l -> l.onStop(this));
                    return session.end(RunStatus.INTERRUPTED, "stopped at step " + step + "; train() continues from here");
                }
                Map<String, Float> values = step1();
                history.accumulate(values);
                for (TrainingListener l : listeners) {
                    l.onStepEnd(this, step, values);
                }
            }
            return session.end(RunStatus.FINISHED, "");
        } catch (RuntimeException | Error e) {
            session.failed(e);
            throw e;
        }
    }

    /** Ends the run as diverged at step {@code done} (see {@link DivergenceCheck}); always throws. */
    void diverged(long done, String what) {
        session.diverged(done, what);
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
            generators.update(t, batch * cfg.nCritic);
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
        return session.seconds();
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

    /** Whether mode collapse is suspected (see {@link FixedSamples#collapseSuspected} and {@code collapseThreshold}). */
    public boolean collapseSuspected() {
        return fixedSamples.collapseSuspected(cfg.collapseThreshold);
    }

    /**
     * The per-resolution sample grids of a growing model saved so far ({@code samples/res-<R>px.png}),
     * by resolution, smallest first: each is the fixed latents' grid at the end of that resolution
     * (for the last one: at the end of the run so far).
     */
    public Map<Integer, BufferedImage> resolutionSamples() {
        return FixedSamples.resolutionSamples(dir);
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
        return SampleGrids.byStep(dir);
    }

    /**
     * {@code n} generated images (EMA generator when {@code ema} and EMA is on) from latents drawn with
     * {@code seed}, as 8-bit images for metrics or files.
     */
    public ImageDataset sample(int n, boolean useEma, long seed) {
        return generators.sample(n, useEma, seed, step);
    }

    /** Writes a checkpoint of the current state (and prunes old ones beyond keepCheckpoints). */
    public Path checkpoint() {
        return CheckpointWriter.write(this);
    }

    public RunStatus status() {
        return session.status();
    }

    /** Stops batch prefetching and says how long the steps waited for batches (information: stdout, not stderr). */
    private void stopLoader() {
        String waited = loader.takeWaitSummary();
        loader.close();
        if (waited != null) {
            System.out.println(waited);
        }
    }

    @Override
    public void close() {
        listeners.forEach(TrainingListener::close);
        stopLoader();
        model.close();
        root.close();
    }
}
