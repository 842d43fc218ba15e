package dev.ganlab.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ganlab.core.AtomicFiles;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a {@link GanTrainer} gets its run folder: a new run, a resumed one, or (for notebooks) the old
 * run kept aside when the settings changed. The bodies of {@link GanTrainer#start}, {@link GanTrainer#resume},
 * {@link GanTrainer#open} and {@link GanTrainer#reopen}.
 */
final class RunOpening {

    private RunOpening() {}

    static GanTrainer start(TrainConfig cfg, Path dir, ImageDataset data) {
        TrainConfig r = cfg.resolved();
        if (!Checkpoint.list(dir.resolve("checkpoints")).isEmpty()) {
            throw new UserError("run folder " + dir + " already holds checkpoints: resume it (--resume /"
                    + " GanTrainer.resume) or choose another output folder");
        }
        r.checkEvaluationForNewRun();
        // The config as asked, before building the run records what it finds in the data (the classes).
        String stored = r.toJson();
        // Built before anything is written: a data set that does not load, or a model its settings refuse,
        // leaves no folder that `ganlab runs` would list as a run waiting to start.
        GanTrainer t = new GanTrainer(r, dir, null, data);
        try {
            Files.createDirectories(dir.resolve("samples"));
            Files.createDirectories(dir.resolve("checkpoints"));
            AtomicFiles.writeString(dir.resolve("config.json"), stored);
            BestGenerator.forgetAfter(dir, 0); // kept by a run here that stopped before its first checkpoint
        } catch (IOException e) {
            t.close();
            throw new UncheckedIOException("cannot create run folder " + dir, e);
        } catch (RuntimeException e) {
            t.close(); // the engine memory of the built networks
            throw e;
        }
        t.status().started = java.time.Instant.now().toString();
        return t;
    }

    static GanTrainer resume(Path dir, Integer steps, ImageDataset data) {
        return resume(dir, steps, null, data);
    }

    /** {@code devices}, when not null, replaces the stored placement: a run resumes on any number of devices. */
    static GanTrainer resume(Path dir, Integer steps, String devices, ImageDataset data) {
        Path cfgFile = dir.resolve("config.json");
        TrainConfig cfg = TrainConfig.ofRun(dir);
        if (steps != null) {
            cfg.steps = steps;
        }
        if (devices != null) {
            cfg.devices = devices;
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
        BestGenerator.forgetAfter(dir, ckpt.header().get("step").getAsLong());
        GanTrainer t = new GanTrainer(cfg, dir, ckpt, data);
        RunStatus old = RunStatus.read(dir.resolve("status.json"));
        t.status().started = old != null && old.started != null ? old.started : java.time.Instant.now().toString();
        return t;
    }

    static GanTrainer open(TrainConfig cfg, Path dir, boolean resume) {
        if (resume && !Checkpoint.list(dir.resolve("checkpoints")).isEmpty()) {
            UserError refused = resumeRefusal(cfg, dir);
            if (refused != null) {
                throw refused;
            }
            return resume(dir, cfg.steps, cfg.devices, null);
        }
        return start(cfg, dir, null);
    }

    /**
     * Why the run in {@code dir} (one with a checkpoint) cannot continue as {@code cfg} asks, or null:
     * its stored settings no longer resolve, or a setting other than steps and devices differs.
     */
    static UserError resumeRefusal(TrainConfig cfg, Path dir) {
        String problem = storedSettingsProblem(dir);
        if (problem != null) {
            return new UserError("run " + dir + " cannot be resumed: its settings in " + dir.resolve("config.json")
                    + " are not valid for this version of GAN Lab (" + problem + "); start a new run in another"
                    + " folder");
        }
        List<String> changed = settingsChanged(cfg, dir);
        return changed.isEmpty() ? null : ConfigDifferences.resumeRefused(dir, changed);
    }

    static GanTrainer reopen(TrainConfig cfg, Path dir) {
        List<Path> checkpoints = Checkpoint.list(dir.resolve("checkpoints"));
        boolean started = !checkpoints.isEmpty();
        String problem = started ? storedSettingsProblem(dir) : null;
        // A run already further on than the steps asked for (a notebook's quick profile shortened) cannot give
        // the shorter run; continuing it would show a longer one under the new length.
        long past = started ? Checkpoint.stepOf(checkpoints.get(0)) : 0;
        if (problem == null && past > cfg.steps) {
            problem = "it has trained " + past + " steps, past the " + cfg.steps + " asked for";
        }
        List<String> changed = started && problem == null ? settingsChanged(cfg, dir) : List.of();
        if (started && (problem != null || !changed.isEmpty())) {
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
            String why = problem == null ? " had other settings (" + String.join("; ", changed) + ")"
                    : past > cfg.steps ? " cannot be shortened (" + problem + ")"
                    : " has settings this version of GAN Lab does not accept (" + problem + ")";
            System.out.println("The run in " + dir + why + "; it is kept as " + aside + " and a new run starts.");
        }
        return open(cfg, dir, true);
    }

    /**
     * Why the settings stored in {@code dir}'s config.json do not resolve under this version (a run
     * written by an earlier version may hold a setting that no longer applies to its model), or null.
     */
    private static String storedSettingsProblem(Path dir) {
        try {
            TrainConfig.ofRun(dir).resolved();
            return null;
        } catch (UserError | IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * The settings in which {@code cfg} differs from the run in {@code dir}, each as
     * {@code key: the run has A, asked B} (empty: the same run), the number of steps and the devices aside.
     * Both are resolved at the stored run's length, so defaults derived from the number of steps (the
     * instance-noise schedule) compare equal.
     */
    private static List<String> settingsChanged(TrainConfig cfg, Path dir) {
        TrainConfig stored = TrainConfig.ofRun(dir);
        TrainConfig want = cfg.copy();
        want.steps = stored.steps;
        want.devices = stored.devices; // where it trains is no setting of the run
        if (want.tricks.instanceNoiseSteps == null) {
            // Its default is the length the run was first started with, which the stored config keeps
            // while steps grows with each extension.
            want.tricks.instanceNoiseSteps = stored.tricks.instanceNoiseSteps;
        }
        if (want.generatorFakes == null) {
            // Likewise a run that predates the setting keeps the fresh latents it trained with (TrainConfig.ofRun),
            // where resolving the request would give the model's present default.
            want.generatorFakes = stored.generatorFakes;
        }
        // And a run that predates optimiser weight decay keeps the none it trained with (OptimizerConfig
        // reads its complete group as decay 0) where the request leaves the decay to the model's default.
        want.optG = withStoredDecay(want.optG, stored.optG);
        want.optD = withStoredDecay(want.optD, stored.optD);
        JsonObject asked = cfg.toJsonTree(); // the request as given: settings left to their defaults are absent
        List<String> out = new ArrayList<>();
        for (String d : ConfigDifferences.of(stored.resolved().toJsonTree(), want.resolved().toJsonTree())) {
            String key = d.substring(0, d.indexOf(':'));
            // A default that changed since the run started is no change the user asked for: say which it is.
            out.add(isSet(asked, key) ? d : d + " (the request leaves " + key + " to its default, which this version"
                    + " of GAN Lab changed since the run started: set " + key + " to the run's value to continue it)");
        }
        return out;
    }

    private static OptimizerConfig withStoredDecay(OptimizerConfig asked, OptimizerConfig stored) {
        if (stored == null || stored.weightDecay == null || (asked != null && asked.weightDecay != null)) {
            return asked;
        }
        OptimizerConfig o = asked == null ? new OptimizerConfig() : asked.copy();
        o.weightDecay = stored.weightDecay;
        return o;
    }

    /** Whether the dotted {@code key} is given in {@code tree} (a config's JSON, where unset settings are absent). */
    private static boolean isSet(JsonObject tree, String key) {
        JsonElement e = dev.ganlab.core.SettingsSchema.get(tree, key);
        return e != null && !e.isJsonNull();
    }
}
