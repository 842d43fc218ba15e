package dev.ganlab.experiments;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.AtomicFiles;
import dev.ganlab.core.UserError;
import dev.ganlab.train.RunFolder;
import dev.ganlab.train.TrainConfig;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run of a sweep, complete in itself: the run's id, its full training config (the sweep's base
 * with this run's values applied; resolving it fills the model's and loss's defaults), the folder
 * it writes to, the sweep's labels for it (the values of the swept settings) and a device hint. Nothing
 * else is needed to execute it, in this JVM ({@link RunWorker}), in a worker process
 * ({@link LocalProcessExecutor}) or on a cluster node that sees the same folder: it is plain data,
 * serialisable both as JSON ({@code run-spec.json} in the run folder) and as a Java object.
 */
public final class RunSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** File name of a run spec inside its run folder. */
    public static final String FILE = RunFolder.SPEC;

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .serializeSpecialFloatingPointValues().create();

    private final String id;
    private final String sweep;
    private final String dir;
    private final String device;
    private final LinkedHashMap<String, String> labels;
    /** The TrainConfig as JSON (a string keeps the object serialisable without Gson types). */
    private final String config;

    /**
     * @param id run id, unique within its sweep (also the run folder's name)
     * @param sweep name of the sweep it belongs to
     * @param dir run folder; absolute, so a worker started anywhere writes to the same place
     * @param device device hint: "auto" (the executor assigns one), "cpu" or "gpu"
     * @param labels swept setting (or variant axis) to its value for this run, in axis order
     * @param config the run's config (unresolved, so a resume may lengthen it as {@code train --resume} does)
     */
    public RunSpec(String id, String sweep, Path dir, String device, Map<String, String> labels, TrainConfig config) {
        this.id = id;
        this.sweep = sweep;
        this.dir = dir.toAbsolutePath().normalize().toString();
        this.device = device;
        this.labels = new LinkedHashMap<>(labels);
        this.config = config.toJson();
    }

    public String id() {
        return id;
    }

    public String sweep() {
        return sweep;
    }

    public Path dir() {
        return Paths.get(dir);
    }

    public String device() {
        return device;
    }

    /** The sweep's labels of this run (setting or variant axis to value), in axis order. */
    public Map<String, String> labels() {
        return Collections.unmodifiableMap(labels);
    }

    /** A fresh copy of the run's config. */
    public TrainConfig config() {
        return TrainConfig.fromJson(config);
    }

    /** The config as JSON, as {@link TrainConfig#toJson()} writes it. */
    public String configJson() {
        return config;
    }

    /** The spec as JSON (the config inline as an object). */
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("sweep", sweep);
        o.addProperty("dir", dir);
        o.addProperty("device", device);
        o.add("labels", GSON.toJsonTree(labels));
        o.add("config", JsonParser.parseString(config));
        return GSON.toJson(o);
    }

    /** Parses {@link #toJson()}'s output; a missing field or a bad config is a UserError naming it. */
    public static RunSpec fromJson(String json) {
        JsonObject o = SweepSpec.parseObject(json, "run spec");
        for (String key : new String[] {"id", "sweep", "dir", "device", "labels", "config"}) {
            if (!o.has(key) || o.get(key).isJsonNull()) {
                throw new UserError("run spec has no '" + key + "'");
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("labels").entrySet()) {
            labels.put(e.getKey(), e.getValue().getAsString());
        }
        TrainConfig cfg = TrainConfig.fromJson(o.get("config").toString());
        return new RunSpec(o.get("id").getAsString(), o.get("sweep").getAsString(),
                Paths.get(o.get("dir").getAsString()),
                o.get("device").getAsString(), labels, cfg);
    }

    /** Writes {@code run-spec.json} into the run folder (atomically) and returns its path. */
    public Path write() {
        Path file = dir().resolve(FILE);
        AtomicFiles.writeString(file, toJson());
        return file;
    }

    /** Reads a run spec file. */
    public static RunSpec read(Path file) {
        try {
            return fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read run spec " + file, e);
        } catch (UserError e) {
            throw new UserError(file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "RunSpec[" + id + " -> " + dir + "]";
    }
}
