package dev.ganlab.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import dev.ganlab.core.UserError;
import dev.ganlab.loss.AdversarialLoss;
import dev.ganlab.loss.GradientPenalty;
import dev.ganlab.models.dcgan.DcganConfig;
import dev.ganlab.models.fastgan.FastganConfig;
import dev.ganlab.models.gan.GanConfig;
import dev.ganlab.models.progan.ProganConfig;
import dev.ganlab.models.resnet19.Resnet19Config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every setting of a training run, in one object that serialises to JSON ({@code config.json} of a
 * run). Fields left null (or "auto") take the defaults of the chosen model and loss when the config
 * is {@link #resolved()}, so a user who only says {@code --loss wgan} gets the WGAN paper's RMSprop,
 * clipping and five critic steps, while anything set explicitly wins. The resolved config is what a
 * run records, so it is complete and reproducible.
 *
 * <p>{@link #fromJson} rejects unknown keys and wrongly typed values naming the key, and
 * {@link #set} applies a {@code key=value} override with the same checks (command line, sweeps).
 */
public final class TrainConfig {

    // ---- Paper defaults used by the presets -------------------------------------------------------
    /** DCGAN (Radford et al., 2016): Adam lr 2e-4, beta1 0.5. */
    public static final OptimizerConfig DCGAN_ADAM = OptimizerConfig.adam(2e-4f, 0.5f, 0.999f);
    /** WGAN (Arjovsky et al., 2017): RMSprop lr 5e-5, clip 0.01, 5 critic steps. */
    public static final float WGAN_LR = 5e-5f;
    public static final float WGAN_CLIP = 0.01f;
    public static final int WGAN_CRITIC_STEPS = 5;
    /** WGAN-GP (Gulrajani et al., 2017): Adam lr 1e-4, betas (0, 0.9), 5 critic steps, lambda 10. */
    public static final OptimizerConfig WGAN_GP_ADAM = OptimizerConfig.adam(1e-4f, 0f, 0.9f);
    /** Generator EMA decay (Karras et al., ProGAN 2018: 0.999). */
    public static final float EMA_DECAY = 0.999f;
    /** Latents for the EMA generator's batch-norm statistics (see {@link Ema}); not a paper value. */
    public static final int EMA_BATCH_NORM_LATENTS = 512;

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
    /** Random horizontal flips of training images. */
    public boolean hflip = false;

    // ---- The game ---------------------------------------------------------------------------------
    /** Seed of everything random: initialisation, data order, latents, penalties. */
    public long seed = 1;
    /** Training steps (one step = nCritic discriminator updates + one generator update). */
    public int steps = 2000;
    /** Batch size; null = the model's default (64, ProGAN: per resolution, FastGAN: 8). */
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
    /** Weight clipping bound for the critic (WGAN); null = 0.01 for wgan, else off. */
    public Float clip;
    /** Hinge margin: "fixed" (1) or "random" (FastGAN: U(0.8, 1) per score). */
    public String hingeMargin;
    public OptimizerConfig optG;
    public OptimizerConfig optD;
    /** Generator EMA decay (0 = off); null = 0.999. */
    public Float emaDecay;
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

    // ---- Model settings ---------------------------------------------------------------------------
    public DcganConfig dcgan = new DcganConfig();
    public ProganConfig progan = new ProganConfig();
    public FastganConfig fastgan = new FastganConfig();
    public GanConfig gan = new GanConfig();
    public Resnet19Config resnet19 = new Resnet19Config();

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
        return switch (model) {
            case "progan" -> "wgan-gp";
            case "fastgan" -> "hinge";
            case "resnet19" -> Resnet19Config.LOSS;
            default -> "ns";
        };
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
     * A copy with every default filled in from the model and loss (see the class comment), then
     * validated.
     */
    public TrainConfig resolved() {
        try {
            return resolve();
        } catch (IllegalArgumentException e) {
            throw new UserError("config: " + e.getMessage(), e);
        }
    }

    private TrainConfig resolve() {
        TrainConfig c = copy();
        if (c.model.equals("resnet19")) {
            Resnet19Config.applyPreset(c); // the study's settings where the run leaves them unset
        }
        if (c.loss == null) {
            c.loss = defaultLoss();
        }
        c.loss = c.loss.toLowerCase(Locale.ROOT);
        boolean wgan = c.loss.equals("wgan");
        boolean wganGp = c.loss.equals("wgan-gp");
        GradientPenalty.Kind kind = c.penaltyKind();
        c.penalty = kind == null ? "none" : kind.key();
        if (c.penaltyWeight == null) {
            c.penaltyWeight = kind == null ? 0f : kind.defaultWeight();
        }
        if (c.nCritic == null) {
            c.nCritic = (wgan || wganGp) && !c.model.equals("progan") ? WGAN_CRITIC_STEPS : 1;
        }
        if (c.clip == null) {
            c.clip = wgan ? WGAN_CLIP : 0f;
        }
        if (c.drift == null) {
            c.drift = c.model.equals("progan") && (wgan || wganGp) ? (float) ProganConfig.DRIFT_WEIGHT : 0f;
        }
        if (c.hingeMargin == null) {
            c.hingeMargin = c.model.equals("fastgan") ? "random" : "fixed";
        }
        if (c.batch == null) {
            c.batch = c.model.equals("fastgan") ? FastganConfig.BATCH_SIZE : 64;
        }
        if (c.emaDecay == null) {
            c.emaDecay = c.model.equals("fastgan") ? FastganConfig.EMA_DECAY
                    : c.model.equals("progan") ? (float) ProganConfig.G_EMA_DECAY : EMA_DECAY;
        }
        if (c.augment == null) {
            c.augment = c.model.equals("fastgan") ? FastganConfig.DIFFAUGMENT_POLICY : "";
        }
        if (c.model.equals("progan")) {
            // The data is loaded at the target resolution; ProGAN pools it down to each stage.
            if (c.resolution == null) {
                c.resolution = c.progan.targetResolution;
            }
            c.progan.targetResolution = c.resolution;
        }
        if (c.optG == null || c.optD == null) {
            OptimizerConfig preset;
            if (wgan) {
                preset = OptimizerConfig.rmsprop(WGAN_LR);
            } else if (wganGp && !c.model.equals("progan")) {
                preset = copyOf(WGAN_GP_ADAM);
            } else if (c.model.equals("progan")) {
                preset = OptimizerConfig.adam((float) ProganConfig.LEARNING_RATE, (float) ProganConfig.ADAM_BETA1,
                        (float) ProganConfig.ADAM_BETA2);
                preset.eps = (float) ProganConfig.ADAM_EPS;
            } else if (c.model.equals("fastgan")) {
                preset = OptimizerConfig.adam(FastganConfig.LEARNING_RATE, FastganConfig.BETA1, FastganConfig.BETA2);
            } else {
                preset = copyOf(DCGAN_ADAM);
            }
            if (c.optG == null) {
                c.optG = preset;
            }
            if (c.optD == null) {
                c.optD = copyOf(preset);
            }
        }
        if (c.tricks.instanceNoiseSteps == null) {
            c.tricks.instanceNoiseSteps = c.steps;
        }
        if (c.model.equals("dcgan") || c.model.equals("sndcgan")) {
            c.dcgan.variant = c.model;
        }
        c.dcgan.fillDefaults(); // latent size and widths: dcgan's or sndcgan's (DcganConfig)
        if (c.dcgan.dNorm.equals("auto")) {
            // A gradient penalty is defined per sample; batch norm couples samples (WGAN-GP paper, sec. 4).
            c.dcgan.dNorm = kind != null ? "layer" : "batch";
        }
        boolean fashion = c.data.startsWith("fashion-mnist") || c.data.startsWith("fmnist");
        if (c.eval.metrics.equals("auto")) {
            c.eval.metrics = fashion ? "fid,kid" : "swd";
        }
        if (c.eval.n == 0 && fashion) {
            c.eval.n = 2000;
        }
        if (c.eval.features.equals("auto")) {
            c.eval.features = fashion ? "fmnist" : "";
        }
        if (c.eval.real.equals("auto")) {
            c.eval.real = fashion ? "fashion-mnist:test" : "";
        }
        if (c.tricks.minibatchDiscrimination > 0) {
            c.dcgan.minibatchKernels = c.tricks.minibatchDiscrimination;
        }
        c.validate();
        return c;
    }

    /** Checks every value of a resolved config; the message names the key at fault. */
    public void validate() {
        if (!List.of("dcgan", "sndcgan", "resnet19", "progan", "fastgan", "gan").contains(model)) {
            throw new UserError("model '" + model + "': use dcgan, sndcgan, resnet19, progan, fastgan or gan");
        }
        try {
            adversarialLoss();
            penaltyKind();
            optG.validate("optG");
            optD.validate("optD");
            dcgan.validate();
            progan.validate();
            fastgan.validate();
            gan.validate();
            resnet19.validate();
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
        check(emaDecay >= 0 && emaDecay < 1, "emaDecay " + emaDecay + " must be in [0, 1)");
        check(emaBatchNormLatents >= 0, "emaBatchNormLatents " + emaBatchNormLatents
                + " must be >= 0 (0 = keep the raw generator's batch-norm statistics)");
        check(dataLimit >= 0, "dataLimit " + dataLimit + " must be >= 0");
        check(resolution == null || resolution >= 4, "resolution " + resolution + " must be >= 4");
        check(channels == null || channels == 1 || channels == 3, "channels " + channels + " must be 1 or 3");
        check(logEvery >= 1 && sampleEvery >= 1 && checkpointEvery >= 1,
                "logEvery, sampleEvery and checkpointEvery must be >= 1");
        check(keepCheckpoints >= 1, "keepCheckpoints " + keepCheckpoints + " must be >= 1");
        check(sampleCount >= 1 && sampleCount <= 1024, "sampleCount " + sampleCount + " must be in 1..1024");
        check(eval.every >= 0, "eval.every " + eval.every + " must be >= 0 (0 = at the end only)");
        check(eval.n == 0 || eval.n >= 2, "eval.n " + eval.n + " must be >= 2 (or 0 = auto)");
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
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new UserError("config: " + message);
        }
    }

    // ---- JSON -------------------------------------------------------------------------------------

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    public String toJson() {
        return GSON.toJson(this);
    }

    /** A deep copy. */
    public TrainConfig copy() {
        return GSON.fromJson(GSON.toJson(this), TrainConfig.class);
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
            TrainConfig c = fromJson(json);
            // A run stores its resolved (complete) config, so a missing key means the run predates it:
            // dcgan then had PyTorch-GAN's generator/discriminator and N(0, I) latents, not today's paper defaults.
            JsonElement dc = JsonParser.parseString(json).getAsJsonObject().get("dcgan");
            if (dc != null && dc.isJsonObject()) {
                if (!dc.getAsJsonObject().has("generator")) {
                    c.dcgan.generator = "pytorchgan";
                }
                if (!dc.getAsJsonObject().has("discriminator")) {
                    c.dcgan.discriminator = "pytorchgan"; // dcgan's D before dcgan.discriminator=paper
                }
                if (!dc.getAsJsonObject().has("latent")) {
                    c.dcgan.latent = "normal";
                }
            }
            return c;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + cfgFile, e);
        }
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
        checkKeys(tree.getAsJsonObject(), TrainConfig.class, "");
        try {
            TrainConfig c = GSON.fromJson(tree, TrainConfig.class);
            if (c.tricks == null) {
                c.tricks = new Tricks();
            }
            if (c.dcgan == null) {
                c.dcgan = new DcganConfig();
            }
            if (c.progan == null) {
                c.progan = new ProganConfig();
            }
            if (c.fastgan == null) {
                c.fastgan = new FastganConfig();
            }
            if (c.gan == null) {
                c.gan = new GanConfig();
            }
            if (c.resnet19 == null) {
                c.resnet19 = new Resnet19Config();
            }
            if (c.eval == null) {
                c.eval = new Eval();
            }
            return c;
        } catch (JsonSyntaxException | NumberFormatException e) {
            throw new UserError("config: a value has the wrong type: " + e.getMessage(), e);
        }
    }

    private static void checkKeys(JsonObject obj, Class<?> type, String prefix) {
        List<String> known = new ArrayList<>();
        for (Field f : type.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                known.add(f.getName());
            }
        }
        for (String key : obj.keySet()) {
            Field f;
            try {
                f = type.getField(key);
            } catch (NoSuchFieldException e) {
                f = null;
            }
            if (f == null || Modifier.isStatic(f.getModifiers())) {
                throw new UserError("unknown setting '" + prefix + key + "' (known: " + String.join(", ", known) + ")");
            }
            JsonElement v = obj.get(key);
            boolean flag = f.getType() == boolean.class || f.getType() == Boolean.class;
            if (flag && !v.isJsonNull() && !(v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean())) {
                // Gson reads any string into a boolean ("off" and "yes" both become false): say so instead.
                throw new UserError("setting '" + prefix + key + "': " + v + " is not a boolean (use true or false)");
            }
            if (v.isJsonObject() && !isLeaf(f.getType())) {
                checkKeys(v.getAsJsonObject(), f.getType(), prefix + key + ".");
            }
        }
    }

    private static boolean isLeaf(Class<?> t) {
        return t.isPrimitive() || t == String.class || Number.class.isAssignableFrom(t) || t == Boolean.class
                || java.util.Map.class.isAssignableFrom(t);
    }

    /**
     * Applies {@code key=value} (dotted keys reach nested settings: {@code optD.lr=1e-4},
     * {@code tricks.labelSmoothing=0.9}). Unknown keys and unparsable values are errors naming the key.
     */
    public TrainConfig set(String key, String value) {
        String[] path = key.split("\\.");
        Object target = this;
        Class<?> type = TrainConfig.class;
        try {
            for (int i = 0; i < path.length - 1; i++) {
                Field f = field(type, path[i], String.join(".", java.util.Arrays.copyOf(path, i + 1)));
                Object next = f.get(target);
                if (next == null) {
                    next = f.getType().getConstructor().newInstance();
                    f.set(target, next);
                }
                target = next;
                type = f.getType();
            }
            Field f = field(type, path[path.length - 1], key);
            f.set(target, parseValue(f.getType(), value, key));
        } catch (ReflectiveOperationException e) {
            throw new UserError("cannot set '" + key + "': " + e.getMessage(), e);
        }
        return this;
    }

    /**
     * The Java type of the setting at a dotted key ({@code optD.lr} is a float, {@code optD} an
     * {@link OptimizerConfig}), so a caller can check a value's type before setting it (sweeps check a
     * whole grid before anything runs). An unknown key is a UserError naming it.
     */
    public static Class<?> settingType(String key) {
        String[] path = key.split("\\.");
        Class<?> type = TrainConfig.class;
        for (int i = 0; i < path.length; i++) {
            type = field(type, path[i], String.join(".", java.util.Arrays.copyOf(path, i + 1))).getType();
        }
        return type;
    }

    private static Field field(Class<?> type, String name, String fullKey) {
        try {
            Field f = type.getField(name);
            if (Modifier.isStatic(f.getModifiers())) {
                throw new NoSuchFieldException(name);
            }
            return f;
        } catch (NoSuchFieldException e) {
            List<String> known = new ArrayList<>();
            for (Field f : type.getFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    known.add(f.getName());
                }
            }
            throw new UserError("unknown setting '" + fullKey + "' (known here: " + String.join(", ", known) + ")");
        }
    }

    private static Object parseValue(Class<?> t, String v, String key) {
        String s = v.trim();
        try {
            if (t == String.class) {
                return s;
            }
            if (s.equals("null") && !t.isPrimitive()) {
                return null;
            }
            if (t == int.class || t == Integer.class) {
                return Integer.parseInt(s);
            }
            if (t == long.class || t == Long.class) {
                return Long.parseLong(s);
            }
            if (t == float.class || t == Float.class) {
                return Float.parseFloat(s);
            }
            if (t == double.class || t == Double.class) {
                return Double.parseDouble(s);
            }
            if (t == boolean.class || t == Boolean.class) {
                if (!s.equals("true") && !s.equals("false")) {
                    throw new NumberFormatException();
                }
                return Boolean.parseBoolean(s);
            }
        } catch (NumberFormatException e) {
            throw new UserError("setting '" + key + "': '" + v + "' is not a " + t.getSimpleName().toLowerCase(Locale.ROOT));
        }
        if (s.startsWith("{")) {
            try {
                return GSON.fromJson(s, t);
            } catch (JsonSyntaxException e) {
                throw new UserError("setting '" + key + "': " + e.getMessage(), e);
            }
        }
        throw new UserError("setting '" + key + "' is a group of settings; set its members (" + key + ".x=...)");
    }
}
