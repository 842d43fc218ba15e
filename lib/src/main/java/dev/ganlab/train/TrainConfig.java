package dev.ganlab.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import dev.ganlab.core.SettingsSchema;
import dev.ganlab.core.UserError;
import dev.ganlab.loss.AdversarialLoss;
import dev.ganlab.metrics.Extractors;
import dev.ganlab.metrics.MetricRegistry;
import dev.ganlab.loss.GradientPenalty;
import dev.ganlab.models.ModelPreset;
import dev.ganlab.models.ModelSettings;
import dev.ganlab.models.Models;
import dev.ganlab.models.ResolveContext;
import dev.ganlab.models.TrainingDefaults;
import dev.ganlab.models.dcgan.DcganConfig;
import dev.ganlab.models.fastgan.FastganConfig;
import dev.ganlab.models.gan.GanConfig;
import dev.ganlab.models.Mix;
import dev.ganlab.models.MixConfig;
import dev.ganlab.models.MixSupport;
import dev.ganlab.models.progan.ProganConfig;
import dev.ganlab.models.resnet19.Resnet19Config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Locale;

/**
 * Every setting of a training run, in one object that serialises to JSON ({@code config.json} of a
 * run). Fields left null (or "auto") take the defaults of the chosen model and loss when the config
 * is {@link #resolved()}, so a user who only says {@code --loss wgan} gets the WGAN paper's RMSprop,
 * clipping and five critic steps, while anything set explicitly wins. The resolved config is what a
 * run records, so it is complete and reproducible.
 *
 * <p>The defaults come from the chosen model's preset ({@link Models}: one table per model, in the
 * model's package) and the loss's paper values ({@link LossDefaults}); a setting that cannot apply to
 * the model is rejected naming the key and the model ({@link ModelApplicability}).
 *
 * <p>{@link #fromJson} rejects unknown keys and wrongly typed values naming the key, and
 * {@link #set} applies a {@code key=value} override with the same checks (command line, sweeps):
 * both go through one schema of dotted keys, {@link #SCHEMA}.
 */
public final class TrainConfig implements ModelSettings {

    // ---- Defaults: each model's are in its preset (models/<model>/..Preset, table in models.Models),
    // ---- the losses' own in LossDefaults.
    /** Latents for the EMA generator's batch-norm statistics (see {@link Ema}); not a paper value. */
    public static final int EMA_BATCH_NORM_LATENTS = 512;
    /** {@link #generatorFakes}: new latents and a second generator forward for the generator's update. */
    public static final String FRESH_FAKES = "fresh";
    /** {@link #generatorFakes}: the generator's update scores the last critic update's images. */
    public static final String REUSED_FAKES = "reuse";

    // ---- What is trained on what ------------------------------------------------------------------
    /** dcgan, sndcgan, resnet19, progan, fastgan or gan (the original fully connected GAN). */
    public String model = "dcgan";
    /** Data set spec (see data/README.md), e.g. fashion-mnist, emoji:smileys, folder:/path. */
    public String data = "fashion-mnist";
    /** Square training resolution; null = the data's own (DCGAN needs 28, 32 or 64). */
    public Integer resolution;
    /** 1 or 3; null = the data's own. */
    public Integer channels;
    /** At most this many training images (0 = all), e.g. a 100-image few-shot subset. */
    public int dataLimit = 0;
    /** Where an image folder's decoded pixels live: auto (memory when they fit half the heap), memory or disk (data.DataStorage). */
    public String dataStorage = "auto";
    /** Random horizontal flips of training images. */
    public boolean hflip = false;
    // ---- Class conditioning (models.Conditioning) ----------------------------------------------
    /** Class conditioning: none, concat (cGAN), acgan or projection; dcgan and sndcgan (models.Conditioning). */
    public String cond = "none";
    /** Classes of a conditional model; 0 = the data set's (counted from the data when the model is built). */
    public int condClasses = 0;
    /** Class-balanced batches (data.ClassBalancedSampler); needs labelled data. */
    public boolean classBalanced = false;

