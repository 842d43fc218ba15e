package dev.ganlab.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.ganlab.core.SettingsSchema;
import dev.ganlab.core.UserError;
import dev.ganlab.models.ModelPreset;
import dev.ganlab.models.Models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rejects a setting that cannot apply to the chosen model, naming the key and the model, instead of
 * ignoring it: another model family's section ({@code fastgan.sle} on a progan run) unless the model
 * reads that key, and the shared keys its preset lists as inapplicable
 * ({@code tricks.minibatchDiscrimination} on progan). A key counts as set when its value differs both
 * from a new config's and from what resolution fills in for it (a resolved config, as a run stores
 * it, holds every section completed, and must read back).
 */
final class ModelApplicability {

    /** A new config as a tree (read only). */
    private static final JsonObject FRESH = new TrainConfig().toJsonTree();

    private ModelApplicability() {}

    /** The inapplicable keys (or groups) of a model, each with why. */
    static Map<String, String> inapplicable(ModelPreset<?> preset) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ModelPreset<?> owner : Models.sectionOwners()) {
            if (!owner.sectionKey().equals(preset.sectionKey())) {
                out.put(owner.sectionKey(), "it is a setting of " + modelsOf(owner.sectionKey()));
            }
        }
        for (String k : preset.inapplicable()) {
            out.put(k, preset.name() + "'s preset declares it inapplicable");
        }
        return out;
    }

    private static String modelsOf(String sectionKey) {
        List<String> names = new ArrayList<>();
        for (ModelPreset<?> p : Models.presets()) {
            if (p.sectionKey().equals(sectionKey)) {
                names.add(p.name());
            }
        }
        return "model " + String.join(" and ", names);
    }

    /** Checks {@code raw} (a config as given) for settings {@code preset}'s model cannot use. */
    static void check(TrainConfig raw, ModelPreset<?> preset) {
        Map<String, String> bad = inapplicable(preset);
        JsonObject given = raw.toJsonTree();
        JsonObject fresh = FRESH;
        JsonObject neutral = null;
        for (String key : TrainConfig.SCHEMA.leafKeys()) {
            String entry = entryOf(key, bad);
            if (entry == null || readsKey(preset, key)) {
                continue;
            }
            JsonElement v = orNull(SettingsSchema.get(given, key));
            if (v.equals(orNull(SettingsSchema.get(fresh, key)))) {
                continue;
            }
            if (neutral == null) {
                neutral = neutralResolution(given, fresh, bad.keySet(), preset);
            }
            if (v.equals(orNull(SettingsSchema.get(neutral, key)))) {
                continue;
            }
            throw new UserError("config: setting '" + key + "' (" + v + ") does not apply to model " + preset.name()
                    + ": " + bad.get(entry) + "; leave it out or choose another model");
        }
    }

    private static String entryOf(String key, Map<String, String> bad) {
        for (String e : bad.keySet()) {
            if (key.equals(e) || key.startsWith(e + ".")) {
                return e;
            }
        }
        return null;
    }

    private static boolean readsKey(ModelPreset<?> preset, String key) {
        for (String r : preset.reads()) {
            if (key.equals(r) || key.startsWith(r + ".")) {
                return true;
            }
        }
        return false;
    }

    private static JsonElement orNull(JsonElement e) {
        return e == null ? JsonNull.INSTANCE : e;
    }

    /** The resolution of the config with every inapplicable key back at its default. */
    private static JsonObject neutralResolution(JsonObject given, JsonObject fresh, Iterable<String> entries,
            ModelPreset<?> preset) {
        JsonObject t = given.deepCopy();
        for (String e : entries) {
            JsonElement d = SettingsSchema.get(fresh, e);
            SettingsSchema.put(t, e, d == null ? JsonNull.INSTANCE : d.deepCopy());
        }
        return TrainConfig.fromTree(t).fill(preset).toJsonTree();
    }
}
