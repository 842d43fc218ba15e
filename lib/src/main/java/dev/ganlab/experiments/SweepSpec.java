package dev.ganlab.experiments;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ganlab.core.UserError;
import dev.ganlab.train.TrainConfig;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * What a sweep runs: a base training config and the settings to vary, as JSON
 * ({@code ganlab sweep --spec sweep.json}) or built in Java:
 *
 * <pre>{@code
 * {
 *   "name": "loss-x-reg",
 *   "base": {"data": "fashion-mnist", "steps": 2000, "eval": {"n": 2000}},   // or "base.json"
 *   "grid": {"loss": ["ns", "lsgan", "hinge"], "optD.lr": [1e-4, 2e-4]},
 *   "variants": {"reg": {"none": {}, "sn": {"model": "sndcgan"}, "r1": {"penalty": "r1"}}},
 *   "random": {"tricks.labelSmoothing": {"uniform": [0.8, 1.0]}}, "samples": 4, "searchSeed": 0,
 *   "seeds": [1, 2, 3],
 *   "out": "runs/sweeps/loss-x-reg", "workers": 2, "rank": "fid_fmnist"
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@code grid}: setting (dotted, as for {@code --set}) to a list of values; every combination runs.
 *   <li>{@code variants}: named bundles of settings that form one more grid axis, for choices that
 *       touch several settings at once (a regulariser is {@code model=sndcgan} or {@code penalty=r1}).
 *   <li>{@code random}: setting to a {@link Distribution}; {@code samples} draws, reproducible from
 *       {@code searchSeed}, each crossed with the grid.
 *   <li>{@code seeds}: every configuration runs once per seed (the outermost loop, so an interrupted
 *       sweep has covered every cell with its first seeds).
 *   <li>{@code out}: the sweep's folder (default {@code runs/sweeps/NAME}, relative to the working
 *       folder); {@code workers}: parallel runs (default: one per GPU, else one per two engine threads);
 *       {@code rank}: the {@link Objective} (default: the first metric of the base's evaluation).
 * </ul>
 *
 * <p>This class holds the spec and builds it in Java; {@link SweepSpecJson} is its JSON form and
 * {@link SweepPlanner} expands it into runs. Settings are dotted keys of {@link TrainConfig#SCHEMA},
 * the same as {@code --set} and config files take.
 *
 * <p>{@link #plan()} checks everything before anything runs and names the key at fault: unknown
 * settings, values of the wrong JSON type (a string for a number, a fraction for a whole number), an
 * empty grid or value list, a setting varied in two places, a combination the config rejects.
 *
 * <p>A swept optimiser field ({@code optD.lr}) changes only that field of the optimiser the loss
 * implies: sweeping the learning rate of a WGAN-GP run keeps its Adam betas (0, 0.9).
 */
public final class SweepSpec {

    /** The keys a spec may have. */
    public static final List<String> KEYS = SweepSpecJson.KEYS;

    String name;
    TrainConfig base = new TrainConfig();
    /** Null when no grid was given; an empty map when an empty one was (rejected by plan). */
    LinkedHashMap<String, List<JsonElement>> grid;
    final LinkedHashMap<String, LinkedHashMap<String, JsonObject>> variants = new LinkedHashMap<>();
    final LinkedHashMap<String, Distribution> random = new LinkedHashMap<>();
    Integer samples;
    long searchSeed;
    List<Long> seeds;
    Path out;
    Integer workers;
    String rank;

    private SweepSpec(String name) {
        this.name = name;
    }

    /** A spec with this name, the default base config and nothing swept yet. */
    public static SweepSpec named(String name) {
        return new SweepSpec(name);
    }

    // ---- Building in Java ---------------------------------------------------------------------------

    /** The config every run starts from (copied). */
    public SweepSpec base(TrainConfig config) {
        this.base = config.copy();
        return this;
    }

    /** Adds a grid axis: {@code grid("loss", "ns", "hinge")}, {@code grid("optD.lr", 1e-4, 2e-4)}. */
    public SweepSpec grid(String key, Object... values) {
        if (grid == null) {
            grid = new LinkedHashMap<>();
        }
        List<JsonElement> list = new ArrayList<>();
        for (Object v : values) {
            list.add(SweepSpecJson.toJsonValue(v));
        }
        grid.put(key, list);
        return this;
    }

    /**
     * Adds a named variant to the axis {@code axis}: {@code variant("reg", "sn", "model", "sndcgan")}; the
     * trailing arguments are setting/value pairs (none for a variant that changes nothing).
     */
    public SweepSpec variant(String axis, String variantName, Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new UserError("variant '" + axis + "/" + variantName
                    + "': give setting/value pairs, got an odd count");
        }
        JsonObject o = new JsonObject();
        for (int i = 0; i < keyValues.length; i += 2) {
            o.add(String.valueOf(keyValues[i]), SweepSpecJson.toJsonValue(keyValues[i + 1]));
        }
        variants.computeIfAbsent(axis, k -> new LinkedHashMap<>()).put(variantName, o);
        return this;
    }

    /** Adds a randomly drawn setting (see {@link #samples(int)}). */
    public SweepSpec random(String key, Distribution d) {
        random.put(key, d);
        return this;
    }

    /** How many random draws (each crossed with the grid and the seeds). */
    public SweepSpec samples(int n) {
        this.samples = n;
        return this;
    }

    /** Seed of the random search's draws (the same seed draws the same configurations). */
    public SweepSpec searchSeed(long seed) {
        this.searchSeed = seed;
        return this;
    }

    /** Runs every configuration once per seed. */
    public SweepSpec seeds(long... values) {
        List<Long> list = new ArrayList<>();
        for (long v : values) {
            list.add(v);
        }
        this.seeds = list;
        return this;
    }

    /** The sweep's folder. */
    public SweepSpec out(Path dir) {
        this.out = dir;
        return this;
    }

    /** Parallel runs. */
    public SweepSpec workers(int n) {
        this.workers = n;
        return this;
    }

    /** What runs are ranked by, e.g. "fid_fmnist" or "max:is_fmnist" (see {@link Objective#parse}). */
    public SweepSpec rank(String objective) {
        this.rank = objective;
        return this;
    }

    public String name() {
        return name;
    }

    /** A copy of the base config. */
    public TrainConfig baseConfig() {
        return base.copy();
    }

    /** The sweep's folder, absolute. */
    public Path outDir() {
        Path p = out != null ? out : Paths.get("runs", "sweeps", name == null ? "sweep" : name);
        return p.toAbsolutePath().normalize();
    }

    /** Parallel runs asked for, or null for the executor's default. */
    public Integer workersOrNull() {
        return workers;
    }

    // ---- JSON form and planning (SweepSpecJson, SweepPlanner) ----------------------------------------

    /** Reads a spec file; a relative {@code base} path is relative to the spec's folder. */
    public static SweepSpec read(Path file) {
        return SweepSpecJson.read(file);
    }

    /**
     * Parses a spec. Unknown keys and values of the wrong JSON type are rejected naming the key;
     * whether the settings exist is checked by {@link #plan()}.
     */
    public static SweepSpec fromJson(String json, Path relativeTo) {
        return SweepSpecJson.fromJson(json, relativeTo);
    }

    /** The spec as JSON, with the base config inline (what a sweep records as {@code sweep.json}). */
    public String toJson() {
        return SweepSpecJson.toJson(this);
    }

    /** Parses JSON that must be an object; {@code what} names it in errors. */
    static JsonObject parseObject(String json, String what) {
        return SweepSpecJson.parseObject(json, what);
    }

    /**
     * Checks the whole spec and expands it into the runs it stands for. Nothing is written; a
     * UserError names the key at fault.
     */
    public SweepPlan plan() {
        return SweepPlanner.plan(this);
    }
}