    // ---- The game ---------------------------------------------------------------------------------
    /** Seed of everything random: initialisation, data order, latents, penalties. */
    public long seed = 1;
    /** Training steps (one step = nCritic discriminator updates + one generator update). */
    public int steps = 2000;
    /** Batch size; null = the model's default (its preset: DCGAN 128, SNDCGAN 64, ProGAN per resolution, FastGAN 8, ...). */
    public Integer batch;
    /** Discriminator updates per generator update; null = the loss's default (1, WGAN/WGAN-GP: 5). */
    public Integer nCritic;
    /** minimax, ns, wgan, wgan-gp, lsgan, hinge; null = the model's default. */
    public String loss;
    /** auto (what the loss implies), none, wgan-gp, wgan-lp, dragan or r1. */
    public String penalty = "auto";
    /** Penalty weight (lambda / gamma); null = the penalty's paper value (10). */
    public Float penaltyWeight;
    /**
     * Apply the penalty on every k-th critic update (counted over the run, nCritic per step) with
     * weight x k (lazy regularisation, StyleGAN2: every 16 discriminator minibatches); 1 = every update.
     */
    public int penaltyEvery = 1;
    /** ProGAN's drift term weight: + drift * E[D(x)^2] keeps critic scores near 0 (0.001 there). */
    public Float drift;
    /** L2 regularisation of D's weights (Kurach et al., 2019; see objective.DiscriminatorL2): lambda, 0 = off. */
    public float discriminatorL2 = 0f;
    /** Weight clipping bound for the critic (WGAN); null = 0.01 for wgan, else off. */
    public Float clip;
    /** Hinge margin: "fixed" (1) or "random" (FastGAN: U(0.8, 1) per score). */
    public String hingeMargin;
    /**
     * The images the generator's update scores (null = the model's paper default). "fresh": new latents
     * and a second generator forward after the critic updates (ProGAN's official code; DCGAN as GAN Lab
     * trains it and its PyTorch peer). "reuse": the images of the last critic update, generated once with
     * a graph, scored detached by the critic and then, through the updated critic, by the generator's
     * loss (FastGAN's official train.py, PyTorch's DCGAN example): one generator forward per step instead of
     * two, at the memory cost of holding the generator's graph through the critic update. With a replay
     * buffer the critic scores its mix, and the generator's loss its own images, augmented anew.
     */
    public String generatorFakes;
    public OptimizerConfig optG;
    public OptimizerConfig optD;
    /** Generator EMA decay (0 = off); null = 0.999. */
    public Float emaDecay;
    /** EMA half-life in thousands of images (stylegan2-ada's ema_kimg; see Ema); 0 = the constant emaDecay. */
    public float emaHalfLifeKimg = 0f;
    /**
     * Latents whose activations give the EMA generator its own batch-norm running statistics before it
     * samples, is scored or checkpointed (rounded up to whole batches; see {@link Ema}); 0 = keep the
     * raw generator's statistics.
     */
    public int emaBatchNormLatents = EMA_BATCH_NORM_LATENTS;
    /** DiffAugment policy for the discriminator's inputs, e.g. "color,translation,cutout"; "" = none. */
    public String augment;
    /** Classic stabilising tricks, each off by default. */
    public Tricks tricks = new Tricks();
    /** Components of other families in this model: spectral norm, mbstd, SLE (see MixConfig). */
    public MixConfig mix = new MixConfig();

    // ---- Model settings ---------------------------------------------------------------------------
    public DcganConfig dcgan = new DcganConfig();
    public ProganConfig progan = new ProganConfig();
    public FastganConfig fastgan = new FastganConfig();
    public GanConfig gan = new GanConfig();
    public Resnet19Config resnet19 = new Resnet19Config();

    /** Data-parallel replicas: "" (the process's device), all, or e.g. gpu:0,gpu:1 (ReplicaDevices, DataParallel). */
    public String devices = "";

    // ---- Outputs ----------------------------------------------------------------------------------
    public int logEvery = 10;
    public int sampleEvery = 250;
    public int checkpointEvery = 500;
    public int keepCheckpoints = 3;
    /** Images in the fixed-latent sample grid. */
    public int sampleCount = 64;
    /**
     * Collapse alarm: fixed samples whose spread is below this fraction of the reals', or which look
     * real but cover less than this fraction of the fixed reals (see CollapseDetector).
     */
    public double collapseThreshold = 0.5;

