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
import dev.ganlab.core.SettingsSchema;
import dev.ganlab.core.UserError;
import dev.ganlab.train.TrainConfig;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a {@link SweepSpec} ({@code ganlab sweep --spec sweep.json}, and the
 * {@code sweep.json} a sweep records): reading with the spec's own keys checked here, writing with
 * the base config inline. Whether the swept settings exist and take the values given is the
 * planner's check ({@link SweepPlanner}), against {@link TrainConfig#SCHEMA}.
 */
final class SweepSpecJson {

    /** The keys a spec may have. */
    static final List<String> KEYS = List.of("name", "base", "grid", "variants", "random", "samples",
            "searchSeed", "seeds", "out", "workers", "rank");

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .serializeSpecialFloatingPointValues().create();

    private SweepSpecJson() {}

    /** Reads a spec file; a relative {@code base} path is relative to the spec's folder. */
    static SweepSpec read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UserError("cannot read sweep spec " + file + ": " + dev.ganlab.core.IoMessages.reason(e), e);
        }
        Path folder = file.toAbsolutePath().getParent();
        SweepSpec s;
        try {
            s = fromJson(text, folder);
        } catch (UserError e) {
            throw new UserError(file + ": " + e.getMessage(), e); // which file, when a sweep reads several
        }
        if (s.name == null) {
            String f = file.getFileName().toString();
            s.name = f.endsWith(".json") ? f.substring(0, f.length() - 5) : f;
        }
        return s;
    }

    /** Parses a spec (see {@link SweepSpec#fromJson}). */
    static SweepSpec fromJson(String json, Path relativeTo) {
        JsonObject o = parseObject(json, "sweep spec");
        for (String key : o.keySet()) {
            if (!KEYS.contains(key)) {
                String near = SettingsSchema.nearest(key, KEYS);
                throw new UserError("sweep spec: unknown key '" + key + "'" + (near == null ? "" : " (did you mean '"
                        + near + "'?)") + "; known: " + String.join(", ", KEYS));
            }
        }
        SweepSpec s = SweepSpec.named(o.has("name") ? string(o, "name") : null);
        if (o.has("base")) {
            s.base = base(o.get("base"), relativeTo);
        }
        if (o.has("grid")) {
            s.grid = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : object(o, "grid").entrySet()) {
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
            s.samples = (int) whole("samples", o.get("samples"));
        }
        if (o.has("searchSeed")) {
            s.searchSeed = whole("searchSeed", o.get("searchSeed"));
        }
        if (o.has("seeds")) {
            JsonElement e = o.get("seeds");
            if (!e.isJsonArray()) {
                throw new UserError("sweep spec 'seeds' must be a list of whole numbers, e.g. [1, 2, 3], not " + e);
            }
            s.seeds = new ArrayList<>();
            for (JsonElement v : e.getAsJsonArray()) {
                s.seeds.add(whole("seeds", v));
            }
        }
        if (o.has("out")) {
            s.out = Paths.get(string(o, "out"));
        }
        if (o.has("workers")) {
            s.workers = (int) whole("workers", o.get("workers"));
        }
        if (o.has("rank")) {
            s.rank = string(o, "rank");
        }
        return s;
    }

    private static TrainConfig base(JsonElement b, Path relativeTo) {
        if (b.isJsonObject()) {
            return parseBase(b.toString(), "base");
        }
        if (b.isJsonPrimitive() && b.getAsJsonPrimitive().isString()) {
            Path p = Paths.get(b.getAsString());
            Path file = p.isAbsolute() || relativeTo == null ? p : relativeTo.resolve(p);
            try {
                return parseBase(Files.readString(file), "base " + file);
            } catch (IOException e) {
                throw new UserError("sweep spec 'base': cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        throw new UserError("sweep spec 'base' must be a config object or the path of a config file, not " + b);
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

    /** A whole number of the spec itself (samples, seeds, workers). */
    private static long whole(String key, JsonElement v) {
        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) {
            try {
                return new BigDecimal(v.getAsString()).longValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                // falls through to the message
            }
        }
        throw new UserError("sweep spec '" + key + "': " + v + " is " + SettingsSchema.jsonKind(v) + ", but " + key
                + " takes a whole number");
    }

    /** The spec as JSON, with the base config inline. */
    static String toJson(SweepSpec s) {
        JsonObject o = new JsonObject();
        o.addProperty("name", s.name);
        o.add("base", s.base.toJsonTree());
        if (s.grid != null) {
            JsonObject g = new JsonObject();
            s.grid.forEach((k, v) -> {
                JsonArray a = new JsonArray();
                v.forEach(a::add);
                g.add(k, a);
            });
            o.add("grid", g);
        }
        if (!s.variants.isEmpty()) {
            JsonObject v = new JsonObject();
            s.variants.forEach((axis, named) -> {
                JsonObject n = new JsonObject();
                named.forEach(n::add);
                v.add(axis, n);
            });
            o.add("variants", v);
        }
        if (!s.random.isEmpty()) {
            JsonObject r = new JsonObject();
            s.random.forEach((k, d) -> r.add(k, d.toJson()));
            o.add("random", r);
        }
        if (s.samples != null) {
            o.addProperty("samples", s.samples);
        }
        if (s.searchSeed != 0) {
            o.addProperty("searchSeed", s.searchSeed);
        }
        if (s.seeds != null) {
            JsonArray a = new JsonArray();
            s.seeds.forEach(a::add);
            o.add("seeds", a);
        }
        o.addProperty("out", s.outDir().toString());
        if (s.workers != null) {
            o.addProperty("workers", s.workers);
        }
        if (s.rank != null) {
            o.addProperty("rank", s.rank);
        }
        return GSON.toJson(o);
    }

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
}
