package dev.ganlab.cli;

import dev.ganlab.core.GanLab;
import dev.ganlab.core.IoMessages;
import dev.ganlab.core.UserError;
import dev.ganlab.models.ModelPreset;
import dev.ganlab.models.Models;
import dev.ganlab.train.BestGenerator;
import dev.ganlab.train.Checkpoint;
import dev.ganlab.train.ConfigDifferences;
import dev.ganlab.train.GanTrainer;
import dev.ganlab.train.ReplicaDevices;
import dev.ganlab.train.MemoryEstimate;
import dev.ganlab.train.RunStatus;
import dev.ganlab.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ganlab train}: trains a GAN and writes config.json, metrics.csv, samples/ and checkpoints/
 * into the output folder; a growing model (ProGAN) also leaves one sample grid per resolution,
 * {@code samples/res-<R>px.png}.
 */
@Command(name = "train", description = "Train a GAN on a data set (train --help lists the models under --model).",
        footer = {"", "Examples:",
            "  ganlab train --model dcgan --data fashion-mnist --loss ns --steps 2000 --batch 64 --out runs/dcgan-ns",
            "  ganlab train --model progan --data emoji --resolution 64 --out runs/progan-emoji",
            "  ganlab train --model fastgan --data emoji:smileys --resolution 128 --set dataLimit=100 --out runs/fastgan-smileys",
            "  ganlab train ... --set fastgan.sle=false --set augment=         (FastGAN ablation: no SLE, no DiffAugment)",
            "  ganlab train --model sndcgan --data fashion-mnist --resolution 32 --cond projection --out runs/sndcgan-proj",
            "  ganlab train --config base.json --set tricks.labelSmoothing=0.9 --set optD.lr=1e-4 --out runs/x",
            "  ganlab train --out runs/dcgan-ns --resume --steps 4000     (continue a run, longer)",
            "  ganlab train --model sndcgan --batch 128 --devices gpu:0,gpu:1 --out runs/sn-2gpu   (data-parallel)"})
public final class TrainCommand implements Runnable {

    @Mixin CommonOptions common;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run folder.")
    Path out;

    @Option(names = "--config", paramLabel = "FILE", description = "A JSON config (TrainConfig); flags override it.")
    Path config;

    @Option(names = "--model", completionCandidates = ModelNames.class,
            description = "${COMPLETION-CANDIDATES} (default dcgan).")
    String model;

    @Option(names = "--data", description = "Data set spec, e.g. fashion-mnist, emoji:smileys, folder:/path.")
    String data;

    @Option(names = "--loss", description = "minimax, ns, wgan, wgan-gp, lsgan or hinge (default: the model's).")
    String loss;

    @Option(names = "--penalty", description = "none, wgan-gp, wgan-lp, dragan or r1 (default: what the loss implies).")
    String penalty;

    @Option(names = "--steps", description = "Training steps.")
    Integer steps;

    @Option(names = "--batch", description = "Batch size.")
    Integer batch;

    @Option(names = "--resolution", description = "Square training resolution.")
    Integer resolution;

    @Option(names = "--seed", description = "Seed of everything random.")
    Long seed;

    @Option(names = "--cond", description = "Class conditioning: none (default), concat, acgan or projection"
            + " (dcgan, sndcgan; needs labelled data).")
    String cond;