    /** Evaluation of the generator during and at the end of training (metrics package). */
    public Eval eval = new Eval();

    /** When and how a run scores itself; the values go into the history next to the losses. */
    public static final class Eval {
        /**
         * Comma-separated metrics (fid, kid, is, pr, msssim, swd); "auto" = fid,kid on Fashion-MNIST
         * (with the project's Fashion-MNIST feature network) and swd elsewhere; "" = none.
         */
        public String metrics = "auto";
        /** Steps between evaluations; 0 = only at the end of the run. */
        public int every = 0;
        /**
         * Generated images per evaluation (and real images in the reference set); 0 = auto: 2000 on
         * Fashion-MNIST, elsewhere the training set's size clamped to 256..2000 (a few-shot set of 100
         * images gives no better reference, and generating 2000 FastGAN images takes minutes on a CPU).
         */
        public int n = 0;
        /** Feature network spec (fmnist, inception=PATH, torchscript=PATH); "auto" = fmnist for Fashion-MNIST. */
        public String features = "auto";
        /**
         * Reference images: a data set spec, or "auto" = the test split for Fashion-MNIST (train and test
         * differ; FID against the training images is lower) and the training data itself elsewhere.
         */
        public String real = "auto";
        /** Score the EMA generator (when there is one). */
        public boolean ema = true;
        /**
         * Keep the best-scoring generator ({@link BestGenerator}): a value the evaluation writes and that has a
         * better direction, such as fid_fmnist, kid_fmnist or swd_x1e3; "" = off (the papers report the
         * generator at the end of training). After each evaluation that beats every earlier one, the raw and
         * EMA generators go to the run's {@code best/} folder, which loads like a run.
         */
        public String keepBest = "";
    }

    /** Stabilising tricks from "Improved Techniques for Training GANs" (Salimans et al., 2016) and practice. */
    public static final class Tricks {
        /** One-sided label smoothing: the real label (1 = off; the paper uses 0.9). */
        public float labelSmoothing = 1f;
        /** Instance noise (Sonderby et al., 2017): std of Gaussian noise added to D's inputs (0 = off). */
        public float instanceNoise = 0f;
        /**
         * Steps over which instance noise anneals linearly to 0; null = the run's steps when it starts
         * (a resume that extends the run keeps the original schedule).
         */
        public Integer instanceNoiseSteps;
        /** Feature matching: weight of ||E f(x) - E f(G(z))||^2 on D's last features in G's loss (0 = off). */
        public float featureMatching = 0f;
        /** Use feature matching instead of the adversarial generator loss (the paper's form). */
        public boolean featureMatchingOnly = false;
        /** Minibatch discrimination kernels in D (0 = off; the paper uses 100). */
        public int minibatchDiscrimination = 0;
        /** Experience replay: old fakes kept for the discriminator (0 = off). */
        public int replayBuffer = 0;
        /** Fraction of each fake batch drawn from the replay buffer. */
        public float replayFraction = 0.5f;
        /** Historical averaging: weight of ||theta - mean of past theta||^2 for both networks (0 = off). */
        public float historicalAveraging = 0f;
    }

    // ---- Resolution of defaults -------------------------------------------------------------------

    /** The adversarial loss family (wgan-gp counts as wgan plus a penalty). */
    public AdversarialLoss adversarialLoss() {
        String l = loss == null ? defaultLoss() : loss;
        return AdversarialLoss.parse(l.equalsIgnoreCase("wgan-gp") ? "wgan" : l);
    }

    private String defaultLoss() {
        return Models.preset(model).defaults().loss();
    }

    /** The gradient penalty in force, or null. */
    public GradientPenalty.Kind penaltyKind() {
        String p = penalty == null ? "auto" : penalty.toLowerCase(Locale.ROOT);
        if (p.equals("none")) {
            return null;
        }
        if (p.equals("auto")) {
            String l = loss == null ? defaultLoss() : loss;
            return l.equalsIgnoreCase("wgan-gp") ? GradientPenalty.Kind.WGAN_GP : null;
        }
        return GradientPenalty.Kind.parse(p);
    }

