package dev.ganlab.train;

import com.google.gson.JsonObject;
import dev.ganlab.core.UserError;
import dev.ganlab.objective.ObjectiveTerm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checkpoints every {@code checkpointEvery} steps and after the last: an atomic file
 * ({@link Checkpoint}) with the networks (G, D, EMA_G), the optimisers' moments, the replay buffer,
 * each objective term's state (its own sections) and a header with the step, images, loader position,
 * seconds and the history's open interval, so a resumed run continues bit for bit. Keeps the newest
 * {@code keepCheckpoints}. {@link #restore} reads one back.
 */
final class CheckpointWriter implements TrainingListener {

    @Override
    public void onStepEnd(GanTrainer trainer, long done, Map<String, Float> values) {
        if (trainer.timetable().checkpoints(done)) {
            trainer.checkpoint();
        }
    }

    /** Writes a checkpoint of the trainer's state and prunes old ones. */
    static Path write(GanTrainer t) {
        Path dir = t.dir();
        Path ckDir = dir.resolve("checkpoints");
        Path file = ckDir.resolve(Checkpoint.fileName(t.step()));
        JsonObject header = generatorHeader(t);
        header.addProperty("loaderPosition", t.loaderPosition());
        header.add("openInterval", t.historyRecorder().openInterval());
        header.add(RunPlatforms.HEADER, dev.ganlab.core.ComputePlatform.current().toJson()); // what computed it
        JsonObject best = t.evaluation().bestState();
        if (best != null) {
            header.add(BestGenerator.HEADER, best);
        }
        // G, D, EMA_G, ...: the order of the files written before the generator-only ones existed
        Map<String, Checkpoint.SectionWriter> sections = new LinkedHashMap<>();
        sections.put("G", out -> ParameterIO.save(t.generators().trained(), out));
        sections.put("D", out -> ParameterIO.save(t.model().discriminator(), out));
        if (t.generators().hasEma()) {
            sections.put("EMA_G", out -> ParameterIO.save(t.generators().ema(), out));
        }
        sections.put("OPT_G", t.optimizer(ObjectiveTerm.Player.GENERATOR)::save);
        sections.put("OPT_D", t.optimizer(ObjectiveTerm.Player.DISCRIMINATOR)::save);
        if (t.replay() != null) {
            sections.put("REPLAY", t.replay()::save);
        }
        for (ObjectiveTerm term : t.objective().terms()) {
            for (String name : term.checkpointSections()) {
                sections.put(name, out -> term.save(name, out));
            }
        }
        Checkpoint.write(file, header, sections);
        t.historyRecorder().history().writeCsv(dir.resolve("metrics.csv"));
        List<Path> all = Checkpoint.list(ckDir);
        for (int i = t.config().keepCheckpoints; i < all.size(); i++) {
            try {
                Files.deleteIfExists(all.get(i));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prune " + all.get(i), e);
            }
        }
        BestGenerator.prune(dir, all.subList(0, Math.min(all.size(), t.config().keepCheckpoints)));
        RunStatus status = t.status();
        status.lastCheckpoint = dir.relativize(file).toString();
        status.write(dir.resolve("status.json"));
        return file;
    }

    /**
     * The header entries {@link TrainedGenerator} reads: the step, the images shown, the model, data and image
     * shape, the seconds trained and, with an EMA generator, how its batch-norm statistics were estimated.
     */
    static JsonObject generatorHeader(GanTrainer t) {
        JsonObject header = new JsonObject();
        header.addProperty("step", t.step());
        header.addProperty("imagesShown", t.imagesShown());
        header.addProperty("stageImages", t.stageImages());
        header.addProperty("seconds", t.seconds());
        header.addProperty("model", t.model().name());
        header.addProperty("data", t.data().name());
        header.addProperty("channels", t.data().channels());
        header.addProperty("resolution", t.data().height());
        if (t.generators().hasEma()) {
            // TrainedGenerator reads this: the EMA_G section's batch-norm statistics are its own.
            t.samplingGenerator();
            header.addProperty("emaBatchNormLatents", t.generators().recalibrationLatents());
        }
        return header;
    }

    /** The raw generator's section (G) and the EMA generator's (EMA_G) when there is one, in that order. */
    static Map<String, Checkpoint.SectionWriter> generatorSections(GanTrainer t) {
        Map<String, Checkpoint.SectionWriter> sections = new LinkedHashMap<>();
        sections.put("G", out -> ParameterIO.save(t.generators().trained(), out));
        if (t.generators().hasEma()) {
            sections.put("EMA_G", out -> ParameterIO.save(t.generators().ema(), out));
        }
        return sections;
    }

    /** The counters a checkpoint restores besides the arrays. */
    record Position(long step, long imagesShown, long stageImages, long loaderPosition, JsonObject openInterval,
                    JsonObject platform) {}

    /**
     * Loads a checkpoint's arrays into the trainer's networks, optimisers and terms and returns its
     * counters. A section that does not fit (another model or config) is a UserError naming it.
     */
    static Position restore(GanTrainer t, Checkpoint c) {
        JsonObject h = c.header();
        if (!h.get("model").getAsString().equals(t.model().name())) {
            throw new UserError("checkpoint is of model " + h.get("model").getAsString() + ", config says "
                    + t.model().name());
        }
        try {
            ParameterIO.load(t.generators().trained(), c.section("G"));
            ParameterIO.load(t.model().discriminator(), c.section("D"));
            if (t.generators().hasEma()) {
                ParameterIO.load(t.generators().ema(), c.section("EMA_G"));
            }
            t.optimizer(ObjectiveTerm.Player.GENERATOR).load(c.section("OPT_G"));
            t.optimizer(ObjectiveTerm.Player.DISCRIMINATOR).load(c.section("OPT_D"));
            if (t.replay() != null && c.has("REPLAY")) {
                t.replay().load(c.section("REPLAY"));
            }
            t.evaluation().restoreBest(h.has(BestGenerator.HEADER) ? h.getAsJsonObject(BestGenerator.HEADER) : null);
            for (ObjectiveTerm term : t.objective().terms()) {
                for (String name : term.checkpointSections()) {
                    if (c.has(name)) {
                        term.load(name, c.section(name));
                    }
                }
            }
        } catch (IOException e) {
            throw new UserError("checkpoint does not fit this model/config: " + e.getMessage(), e);
        }
        long imagesShown = h.get("imagesShown").getAsLong();
        return new Position(h.get("step").getAsLong(), imagesShown,
                h.has("stageImages") ? h.get("stageImages").getAsLong() : imagesShown,
                h.get("loaderPosition").getAsLong(), h.has("openInterval") ? h.getAsJsonObject("openInterval") : null,
                h.has(RunPlatforms.HEADER) ? h.getAsJsonObject(RunPlatforms.HEADER) : null);
    }
}
