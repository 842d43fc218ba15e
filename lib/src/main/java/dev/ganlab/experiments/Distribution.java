package dev.ganlab.experiments;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.ganlab.core.SettingsSchema;
import dev.ganlab.core.UserError;
import dev.ganlab.train.TrainConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How a random search draws one setting: {@code {"uniform": [lo, hi]}}, {@code {"logUniform": [lo, hi]}}
 * (learning rates, penalty weights: uniform in the logarithm), {@code {"int": [lo, hi]}} (both ends
 * included) or {@code {"choice": [v1, v2, ...]}} (any values, equally likely).
 */
public final class Distribution {

    private enum Kind {
        UNIFORM("uniform"), LOG_UNIFORM("logUniform"), INT("int"), CHOICE("choice");

        final String key;

        Kind(String key) {
            this.key = key;
        }
    }

    private final Kind kind;
    private final double lo;
    private final double hi;
    private final List<JsonElement> choices;

    private Distribution(Kind kind, double lo, double hi, List<JsonElement> choices) {
        this.kind = kind;
        this.lo = lo;
        this.hi = hi;
        this.choices = choices;
    }

    /** Uniform on [lo, hi). */
    public static Distribution uniform(double lo, double hi) {
        return new Distribution(Kind.UNIFORM, lo, hi, List.of());
    }

    /** Uniform in log space on [lo, hi): every decade as likely as any other (lo > 0). */
    public static Distribution logUniform(double lo, double hi) {
        return new Distribution(Kind.LOG_UNIFORM, lo, hi, List.of());
    }

    /** Whole numbers lo..hi, both included. */
    public static Distribution integers(long lo, long hi) {
        return new Distribution(Kind.INT, lo, hi, List.of());
    }

    /** One of the values, equally likely. */
    public static Distribution choice(Object... values) {
        List<JsonElement> list = new ArrayList<>();
        for (Object v : values) {
            list.add(SweepSpecJson.toJsonValue(v));
        }
        return new Distribution(Kind.CHOICE, 0, 0, List.copyOf(list));
    }

    /** Parses {@code {"kind": [...]}} for the setting {@code key} (named in errors). */
    static Distribution fromJson(String key, JsonElement e) {
        String known = "uniform, logUniform, int or choice";
        if (!e.isJsonObject() || e.getAsJsonObject().size() != 1) {
            throw new UserError("sweep random '" + key + "': give one distribution, e.g. {\"logUniform\": [1e-5, 1e-3]}"
                    + " (" + known + "), not " + e);
        }
        Map.Entry<String, JsonElement> only = e.getAsJsonObject().entrySet().iterator().next();
        Kind kind = null;
        for (Kind k : Kind.values()) {
            if (k.key.equals(only.getKey())) {
                kind = k;
            }
        }
        if (kind == null) {
            throw new UserError("sweep random '" + key + "': unknown distribution '" + only.getKey() + "' (use " + known
                    + ")");
        }
        if (!only.getValue().isJsonArray()) {
            throw new UserError("sweep random '" + key + "': " + kind.key + " takes a list, e.g. [1e-5, 1e-3]");
        }
        JsonArray a = only.getValue().getAsJsonArray();
        if (kind == Kind.CHOICE) {
            List<JsonElement> list = new ArrayList<>();
            a.forEach(list::add);
            return new Distribution(kind, 0, 0, List.copyOf(list));
        }
        if (a.size() != 2 || !isNumber(a.get(0)) || !isNumber(a.get(1))) {
            throw new UserError("sweep random '" + key + "': " + kind.key + " takes two numbers [lo, hi], not " + a);
        }
        return new Distribution(kind, a.get(0).getAsDouble(), a.get(1).getAsDouble(), List.of());
    }

    private static boolean isNumber(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
    }

    /**
     * Checks that this distribution suits a setting of {@code type}: bounds in order, whole-number
     * draws for whole-number settings, real draws for real ones; choices are checked one by one.
     */
    void check(String key, SettingsSchema.Setting setting) {
        String where = "sweep random '" + key + "'";
        SettingsSchema.Kind k = setting.kind();
        switch (kind) {
            case CHOICE -> {
                if (choices.isEmpty()) {
                    throw new UserError(where + ": choice has no values");
                }
                for (JsonElement c : choices) {
                    TrainConfig.SCHEMA.check(key, c, "sweep random");
                }
            }
            case INT -> {
                if (k != SettingsSchema.Kind.WHOLE) {
                    throw new UserError(where + ": int draws whole numbers, but " + key + " takes "
                            + setting.expected() + (k == SettingsSchema.Kind.REAL ? " (use uniform or logUniform)" : ""));
                }
                if (lo != Math.rint(lo) || hi != Math.rint(hi) || lo > hi) {
                    throw new UserError(where + ": int takes whole bounds lo <= hi, not [" + lo + ", " + hi + "]");
                }
            }
            default -> {
                if (k != SettingsSchema.Kind.REAL) {
                    throw new UserError(where + ": " + kind.key + " draws real numbers, but " + key + " takes "
                            + setting.expected() + (k == SettingsSchema.Kind.WHOLE ? " (use int)" : " (use choice)"));
                }
                if (!(lo < hi) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
                    throw new UserError(where + ": " + kind.key + " needs finite bounds lo < hi, not [" + lo + ", " + hi
                            + "]");
                }
                if (kind == Kind.LOG_UNIFORM && !(lo > 0)) {
                    throw new UserError(where + ": logUniform needs lo > 0, not " + lo);
                }
            }
        }
    }

    /** One draw, as a JSON value. */
    JsonElement draw(SplittableRandom rng) {
        return switch (kind) {
            case UNIFORM -> new JsonPrimitive(lo + (hi - lo) * rng.nextDouble());
            case LOG_UNIFORM -> new JsonPrimitive(
                    Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * rng.nextDouble()));
            case INT -> new JsonPrimitive((long) lo + rng.nextLong((long) hi - (long) lo + 1));
            case CHOICE -> choices.get(rng.nextInt(choices.size()));
        };
    }

    /** Whether draws are real numbers (labelled with three significant digits). */
    boolean drawsReals() {
        return kind == Kind.UNIFORM || kind == Kind.LOG_UNIFORM;
    }

    JsonObject toJson() {
        JsonArray a = new JsonArray();
        if (kind == Kind.CHOICE) {
            choices.forEach(a::add);
        } else if (kind == Kind.INT) {
            a.add((long) lo);
            a.add((long) hi);
        } else {
            a.add(lo);
            a.add(hi);
        }
        JsonObject o = new JsonObject();
        o.add(kind.key, a);
        return o;
    }

    @Override
    public String toString() {
        return toJson().toString();
    }
}
