package dev.ganlab.experiments;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ganlab.core.SettingsSchema;
import dev.ganlab.core.UserError;
import dev.ganlab.train.TrainConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * Expands a {@link SweepSpec} into its runs ({@link SweepPlan}), checking everything first and
 * naming the key at fault: settings against {@link TrainConfig#SCHEMA} (unknown keys, values of the
 * wrong JSON type), empty grids and value lists, a setting varied in two places, and every combination
 * by resolving it (a combination the config rejects fails before anything runs).
 */
final class SweepPlanner {

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final SettingsSchema SCHEMA = TrainConfig.SCHEMA;

    private SweepPlanner() {}

    /** One setting of an axis: a label (value or variant name) and the overrides it applies. */
    private record Choice(String axis, String label, Map<String, JsonElement> overrides) {}

    static SweepPlan plan(SweepSpec spec) {
        String name = spec.name;
        if (name == null || !SAFE_NAME.matcher(name).matches()) {
            throw new UserError("sweep 'name' '" + name + "' must be a folder name: letters, digits, '.', '_', '-'");
        }
        if (spec.workers != null && spec.workers < 1) {
            throw new UserError("sweep 'workers' " + spec.workers + " must be at least 1");
        }
        List<List<Choice>> axes = new ArrayList<>();
        Map<String, String> varied = new LinkedHashMap<>();
        if (spec.grid != null) {
            gridAxes(spec.grid, axes, varied);
        }
        for (Map.Entry<String, LinkedHashMap<String, JsonObject>> axis : spec.variants.entrySet()) {
            axes.add(variantAxis(axis.getKey(), axis.getValue(), varied));
        }
        List<List<Choice>> draws = drawRandom(spec, varied);
        List<Long> seedList = spec.seeds;
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
            objective = spec.rank != null ? Objective.parse(spec.rank) : Objective.auto(spec.base.resolved());
        } catch (UserError e) {
            throw new UserError("sweep: " + e.getMessage(), e);
        }

