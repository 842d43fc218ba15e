package dev.ganlab.experiments;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSyntaxException;
import dev.ganlab.core.UserError;
import dev.ganlab.train.TrainConfig;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

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
 *       folder); {@code workers}: parallel runs (default: one per GPU, else one per two cores);
 *       {@code rank}: the {@link Objective} (default: the first metric of the base's evaluation).
 * </ul>
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
    public static final List<String> KEYS = List.of("name", "base", "grid", "variants", "random", "samples",
            "searchSeed", "seeds", "out", "workers", "rank");

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .serializeSpecialFloatingPointValues().create();

    private String name;
    private TrainConfig base = new TrainConfig();
    /** Null when no grid was given; an empty map when an empty one was (rejected by plan). */
    private LinkedHashMap<String, List<JsonElement>> grid;
    private final LinkedHashMap<String, LinkedHashMap<String, JsonObject>> variants = new LinkedHashMap<>();
    private final LinkedHashMap<String, Distribution> random = new LinkedHashMap<>();
    private Integer samples;
    private long searchSeed;
    private List<Long> seeds;
    private Path out;
    private Integer workers;
    private String rank;

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
            list.add(toJsonValue(v));
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
            o.add(String.valueOf(keyValues[i]), toJsonValue(keyValues[i + 1]));
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

    // ---- JSON ---------------------------------------------------------------------------------------

    /** Reads a spec file; a relative {@code base} path is relative to the spec's folder. */
    public static SweepSpec read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UserError("cannot read sweep spec " + file + ": " + e.getMessage(), e);
        }
        Path folder = file.toAbsolutePath().getParent();
        SweepSpec s = fromJson(text, folder);
        if (s.name == null) {
            String f = file.getFileName().toString();
            s.name = f.endsWith(".json") ? f.substring(0, f.length() - 5) : f;
        }
        return s;
    }

    /**
     * Parses a spec. Unknown keys and values of the wrong JSON type are rejected naming the key;
     * whether the settings exist is checked by {@link #plan()}.
     */
    public static SweepSpec fromJson(String json, Path relativeTo) {
        JsonObject o = parseObject(json, "sweep spec");
        for (String key : o.keySet()) {
            if (!KEYS.contains(key)) {
                throw new UserError("sweep spec: unknown key '" + key + "' (known: " + String.join(", ", KEYS) + ")");
            }
        }
        SweepSpec s = new SweepSpec(o.has("name") ? string(o, "name") : null);
        if (o.has("base")) {
            JsonElement b = o.get("base");
            if (b.isJsonObject()) {
                s.base = parseBase(b.toString(), "base");
            } else if (b.isJsonPrimitive() && b.getAsJsonPrimitive().isString()) {
                Path p = Paths.get(b.getAsString());
                Path file = p.isAbsolute() || relativeTo == null ? p : relativeTo.resolve(p);
                try {
                    s.base = parseBase(Files.readString(file), "base " + file);
                } catch (IOException e) {
                    throw new UserError("sweep spec 'base': cannot read " + file + ": " + e.getMessage(), e);
                }
            } else {
                throw new UserError("sweep spec 'base' must be a config object or the path of a config file, not " + b);
            }
        }
        if (o.has("grid")) {
            JsonObject g = object(o, "grid");
            s.grid = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : g.entrySet()) {
                if (!e.getValue().isJsonArray()) {
                    throw new UserError("sweep grid '" + e.getKey() + "' must be a list of values, e.g. [1, 2], not "
                            + e.getValue());
                }
                List<JsonElement> values = new ArrayList<>();
                e.getValue().getAsJsonArray().forEach(values::add);
                s.grid.put(e.getKey(), values);
            }
        }
        if (o.has("variants")) {
            for (Map.Entry<String, JsonElement> axis : object(o, "variants").entrySet()) {
                if (!axis.getValue().isJsonObject()) {
                    throw new UserError("sweep variants '" + axis.getKey() + "' must map variant names to settings,"
                            + " e.g. {\"none\": {}, \"sn\": {\"model\": \"sndcgan\"}}");
                }
                LinkedHashMap<String, JsonObject> named = new LinkedHashMap<>();
                for (Map.Entry<String, JsonElement> v : axis.getValue().getAsJsonObject().entrySet()) {
                    if (!v.getValue().isJsonObject()) {
                        throw new UserError("sweep variants '" + axis.getKey() + "/" + v.getKey()
                                + "' must be an object of settings, not " + v.getValue());
                    }
                    named.put(v.getKey(), v.getValue().getAsJsonObject());
                }
                s.variants.put(axis.getKey(), named);
            }
        }
        if (o.has("random")) {
            for (Map.Entry<String, JsonElement> e : object(o, "random").entrySet()) {
                s.random.put(e.getKey(), Distribution.fromJson(e.getKey(), e.getValue()));
            }
        }
        if (o.has("samples")) {
            s.samples = (int) whole(o, "samples");
        }
        if (o.has("searchSeed")) {
            s.searchSeed = whole(o, "searchSeed");
        }
        if (o.has("seeds")) {
            JsonElement e = o.get("seeds");
            if (!e.isJsonArray()) {
                throw new UserError("sweep spec 'seeds' must be a list of whole numbers, e.g. [1, 2, 3], not " + e);
            }
            s.seeds = new ArrayList<>();
            for (JsonElement v : e.getAsJsonArray()) {
                s.seeds.add(Long.parseLong(settingValue("seeds", long.class, v, "sweep spec")));
            }
        }
        if (o.has("out")) {
            s.out = Paths.get(string(o, "out"));
        }
        if (o.has("workers")) {
            s.workers = (int) whole(o, "workers");
        }
        if (o.has("rank")) {
            s.rank = string(o, "rank");
        }
        return s;
    }

    /** Parses JSON that must be an object; {@code what} names it in errors. */
    static JsonObject parseObject(String json, String what) {
        JsonElement e;
        try {
            e = JsonParser.parseString(json);
        } catch (JsonSyntaxException ex) {
            throw new UserError(what + " is not valid JSON: " + ex.getMessage(), ex);
        }
        if (!e.isJsonObject()) {
            throw new UserError(what + " must be a JSON object");
        }
        return e.getAsJsonObject();
    }

    private static TrainConfig parseBase(String json, String where) {
        try {
            return TrainConfig.fromJson(json);
        } catch (UserError e) {
            throw new UserError("sweep spec " + where + ": " + e.getMessage(), e);
        }
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new UserError("sweep spec '" + key + "' must be a string, not " + e);
        }
        return e.getAsString();
    }

    private static JsonObject object(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (!e.isJsonObject()) {
            throw new UserError("sweep spec '" + key + "' must be an object, not " + e);
        }
        return e.getAsJsonObject();
    }

    private static long whole(JsonObject o, String key) {
        return Long.parseLong(settingValue(key, long.class, o.get(key), "sweep spec"));
    }

    /** The spec as JSON, with the base config inline (what a sweep records as {@code sweep.json}). */
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("name", name);
        o.add("base", JsonParser.parseString(base.toJson()));
        if (grid != null) {
            JsonObject g = new JsonObject();
            grid.forEach((k, v) -> {
                JsonArray a = new JsonArray();
                v.forEach(a::add);
                g.add(k, a);
            });
            o.add("grid", g);
        }
        if (!variants.isEmpty()) {
            JsonObject v = new JsonObject();
            variants.forEach((axis, named) -> {
                JsonObject n = new JsonObject();
                named.forEach(n::add);
                v.add(axis, n);
            });
            o.add("variants", v);
        }
        if (!random.isEmpty()) {
            JsonObject r = new JsonObject();
            random.forEach((k, d) -> r.add(k, d.toJson()));
            o.add("random", r);
        }
        if (samples != null) {
            o.addProperty("samples", samples);
        }
        if (searchSeed != 0) {
            o.addProperty("searchSeed", searchSeed);
        }
        if (seeds != null) {
            JsonArray a = new JsonArray();
            seeds.forEach(a::add);
            o.add("seeds", a);
        }
        o.addProperty("out", outDir().toString());
        if (workers != null) {
            o.addProperty("workers", workers);
        }
        if (rank != null) {
            o.addProperty("rank", rank);
        }
        return GSON.toJson(o);
    }

    // ---- Values -------------------------------------------------------------------------------------

    /** A Java value as the JSON value a spec holds. */
    static JsonElement toJsonValue(Object v) {
        if (v == null) {
            return JsonNull.INSTANCE;
        }
        if (v instanceof JsonElement e) {
            return e;
        }
        if (v instanceof String s) {
            return new JsonPrimitive(s);
        }
        if (v instanceof Number n) {
            return new JsonPrimitive(n);
        }
        if (v instanceof Boolean b) {
            return new JsonPrimitive(b);
        }
        return GSON.toJsonTree(v);
    }

    static boolean isWholeNumberType(Class<?> t) {
        return t == int.class || t == Integer.class || t == long.class || t == Long.class;
    }

    static boolean isRealType(Class<?> t) {
        return t == float.class || t == Float.class || t == double.class || t == Double.class;
    }

    private static boolean isLeafType(Class<?> t) {
        return t.isPrimitive() || t == String.class || Number.class.isAssignableFrom(t) || t == Boolean.class;
    }

    static String typeName(Class<?> t) {
        if (isWholeNumberType(t)) {
            return "a whole number";
        }
        if (isRealType(t)) {
            return "a number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a string";
        }
        return "an object of settings";
    }

    private static String kindOf(JsonElement v) {
        if (v.isJsonNull()) {
            return "null";
        }
        if (v.isJsonArray()) {
            return "a list";
        }
        if (v.isJsonObject()) {
            return "an object";
        }
        JsonPrimitive p = v.getAsJsonPrimitive();
        return p.isString() ? "a string" : p.isBoolean() ? "a boolean" : "a number";
    }

    /**
     * The text {@link TrainConfig#set} takes for a JSON value of a setting of type {@code type}, after
     * checking that the JSON type fits (the message names {@code key} and says what it takes).
     */
    static String settingValue(String key, Class<?> type, JsonElement v, String where) {
        String bad = where + " '" + key + "': " + v + " is " + kindOf(v) + ", but " + key + " takes " + typeName(type);
        if (v.isJsonNull()) {
            if (type.isPrimitive()) {
                throw new UserError(bad);
            }
            return "null";
        }
        if (!v.isJsonPrimitive()) {
            throw new UserError(bad);
        }
        JsonPrimitive p = v.getAsJsonPrimitive();
        if (type == boolean.class || type == Boolean.class) {
            if (!p.isBoolean()) {
                throw new UserError(bad);
            }
            return p.getAsString();
        }
        if (isWholeNumberType(type)) {
            if (!p.isNumber()) {
                throw new UserError(bad);
            }
            try {
                return new BigDecimal(p.getAsString()).toBigIntegerExact().toString();
            } catch (ArithmeticException | NumberFormatException e) {
                throw new UserError(where + " '" + key + "': " + v + " is not a whole number, but " + key
                        + " takes one");
            }
        }
        if (isRealType(type)) {
            if (!p.isNumber()) {
                throw new UserError(bad);
            }
            return p.getAsString();
        }
        if (type == String.class) {
            if (!p.isString()) {
                throw new UserError(bad);
            }
            return p.getAsString();
        }
        throw new UserError(bad);
    }

    /**
     * Adds the overrides a JSON value of setting {@code key} stands for: a value for a single setting,
     * or, for a group of settings ({@code optD}, {@code tricks}), one override per member given.
     */
    private static void overrides(String key, JsonElement v, String where, Map<String, String> out) {
        Class<?> type;
        try {
            type = TrainConfig.settingType(key);
        } catch (UserError e) {
            throw new UserError(where + ": " + e.getMessage(), e);
        }
        if (!isLeafType(type)) {
            if (!v.isJsonObject()) {
                throw new UserError(where + " '" + key + "': " + v + " is " + kindOf(v) + ", but " + key
                        + " is a group of settings: give an object of its members or vary " + key + ".x");
            }
            for (Map.Entry<String, JsonElement> e : v.getAsJsonObject().entrySet()) {
                overrides(key + "." + e.getKey(), e.getValue(), where, out);
            }
            return;
        }
        out.put(key, settingValue(key, type, v, where));
    }

    // ---- Planning -----------------------------------------------------------------------------------

    /** One setting of an axis: a label (value or variant name) and the overrides it applies. */
    private record Choice(String axis, String label, Map<String, String> overrides) {}

    /**
     * Checks the whole spec and expands it into the runs it stands for. Nothing is written; a
     * UserError names the key at fault.
     */
    public SweepPlan plan() {
        if (name == null || !SAFE_NAME.matcher(name).matches()) {
            throw new UserError("sweep 'name' '" + name + "' must be a folder name: letters, digits, '.', '_', '-'");
        }
        if (workers != null && workers < 1) {
            throw new UserError("sweep 'workers' " + workers + " must be at least 1");
        }
        List<List<Choice>> axes = new ArrayList<>();
        Map<String, String> varied = new LinkedHashMap<>();
        if (grid != null) {
            if (grid.isEmpty()) {
                throw new UserError("sweep 'grid' is empty: give at least one setting with a list of values,"
                        + " e.g. \"grid\": {\"loss\": [\"ns\", \"hinge\"]}");
            }
            for (Map.Entry<String, List<JsonElement>> g : grid.entrySet()) {
                String key = g.getKey();
                if (g.getValue().isEmpty()) {
                    throw new UserError("sweep grid '" + key + "' has no values");
                }
                List<Choice> choices = new ArrayList<>();
                Set<String> keys = new LinkedHashSet<>();
                for (JsonElement v : g.getValue()) {
                    Map<String, String> ov = new LinkedHashMap<>();
                    overrides(key, v, "sweep grid", ov);
                    keys.addAll(ov.keySet());
                    choices.add(new Choice(key, label(v), ov));
                }
                claim(varied, keys, "grid '" + key + "'");
                axes.add(choices);
            }
        }
        for (Map.Entry<String, LinkedHashMap<String, JsonObject>> axis : variants.entrySet()) {
            String a = axis.getKey();
            if (isSettingName(a)) {
                throw new UserError("sweep variants axis '" + a + "' has the name of a setting; name the axis otherwise"
                        + " (the settings go inside its variants)");
            }
            if (axis.getValue().isEmpty()) {
                throw new UserError("sweep variants '" + a + "' has no variants");
            }
            List<Choice> choices = new ArrayList<>();
            Set<String> keysOfAxis = new LinkedHashSet<>();
            for (Map.Entry<String, JsonObject> v : axis.getValue().entrySet()) {
                Map<String, String> ov = new LinkedHashMap<>();
                for (Map.Entry<String, JsonElement> kv : v.getValue().entrySet()) {
                    overrides(kv.getKey(), kv.getValue(), "sweep variants '" + a + "/" + v.getKey() + "'", ov);
                }
                keysOfAxis.addAll(ov.keySet());
                choices.add(new Choice(a, v.getKey(), ov));
            }
            claim(varied, keysOfAxis, "variants '" + a + "'");
            axes.add(choices);
        }
        List<List<Choice>> draws = drawRandom(varied);
        List<Long> seedList = seeds;
        if (seedList != null) {
            if (seedList.isEmpty()) {
                throw new UserError("sweep 'seeds' is empty: give at least one seed, or leave it out to use the"
                        + " base's");
            }
            if (new LinkedHashSet<>(seedList).size() != seedList.size()) {
                throw new UserError("sweep 'seeds' " + seedList + " lists a seed twice");
            }
            claim(varied, Set.of("seed"), "seeds");
        }
        if (axes.isEmpty() && draws.size() <= 1 && (seedList == null || seedList.size() < 2)) {
            throw new UserError("sweep '" + name + "' varies nothing: give 'grid', 'variants', 'random' (with"
                    + " 'samples') or several 'seeds'");
        }
        Objective objective;
        try {
            objective = rank != null ? Objective.parse(rank) : Objective.auto(base.resolved());
        } catch (UserError e) {
            throw new UserError("sweep: " + e.getMessage(), e);
        }

        List<List<Choice>> cells = cartesian(axes);
        List<RunSpec> runs = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        Path dir = outDir();
        for (Long seed : seedList == null ? java.util.Collections.<Long>singletonList(null) : seedList) {
            for (List<Choice> cell : cells) {
                for (List<Choice> draw : draws) {
                    List<Choice> all = new ArrayList<>(cell);
                    all.addAll(draw);
                    Map<String, String> labels = new LinkedHashMap<>();
                    Map<String, String> ov = new LinkedHashMap<>();
                    for (Choice c : all) {
                        labels.put(c.axis(), c.label());
                        ov.putAll(c.overrides());
                    }
                    if (seed != null) {
                        labels.put("seed", Long.toString(seed));
                        ov.put("seed", Long.toString(seed));
                    }
                    String id = uniqueId(runId(labels), ids);
                    TrainConfig cfg = configFor(ov, id);
                    runs.add(new RunSpec(id, name, dir.resolve(id), "auto", labels, cfg));
                }
            }
        }
        List<String> labelKeys = new ArrayList<>(runs.get(0).labels().keySet());
        return new SweepPlan(this, runs, labelKeys, objective);
    }

    private static boolean isSettingName(String key) {
        try {
            TrainConfig.settingType(key);
            return true;
        } catch (UserError e) {
            return false;
        }
    }

    /** Records in {@code varied} (setting to where) that {@code where} varies {@code keys}; twice is an error. */
    private static void claim(Map<String, String> varied, Set<String> keys, String where) {
        for (String k : keys) {
            String before = varied.putIfAbsent(k, where);
            if (before != null) {
                throw new UserError("sweep: setting '" + k + "' is varied by both " + before + " and " + where
                        + "; vary it in one place");
            }
        }
    }

    /** The random draws: {@code samples} lists of choices, or one empty list when there is no random search. */
    private List<List<Choice>> drawRandom(Map<String, String> varied) {
        if (random.isEmpty()) {
            if (samples != null) {
                throw new UserError("sweep 'samples' " + samples + " needs a 'random' section to draw from");
            }
            return List.of(List.of());
        }
        if (samples == null || samples < 1) {
            throw new UserError("sweep 'random' needs 'samples' >= 1 (how many configurations to draw)"
                    + (samples == null ? "" : ", not " + samples));
        }
        Set<String> keys = new LinkedHashSet<>();
        for (Map.Entry<String, Distribution> e : random.entrySet()) {
            Class<?> type;
            try {
                type = TrainConfig.settingType(e.getKey());
            } catch (UserError err) {
                throw new UserError("sweep random: " + err.getMessage(), err);
            }
            e.getValue().check(e.getKey(), type);
            keys.add(e.getKey());
        }
        claim(varied, keys, "random");
        // One generator for the whole search, drawing keys in spec order: the same spec and searchSeed
        // give the same configurations, and adding samples keeps the earlier ones.
        SplittableRandom rng = new SplittableRandom(searchSeed);
        List<List<Choice>> out = new ArrayList<>();
        for (int s = 0; s < samples; s++) {
            List<Choice> draw = new ArrayList<>();
            for (Map.Entry<String, Distribution> e : random.entrySet()) {
                JsonElement v = e.getValue().draw(rng);
                Map<String, String> ov = new LinkedHashMap<>();
                overrides(e.getKey(), v, "sweep random", ov);
                String label = e.getValue().drawsReals() ? String.format(Locale.ROOT, "%.3g", v.getAsDouble())
                        : label(v);
                draw.add(new Choice(e.getKey(), label, ov));
            }
            out.add(draw);
        }
        return out;
    }

    private static List<List<Choice>> cartesian(List<List<Choice>> axes) {
        List<List<Choice>> out = new ArrayList<>();
        out.add(List.of());
        for (List<Choice> axis : axes) {
            List<List<Choice>> next = new ArrayList<>();
            for (List<Choice> prefix : out) {
                for (Choice c : axis) {
                    List<Choice> l = new ArrayList<>(prefix);
                    l.add(c);
                    next.add(l);
                }
            }
            out = next;
        }
        return out;
    }

    private static String label(JsonElement v) {
        return v.isJsonPrimitive() ? v.getAsString() : v.toString();
    }

    /**
     * The base with the overrides applied, checked by resolving it. An override inside an optimiser the base leaves
     * to the loss's preset ({@code optD.lr} with optD unset) starts from that preset, so only the named
     * field changes.
     */
    private TrainConfig configFor(Map<String, String> ov, String id) {
        TrainConfig cfg = base.copy();
        try {
            Map<String, String> deferred = new LinkedHashMap<>();
            JsonObject current = JsonParser.parseString(cfg.toJson()).getAsJsonObject();
            for (Map.Entry<String, String> e : ov.entrySet()) {
                if (parentMissing(current, e.getKey())) {
                    deferred.put(e.getKey(), e.getValue());
                } else {
                    cfg.set(e.getKey(), e.getValue());
                }
            }
            if (!deferred.isEmpty()) {
                JsonObject preset = JsonParser.parseString(cfg.resolved().toJson()).getAsJsonObject();
                for (String key : deferred.keySet()) {
                    String parent = key.substring(0, key.lastIndexOf('.'));
                    if (parentMissing(JsonParser.parseString(cfg.toJson()).getAsJsonObject(), key)) {
                        cfg.set(parent, member(preset, parent).toString());
                    }
                }
                deferred.forEach(cfg::set);
            }
            cfg.resolved(); // every combination is checked before anything runs
            return cfg;
        } catch (UserError e) {
            throw new UserError("sweep run '" + id + "': " + e.getMessage(), e);
        }
    }

    private static boolean parentMissing(JsonObject cfg, String key) {
        int dot = key.lastIndexOf('.');
        if (dot < 0) {
            return false;
        }
        JsonElement p = member(cfg, key.substring(0, dot));
        return p == null || !p.isJsonObject();
    }

    private static JsonElement member(JsonObject o, String dotted) {
        JsonElement cur = o;
        for (String part : dotted.split("\\.")) {
            if (cur == null || !cur.isJsonObject()) {
                return null;
            }
            cur = cur.getAsJsonObject().get(part);
        }
        return cur;
    }

    /** A folder-safe id made of the labels: {@code loss=ns,reg=sn,seed=1}. */
    static String runId(Map<String, String> labels) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(e.getKey()).append('=').append(e.getValue().replaceAll("[^A-Za-z0-9._+-]", "_"));
        }
        String id = sb.length() == 0 ? "run" : sb.toString();
        if (id.length() > 120) {
            // Keep folder names well below file-system limits; the hash keeps long ids apart.
            id = id.substring(0, 110) + "~" + String.format("%08x", id.hashCode());
        }
        return id;
    }

    private static String uniqueId(String id, Set<String> taken) {
        String candidate = id;
        for (int k = 2; !taken.add(candidate); k++) {
            candidate = id + "~" + k;
        }
        return candidate;
    }
}