    /**
     * A copy with every default filled in from the model's preset and the loss (see the class
     * comment), then checked: a setting the model cannot use is rejected naming the key and the model,
     * and every value is validated.
     */
    public TrainConfig resolved() {
        try {
            ModelPreset<?> preset = Models.preset(model);
            TrainConfig c = copy().fill(preset);
            ModelApplicability.check(this, preset);
            c.validate();
            return c;
        } catch (IllegalArgumentException e) {
            throw new UserError("config: " + e.getMessage(), e);
        }
    }

    /** Whether the generator's update scores the last critic update's images ({@link #generatorFakes} = reuse). */
    public boolean reusesFakes() {
        return REUSED_FAKES.equals(generatorFakes);
    }

    /**
     * Fills this config's unset values from the model's preset ({@link ModelPreset#defaults()}) and the
     * loss's paper values ({@link LossDefaults}), then runs the model's resolution rules; returns this.
     */
    TrainConfig fill(ModelPreset<?> preset) {
        TrainingDefaults d = preset.defaults();
        if (loss == null) {
            loss = d.loss();
        }
        loss = loss.toLowerCase(Locale.ROOT);
        LossDefaults ld = LossDefaults.of(loss);
        GradientPenalty.Kind kind = penaltyKind();
        penalty = kind == null ? "none" : kind.key();
        if (penaltyWeight == null) {
            penaltyWeight = kind == null ? 0f : kind.defaultWeight();
        }
        if (nCritic == null) {
            nCritic = d.nCritic() != null ? d.nCritic() : ld.nCritic();
        }
        if (clip == null) {
            clip = ld.clip();
        }
        if (drift == null) {
            drift = ld.wasserstein() ? d.drift() : 0f;
        }
        if (hingeMargin == null) {
            hingeMargin = d.hingeMargin();
        }
        if (generatorFakes == null) {
            generatorFakes = d.generatorFakes();
        }
        if (batch == null) {
            batch = d.batch();
        }
        if (emaDecay == null) {
            emaDecay = d.emaDecay();
        }
        if (augment == null) {
            augment = d.augment();
        }
        if (optG == null || optD == null || !optG.isComplete() || !optD.isComplete()) {
            // The loss paper's optimiser (WGAN's RMSprop, WGAN-GP's Adam) unless the model's paper trained
            // with that loss itself (ProGAN's Adam under WGAN-GP); else the model's. A partial setting
            // (--set optD.lr=1e-4) changes only the values it names.
            OptimizerConfig preset0 = ld.optimizer() != null && !d.ownsLoss(loss) ? ld.optimizer()
                    : OptimizerConfig.of(d.optimizer());
            optG = optG == null ? preset0 : optG.over(preset0);
            optD = optD == null ? copyOf(preset0) : optD.over(preset0);
        }
        if (tricks.instanceNoiseSteps == null) {
            tricks.instanceNoiseSteps = steps;
        }
        ResolveContext run = new ResolveContext(model, resolution, kind != null, tricks.minibatchDiscrimination);
        resolveActive(preset, run);
        resolution = run.resolution;
        for (ModelPreset<?> owner : Models.sectionOwners()) {
            normalise(owner, run);
        }
        boolean fashion = data.startsWith("fashion-mnist") || data.startsWith("fmnist");
        if (eval.metrics.equals("auto")) {
            eval.metrics = fashion ? "fid,kid" : "swd";
        }
        if (eval.n == 0 && fashion) {
            eval.n = 2000;
        }
        if (eval.features.equals("auto")) {
            eval.features = fashion ? "fmnist" : "";
        }
        if (eval.real.equals("auto")) {
            eval.real = fashion ? "fashion-mnist:test" : "";
        }
        return this;
    }

    private <S> void resolveActive(ModelPreset<S> p, ResolveContext run) {
        p.resolve(sectionOf(p), run);
    }

    private <S> void normalise(ModelPreset<S> p, ResolveContext run) {
        p.normalise(sectionOf(p), run);
    }

    private <S> void validateSection(ModelPreset<S> p) {
        p.validate(sectionOf(p));
    }

    // ---- ModelSettings: what the models read -----------------------------------------------------

    @Override
    public String modelName() {
        return model;
    }