        List<List<Choice>> cells = cartesian(axes);
        List<RunSpec> runs = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        Path dir = spec.outDir();
        for (Long seed : seedList == null ? Collections.<Long>singletonList(null) : seedList) {
            for (List<Choice> cell : cells) {
                for (List<Choice> draw : draws) {
                    List<Choice> all = new ArrayList<>(cell);
                    all.addAll(draw);
                    Map<String, String> labels = new LinkedHashMap<>();
                    Map<String, JsonElement> ov = new LinkedHashMap<>();
                    for (Choice c : all) {
                        labels.put(c.axis(), c.label());
                        ov.putAll(c.overrides());
                    }
                    if (seed != null) {
                        labels.put("seed", Long.toString(seed));
                        ov.put("seed", new com.google.gson.JsonPrimitive(seed));
                    }
                    String id = uniqueId(runId(labels), ids);
                    TrainConfig cfg = configFor(spec.base, ov, id);
                    runs.add(new RunSpec(id, name, dir.resolve(id), "auto", labels, cfg));
                }
            }
        }
        List<String> labelKeys = new ArrayList<>(runs.get(0).labels().keySet());
        return new SweepPlan(spec, runs, labelKeys, objective);
    }

    private static void gridAxes(Map<String, List<JsonElement>> grid, List<List<Choice>> axes,
            Map<String, String> varied) {
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
                Map<String, JsonElement> ov = new LinkedHashMap<>();
                overrides(key, v, "sweep grid", ov);
                keys.addAll(ov.keySet());
                choices.add(new Choice(key, label(v), ov));
            }
            claim(varied, keys, "grid '" + key + "'");
            axes.add(choices);
        }
    }

    private static List<Choice> variantAxis(String a, Map<String, JsonObject> named, Map<String, String> varied) {
        if (SCHEMA.has(a)) {
            throw new UserError("sweep variants axis '" + a + "' has the name of a setting; name the axis otherwise"
                    + " (the settings go inside its variants)");
        }
        if (named.isEmpty()) {
            throw new UserError("sweep variants '" + a + "' has no variants");
        }
        List<Choice> choices = new ArrayList<>();
        Set<String> keysOfAxis = new LinkedHashSet<>();
        for (Map.Entry<String, JsonObject> v : named.entrySet()) {
            Map<String, JsonElement> ov = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> kv : v.getValue().entrySet()) {
                overrides(kv.getKey(), kv.getValue(), "sweep variants '" + a + "/" + v.getKey() + "'", ov);
            }
            keysOfAxis.addAll(ov.keySet());
            choices.add(new Choice(a, v.getKey(), ov));
        }
        claim(varied, keysOfAxis, "variants '" + a + "'");
        return choices;
    }

    /**
     * Adds the overrides a JSON value of setting {@code key} stands for: the value of a single setting,
     * or, for a group of settings ({@code optD}, {@code tricks}), one override per member given.
     */
    private static void overrides(String key, JsonElement v, String where, Map<String, JsonElement> out) {
        SettingsSchema.Setting s;
        try {
            s = SCHEMA.setting(key);
        } catch (UserError e) {
            throw new UserError(where + ": " + e.getMessage(), e);
        }
        if (s.kind() == SettingsSchema.Kind.GROUP && v.isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : v.getAsJsonObject().entrySet()) {
                overrides(key + "." + e.getKey(), e.getValue(), where, out);
            }
            return;
        }
        SCHEMA.check(key, v, where);
        out.put(key, v);
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
    private static List<List<Choice>> drawRandom(SweepSpec spec, Map<String, String> varied) {
        if (spec.random.isEmpty()) {
            if (spec.samples != null) {
                throw new UserError("sweep 'samples' " + spec.samples + " needs a 'random' section to draw from");
            }
            return List.of(List.of());
        }
        if (spec.samples == null || spec.samples < 1) {
            throw new UserError("sweep 'random' needs 'samples' >= 1 (how many configurations to draw)"
                    + (spec.samples == null ? "" : ", not " + spec.samples));
        }
        Set<String> keys = new LinkedHashSet<>();
        for (Map.Entry<String, Distribution> e : spec.random.entrySet()) {
            SettingsSchema.Setting s;
            try {
                s = SCHEMA.setting(e.getKey());
            } catch (UserError err) {
                throw new UserError("sweep random: " + err.getMessage(), err);
            }
            e.getValue().check(e.getKey(), s);
            keys.add(e.getKey());
        }
        claim(varied, keys, "random");
        // One generator for the whole search, drawing keys in spec order: the same spec and searchSeed
        // give the same configurations, and adding samples keeps the earlier ones.
        SplittableRandom rng = new SplittableRandom(spec.searchSeed);
        List<List<Choice>> out = new ArrayList<>();
        for (int n = 0; n < spec.samples; n++) {
            List<Choice> draw = new ArrayList<>();
            for (Map.Entry<String, Distribution> e : spec.random.entrySet()) {
                JsonElement v = e.getValue().draw(rng);
                Map<String, JsonElement> ov = new LinkedHashMap<>();
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
     * The base with the overrides applied, checked by resolving it. An override inside a group the base
     * leaves to the preset ({@code optD.lr} with optD unset) starts from the preset's group, so only the
     * named field changes (sweeping the learning rate of a WGAN-GP run keeps its Adam betas).
     */
    private static TrainConfig configFor(TrainConfig base, Map<String, JsonElement> ov, String id) {
        TrainConfig cfg = base.copy();
        try {
            Map<String, JsonElement> deferred = new LinkedHashMap<>();
            JsonObject current = cfg.toJsonTree();
            for (Map.Entry<String, JsonElement> e : ov.entrySet()) {
                if (parentMissing(current, e.getKey())) {
                    deferred.put(e.getKey(), e.getValue());
                } else {
                    cfg.set(e.getKey(), e.getValue());
                }
            }
            if (!deferred.isEmpty()) {
                JsonObject preset = cfg.resolved().toJsonTree();
                for (String key : deferred.keySet()) {
                    if (parentMissing(cfg.toJsonTree(), key)) {
                        String parent = key.substring(0, key.lastIndexOf('.'));
                        cfg.set(parent, SettingsSchema.get(preset, parent));
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
        JsonElement p = SettingsSchema.get(cfg, key.substring(0, dot));
        return p == null || !p.isJsonObject();
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