    @Option(names = "--class-balanced", description = "Batches with every class equally often (labelled data).")
    boolean classBalanced;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any setting, e.g. optD.lr=1e-4 (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--resume", description = "Continue the run in --out from its newest checkpoint (--steps may grow"
            + " and --devices change; another setting that differs from the run's is an error naming it).")
    boolean resume;

    @Option(names = "--devices", paramLabel = "LIST", description = "Data-parallel replicas: gpu:0,gpu:1,... or all"
            + " (every GPU; the CPU when there is none); the batch is split over them. A run resumes on any devices.")
    String devices;

    @Option(names = "--estimate-memory", description = "Print the run's estimated peak memory and exit (a new run"
            + " that does not fit the available memory is refused; " + MemoryEstimate.ENV_AVAILABLE + "=<GB> overrides).")
    boolean estimateMemory;

    @Override
    public void run() {
        common.apply();
        TrainConfig cfg = buildConfig();
        if (resume && !Files.isDirectory(out.resolve("checkpoints"))) {
            throw new UserError("--resume: " + out + " holds no checkpoints to resume");
        }
        if (estimateMemory) {
            System.out.println(MemoryEstimate.of(requireResolution(cfg.resolved())).describe(MemoryEstimate.availableBytes()));
            return;
        }
        if (!resume) {
            MemoryEstimate.checkNewRun(cfg.resolved()); // refused before the run folder is made (issue 18, item 4)
        }
        // A run with a checkpoint continues as stored; the flags (applied to its stored config) may only change
        // the steps and the devices. Without a checkpoint (stopped before its first) it starts afresh with the
        // stored settings and the flags.
        boolean resumeAsStored = resume && config == null && !Checkpoint.list(out.resolve("checkpoints")).isEmpty()
                && (!givesSettings() || repeatsStoredSettings(cfg));
        TrainConfig stored = resumeAsStored ? TrainConfig.ofRun(out) : null;
        boolean moved = resumeAsStored && !java.util.Objects.equals(cfg.devices, stored.devices);
        String spec = cfg.devices;
        List<ai.djl.Device> replicas = ReplicaDevices.parse(spec); // a missing GPU: an error before any work
        if (common.device == null && !replicas.isEmpty()) {
            GanLab.setDevice(ReplicaDevices.name(replicas.get(0))); // the parameters live with the first replica
        }
        RunStatus status;
        try (GanTrainer t = resumeAsStored && !moved ? GanTrainer.resume(out, cfg.steps)
                : resumeAsStored ? GanTrainer.open(onDevices(stored, cfg), out, true)
                : GanTrainer.open(cfg, out, resume)) {
            if (replicas.size() > 1) {
                System.err.println("data-parallel: the batch of " + t.config().batch + " is split over "
                        + replicas.size() + " replicas on " + ReplicaDevices.describe(replicas));
            }
            String note = growthNote(t.config());
            if (note != null) {
                System.err.println(note);
            }
            status = t.train();
        }
        if (!status.status.equals(RunStatus.FINISHED)) {
            throw new UserError("run " + out + " " + status.status + ": " + status.message);
        }
        BestGenerator.read(out).ifPresent(kept -> System.out.println("best evaluation: " + kept.summary()));
    }

    /**
     * For --resume with setting flags and no --config: true when every flag repeats the run's own value;
     * otherwise the refusal, naming each changed setting and both values. Compared as stored, before
     * resolving: a changed setting can make the stored resolved values of others inconsistent (a penalty
     * changes DCGAN's default discriminator norm), which would hide the one the user changed.
     */
    private boolean repeatsStoredSettings(TrainConfig asked) {
        TrainConfig stored = TrainConfig.ofRun(out);
        TrainConfig same = asked.copy();
        same.steps = stored.steps;
        same.devices = stored.devices;
        List<String> changed = ConfigDifferences.of(stored.toJsonTree(), same.toJsonTree());
        if (!changed.isEmpty() && !resolvesAlike(stored, same)) {
            throw ConfigDifferences.resumeRefused(out, changed);
        }
        return true;
    }

    /** Whether two configs resolve to the same run (--loss NS or --penalty auto on a run stored as ns, none). */
    private static boolean resolvesAlike(TrainConfig stored, TrainConfig asked) {
        try {
            return stored.resolved().toJsonTree().equals(asked.resolved().toJsonTree());
        } catch (UserError | IllegalArgumentException e) {
            return false; // the request does not even resolve on the stored settings: a change, said as such
        }
    }

    /** The run's stored config with the steps and devices asked for (flag or --set): a resume on other devices. */
    private static TrainConfig onDevices(TrainConfig stored, TrainConfig asked) {
        TrainConfig moved = stored.copy();
        moved.devices = asked.devices;
        moved.steps = asked.steps;
        return moved;
    }

    /**
     * For a ProGAN run whose steps end before its schedule has grown to the target resolution (the
     * default 2000 steps cover a fraction of the paper's 800k-image phases), a note that says how many
     * steps growing takes; null otherwise. Such a run is legal (a short test), but rarely meant.
     */
    static String growthNote(TrainConfig resolved) {
        return planNote(Models.preset(resolved.model), resolved);
    }

    private static <S> String planNote(ModelPreset<S> p, TrainConfig resolved) {
        return p.planNote(resolved.sectionOf(p), resolved.steps, resolved.batch, resolved.nCritic);
    }

    private static TrainConfig requireResolution(TrainConfig resolved) {
        if (resolved.resolution == null) {
            throw new UserError("--estimate-memory needs --resolution (or a config that sets it)");
        }
        return resolved;
    }

    /** Whether any flag other than --steps and --devices (which a resume may change) sets a setting. */
    private boolean givesSettings() {
        return model != null || data != null || loss != null || penalty != null || batch != null || resolution != null
                || seed != null || cond != null || classBalanced || !sets.isEmpty();
    }

    /**
     * The config the flags ask for: --config (or, for --resume, the run's stored config; else the
     * defaults), then the flags, then --set. A --resume that changes a setting is refused where the run is
     * opened, naming the setting; a flag and a --set of the same key are refused here.
     */
    TrainConfig buildConfig() {
        TrainConfig cfg;
        if (config != null) {
            try {
                cfg = TrainConfig.fromJson(Files.readString(config));
            } catch (IOException e) {
                throw new UserError("cannot read --config " + config + ": " + IoMessages.reason(e), e);
            } catch (UserError e) {
                throw new UserError("--config " + config + ": " + e.getMessage(), e);
            }
        } else if (resume && Files.isRegularFile(out.resolve("config.json"))) {
            cfg = TrainConfig.ofRun(out); // so a flag that repeats a stored value is no change
        } else {
            cfg = new TrainConfig();
        }
        refuseFlagAndSetOfOneKey();
        if (model != null) {
            cfg.model = model;
        }
        if (data != null) {
            cfg.data = data;
        }
        if (loss != null) {
            cfg.loss = loss;
        }
        if (penalty != null) {
            cfg.penalty = penalty;
        }
        if (steps != null) {
            cfg.steps = steps;
        }
        if (batch != null) {
            cfg.batch = batch;
        }
        if (resolution != null) {
            cfg.resolution = resolution;
        }
        if (cond != null) {
            dev.ganlab.models.Conditioning.parse(cond); // a clear error before any loading
            cfg.cond = cond;
        }
        if (classBalanced) {
            cfg.classBalanced = true;
        }
        if (seed != null) {
            cfg.seed = seed;
        }
        for (String kv : sets) {
            cfg.setAssignment(kv, "--set");
        }
        if (devices != null) {
            cfg.devices = devices;
        }
        return cfg;
    }

    /** A key given both by its own flag and by --set: which one was meant is not for us to guess. */
    private void refuseFlagAndSetOfOneKey() {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("model", model);
        flags.put("data", data);
        flags.put("loss", loss);
        flags.put("penalty", penalty);
        flags.put("steps", steps);
        flags.put("batch", batch);
        flags.put("resolution", resolution);
        flags.put("seed", seed);
        flags.put("cond", cond);
        flags.put("classBalanced", classBalanced ? Boolean.TRUE : null);
        flags.put("devices", devices);
        for (String kv : sets) {
            int eq = kv.indexOf('=');
            String key = eq <= 0 ? "" : kv.substring(0, eq).trim();
            if (flags.get(key) != null) {
                String flag = key.equals("classBalanced") ? "--class-balanced" : "--" + key + " " + flags.get(key);
                throw new UserError(flag + " and --set " + kv.trim() + " both set " + key + ": give it once");
            }
        }
    }
}