    /** The model settings section under {@code key} (the field of that name: dcgan, progan, ...). */
    @Override
    public Object section(String key) {
        try {
            return TrainConfig.class.getField(key).get(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("TrainConfig has no settings section '" + key
                    + "': a registered model's section needs a field of that name", e);
        }
    }

    @Override
    public int minibatchDiscrimination() {
        return tricks.minibatchDiscrimination;
    }

    @Override
    public String cond() {
        return cond;
    }

    @Override
    public int condClasses() {
        return condClasses;
    }

    @Override
    public void recordCondClasses(int k) {
        condClasses = k;
    }

    @Override
    public boolean classBalanced() {
        return classBalanced;
    }

    @Override
    public String dataSpec() {
        return data;
    }

    @Override
    public Mix mix() {
        MixConfig m = mix == null ? new MixConfig() : mix;
        return new Mix(m.dSpectralNorm, m.dMbstd, tricks.minibatchDiscrimination, dcgan.minibatchKernelDim, m.gSle);
    }

    // ---- Validation -------------------------------------------------------------------------------

    /**
     * Checks the evaluation settings of a resolved config for a new run on this machine, without loading
     * anything: {@code eval.metrics} (against the metrics registered in this JVM), {@code eval.features}
     * and {@code eval.real} (its name, options and folder, and that a packaged set is installed). They are used first at the first evaluation,
     * maybe hours in, where a misspelling would be only a warning. Not part of {@link #validate()}: a stored
     * run scored with a metric a notebook registered, or with real images in a folder of another machine,
     * must still load, sample and resume (its evaluations then warn).
     */
    public void checkEvaluationForNewRun() {
        if (eval.metrics.isBlank()) {
            return;
        }
        String key = "eval.metrics";
        try {
            if (!eval.metrics.equals("auto")) {
                MetricRegistry.parseList(eval.metrics);
            }
            key = "eval.features";
            if (!eval.features.isBlank() && !eval.features.equals("auto")) {
                Extractors.scoreSuffix(eval.features);
            }
            key = "eval.real";
            if (!eval.real.isBlank() && !eval.real.equals("auto")) {
                dev.ganlab.data.Datasets.checkSpec(eval.real);
            }
        } catch (UserError e) {
            throw new UserError(key + ": " + e.getMessage(), e);
        }
    }

    /** Checks every value of a resolved config; the message names the key at fault. */
    public void validate() {
        Models.preset(model);
        try {
            adversarialLoss();
            penaltyKind();
            optG.validate("optG");
            optD.validate("optD");
            for (ModelPreset<?> owner : Models.sectionOwners()) {
                validateSection(owner);
            }
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
        check(steps >= 1, "steps " + steps + " must be >= 1");
        check(batch >= 2, "batch " + batch + " must be >= 2");
        check(nCritic >= 1, "nCritic " + nCritic + " must be >= 1");
        check(penaltyWeight >= 0, "penaltyWeight " + penaltyWeight + " must be >= 0");
        check(penaltyEvery >= 1, "penaltyEvery " + penaltyEvery + " must be >= 1");
        check(drift >= 0, "drift " + drift + " must be >= 0");
        check(clip >= 0, "clip " + clip + " must be >= 0");
        check(hingeMargin.equals("fixed") || hingeMargin.equals("random"),
                "hingeMargin '" + hingeMargin + "': use fixed or random");
        check(generatorFakes.equals(FRESH_FAKES) || generatorFakes.equals(REUSED_FAKES),
                "generatorFakes '" + generatorFakes + "': use " + FRESH_FAKES + " or " + REUSED_FAKES);
        check(emaDecay >= 0 && emaDecay < 1, "emaDecay " + emaDecay + " must be in [0, 1)");
        check(emaBatchNormLatents >= 0, "emaBatchNormLatents " + emaBatchNormLatents
                + " must be >= 0 (0 = keep the raw generator's batch-norm statistics)");
        check(dataLimit >= 0, "dataLimit " + dataLimit + " must be >= 0");
        check(java.util.List.of("auto", "memory", "disk").contains(dataStorage), "dataStorage '" + dataStorage + "': use auto, memory or disk");
        ReplicaDevices.checkSyntax(devices); // the GPUs themselves are checked where the run trains
        check(resolution == null || resolution >= 4, "resolution " + resolution + " must be >= 4");
        check(channels == null || channels == 1 || channels == 3, "channels " + channels + " must be 1 or 3");
        check(logEvery >= 1 && sampleEvery >= 1 && checkpointEvery >= 1,
                "logEvery, sampleEvery and checkpointEvery must be >= 1");
        check(keepCheckpoints >= 1, "keepCheckpoints " + keepCheckpoints + " must be >= 1");
        check(sampleCount >= 1 && sampleCount <= 1024, "sampleCount " + sampleCount + " must be in 1..1024");
        check(eval.every >= 0, "eval.every " + eval.every + " must be >= 0 (0 = at the end only)");
        check(eval.n == 0 || eval.n >= 2, "eval.n " + eval.n + " must be >= 2 (or 0 = auto)");
        BestGenerator.checkSetting(eval.keepBest, eval.metrics, eval.features);
        Tricks t = tricks;
        check(t.labelSmoothing > 0 && t.labelSmoothing <= 1, "tricks.labelSmoothing " + t.labelSmoothing
                + " must be in (0, 1] (1 = off, 0.9 = the usual smoothing)");
        check(t.labelSmoothing == 1 || adversarialLoss().hasLabelTarget(), "tricks.labelSmoothing needs a loss"
                + " with labels (minimax, ns, lsgan), not " + loss);
        check(t.instanceNoise >= 0, "tricks.instanceNoise " + t.instanceNoise + " must be >= 0");
        check(t.instanceNoiseSteps >= 1, "tricks.instanceNoiseSteps must be >= 1");
        check(t.featureMatching >= 0, "tricks.featureMatching " + t.featureMatching + " must be >= 0");
        check(!t.featureMatchingOnly || t.featureMatching > 0, "tricks.featureMatchingOnly needs tricks.featureMatching > 0");
        check(t.minibatchDiscrimination >= 0, "tricks.minibatchDiscrimination must be >= 0");
        check(t.replayBuffer >= 0, "tricks.replayBuffer must be >= 0");
        check(t.replayFraction > 0 && t.replayFraction < 1, "tricks.replayFraction " + t.replayFraction
                + " must be in (0, 1)");
        check(t.historicalAveraging >= 0, "tricks.historicalAveraging must be >= 0");
        MixSupport.check(model, mix, t.minibatchDiscrimination, dcgan.dNorm, batch);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new UserError("config: " + message);
        }
    }

    // ---- JSON and the settings schema -------------------------------------------------------------

    /** The settings of a training config as dotted keys ({@code optD.lr}) with their types. */
    public static final SettingsSchema SCHEMA = SettingsSchema.of(TrainConfig.class);

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    public String toJson() {
        return GSON.toJson(this);
    }

    /** This config as a JSON tree (unset values absent, as in {@link #toJson}). */
    public JsonObject toJsonTree() {
        return GSON.toJsonTree(this).getAsJsonObject();
    }

    /** A deep copy. */
    public TrainConfig copy() {
        return GSON.fromJson(GSON.toJsonTree(this), TrainConfig.class);
    }

    private static OptimizerConfig copyOf(OptimizerConfig o) {
        return GSON.fromJson(GSON.toJson(o), OptimizerConfig.class);
    }

    /** The {@code config.json} of a run folder, as stored (not resolved). */
    public static TrainConfig ofRun(java.nio.file.Path runDir) {
        java.nio.file.Path cfgFile = runDir.resolve("config.json");
        if (!java.nio.file.Files.isRegularFile(cfgFile)) {
            throw new UserError(runDir + " is not a GAN Lab run (no config.json)");
        }
        try {
            String json = java.nio.file.Files.readString(cfgFile);
            TrainConfig c;
            try {
                c = fromJson(json);
            } catch (UserError e) {
                throw new UserError(cfgFile + ": " + e.getMessage(), e);
            }
            // A run stores its resolved (complete) config, so a missing key means the run predates it.
            if (c.generatorFakes == null) {
                c.generatorFakes = FRESH_FAKES; // every model's update drew fresh latents before the setting
            }
            ModelPreset<?> preset = Models.preset(c.model);
            JsonElement stored = JsonParser.parseString(json).getAsJsonObject().get(preset.sectionKey());
            if (stored != null && stored.isJsonObject()) {
                c.completeStored(preset, stored.getAsJsonObject());
            }
            return c;
        } catch (java.io.IOException e) {
            // Not a UserError: a run whose config cannot be read is no run with bad settings (RunOpening.reopen).
            throw new java.io.UncheckedIOException("cannot read " + cfgFile + ": " + dev.ganlab.core.IoMessages.reason(e), e);
        }
    }

    private <S> void completeStored(ModelPreset<S> p, JsonObject stored) {
        p.completeStored(sectionOf(p), stored);
    }

    /** Parses a config, rejecting unknown keys and values of the wrong type (the key is named). */
    public static TrainConfig fromJson(String json) {
        JsonElement tree;
        try {
            tree = JsonParser.parseString(json);
        } catch (JsonSyntaxException e) {
            throw new UserError("config is not valid JSON: " + e.getMessage(), e);
        }
        if (!tree.isJsonObject()) {
            throw new UserError("config must be a JSON object");
        }
        return fromTree(tree.getAsJsonObject());
    }

    /** A config from a JSON tree, checked against {@link #SCHEMA} first. */
    public static TrainConfig fromTree(JsonObject tree) {
        SCHEMA.check(tree, "config");
        TrainConfig c;
        try {
            c = GSON.fromJson(tree, TrainConfig.class);
        } catch (JsonParseException | NumberFormatException e) {
            throw new UserError("config: a value has the wrong type: " + e.getMessage(), e);
        }
        TrainConfig fresh = new TrainConfig();
        for (Field f : TrainConfig.class.getFields()) {
            try {
                // A group given as null (or an old file without it) takes its defaults.
                if (!Modifier.isStatic(f.getModifiers()) && SettingsSchema.Kind.GROUP == SCHEMA.setting(f.getName()).kind()
                        && f.get(c) == null && f.get(fresh) != null) {
                    f.set(c, f.get(fresh));
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        for (OptimizerConfig o : new OptimizerConfig[] {c.optG, c.optD}) {
            if (o != null) {
                o.completeLegacyGroup();
            }
        }
        return c;
    }

    /**
     * Applies {@code key=value} (dotted keys reach nested settings: {@code optD.lr=1e-4},
     * {@code tricks.labelSmoothing=0.9}; a group takes JSON: {@code optD={"type":"sgd","lr":0.01}}).
     * Unknown keys and values of the wrong type are errors naming the key ({@link #SCHEMA}).
     */
    public TrainConfig set(String key, String value) {
        return set(key, SCHEMA.parse(key, value));
    }

    /**
     * Sets a dotted key to a JSON value, checked against {@link #SCHEMA}. Only that field changes (the
     * groups on the way are the same objects; an unset one is created: with its defaults, or, for an
     * optimiser, empty, so that resolving completes it from the run's default optimiser).
     */
    public TrainConfig set(String key, JsonElement value) {
        SCHEMA.check(key, value, "");
        String[] path = key.split("\\.");
        Object target = this;
        try {
            for (int i = 0; i < path.length - 1; i++) {
                Field f = target.getClass().getField(path[i]);
                Object next = f.get(target);
                if (next == null) {
                    next = f.getType().getConstructor().newInstance();
                    f.set(target, next);
                }
                target = next;
            }
            Field f = target.getClass().getField(path[path.length - 1]);
            f.set(target, GSON.fromJson(value, f.getGenericType()));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot set '" + key + "': " + e.getMessage(), e);
        } catch (JsonParseException | NumberFormatException e) {
            throw new UserError("setting '" + key + "': " + value + ": " + e.getMessage(), e);
        }
        return this;
    }

    /**
     * Applies a command line's {@code KEY=VALUE} ({@code --set}); {@code flag} names the option in the
     * message for a malformed one.
     */
    public TrainConfig setAssignment(String assignment, String flag) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new UserError(flag + " '" + assignment + "' must be KEY=VALUE");
        }
        return set(assignment.substring(0, eq).trim(), assignment.substring(eq + 1));
    }

    /**
     * The Java type of the setting at a dotted key ({@code optD.lr} is a float, {@code optD} an
     * {@link OptimizerConfig}). An unknown key is a UserError naming it.
     */
    public static Class<?> settingType(String key) {
        return SCHEMA.setting(key).type();
    }
}
