package dev.ganlab.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ganlab.core.UserError;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The settings in which two configs differ, each said as {@code key: the run has A, asked B}, for the
 * error that refuses to resume a run with other settings: "a different config" alone leaves the user to
 * diff two JSON files by eye.
 */
public final class ConfigDifferences {

    private ConfigDifferences() {}

    /** Dotted keys whose values differ between the two trees, in the run's key order, then the new keys. */
    public static List<String> of(JsonObject run, JsonObject asked) {
        List<String> out = new ArrayList<>();
        collect("", run, asked, out);
        return out;
    }

    /** The refusal to resume {@code dir} with the {@code changed} settings ({@link #of}). */
    public static UserError resumeRefused(Path dir, List<String> changed) {
        return new UserError("run " + dir + " was started with a different config: " + String.join("; ", changed)
                + ". Resume it without changing settings other than steps and devices, or start a new run in"
                + " another folder");
    }

    private static void collect(String key, JsonElement run, JsonElement asked, List<String> out) {
        if (run != null && asked != null && run.isJsonObject() && asked.isJsonObject()) {
            Set<String> keys = new LinkedHashSet<>(run.getAsJsonObject().keySet());
            keys.addAll(asked.getAsJsonObject().keySet());
            for (String k : keys) {
                collect(key.isEmpty() ? k : key + "." + k, run.getAsJsonObject().get(k), asked.getAsJsonObject().get(k),
                        out);
            }
        } else if (!Objects.equals(orNull(run), orNull(asked))) {
            out.add(key + ": the run has " + shown(run) + ", asked " + shown(asked));
        }
    }

    private static JsonElement orNull(JsonElement v) {
        return v == null || v.isJsonNull() ? null : v;
    }

    private static String shown(JsonElement v) {
        return orNull(v) == null ? "none" : v.toString();
    }
}
