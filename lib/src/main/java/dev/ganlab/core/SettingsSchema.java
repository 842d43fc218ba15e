package dev.ganlab.core;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSyntaxException;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of a plain settings class (public fields, nested settings classes as groups) as
 * dotted keys over a JSON tree: {@code steps}, {@code optD.lr}, {@code tricks.labelSmoothing}. One
 * schema serves a config file, a {@code --set key=value} on the command line and a sweep's grid, so
 * the three accept the same values and fail with the same messages, each naming the key: an unknown
 * key with the nearest known one ("did you mean"), a value of the wrong JSON type with the type the
 * key takes.
 *
 * <p>The tree is Gson's; the class is read from it by Gson once the tree has been checked here
 * (Gson alone accepts {@code "5"} for a number and {@code "off"} for {@code false}).
 */
public final class SettingsSchema {

    /** What a setting holds. */
    public enum Kind {
        WHOLE("a whole number"), REAL("a number"), BOOLEAN("true or false"), STRING("a string"),
        MAP("an object of entries"), GROUP("a group of settings (an object)");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        /** How a message names the values of this kind ("a whole number"). */
        public String description() {
            return description;
        }
    }

    /**
     * One setting.
     *
     * @param key its dotted key
     * @param kind what it holds
     * @param type the Java type of its field
     */
    public record Setting(String key, Kind kind, Class<?> type) {
        /** Whether null ("unset": the preset's default) is a value. */
        public boolean nullable() {
            return !type.isPrimitive();
        }

        /** What the setting takes, for messages: "a whole number (int)", "true or false". */
        public String expected() {
            return kind == Kind.WHOLE || kind == Kind.REAL
                    ? kind.description() + " (" + type.getSimpleName().toLowerCase(Locale.ROOT) + ")"
                    : kind.description();
        }
    }

    private final Class<?> root;
    /** Computed on first use (classes do not change while the program runs). */
    private volatile List<String> leafKeys;

    private SettingsSchema(Class<?> root) {
        this.root = root;
    }

    /** The schema of a settings class. */
    public static SettingsSchema of(Class<?> root) {
        return new SettingsSchema(root);
    }

    /** The setting at a dotted key; an unknown key is a UserError naming it and the nearest known key. */
    public Setting setting(String key) {
        String[] parts = key.split("\\.", -1);
        Class<?> type = root;
        for (int i = 0; i < parts.length; i++) {
            if (i > 0 && kindOf(type) != Kind.GROUP) {
                throw new UserError("unknown setting '" + key + "': " + String.join(".", List.of(parts).subList(0, i))
                        + " is " + kindOf(type).description() + ", not a group of settings");
            }
            type = field(type, parts[i], String.join(".", List.of(parts).subList(0, i + 1))).getType();
        }
        return new Setting(key, kindOf(type), type);
    }

    /** Whether a dotted key names a setting or a group of settings. */
    public boolean has(String key) {
        try {
            setting(key);
            return true;
        } catch (UserError e) {
            return false;
        }
    }

    /** The dotted keys of every setting that is not a group, in declaration order. */
    public List<String> leafKeys() {
        List<String> keys = leafKeys;
        if (keys == null) {
            List<String> out = new ArrayList<>();
            collect(root, "", out);
            keys = List.copyOf(out);
            leafKeys = keys;
        }
        return keys;
    }

    private static void collect(Class<?> type, String prefix, List<String> out) {
        for (Field f : fields(type)) {
            if (kindOf(f.getType()) == Kind.GROUP) {
                collect(f.getType(), prefix + f.getName() + ".", out);
            } else {
                out.add(prefix + f.getName());
            }
        }
    }

    /**
     * Checks a whole tree: every key known, every value of the JSON type its setting takes. {@code where}
     * starts each message ("config", "sweep grid").
     */
    public void check(JsonObject tree, String where) {
        checkMembers(tree, root, "", where);
    }

    /** Checks the value given for one setting (a group's value is an object of its members). */
    public void check(String key, JsonElement value, String where) {
        Setting s = setting(key);
        if (s.kind() == Kind.GROUP && value.isJsonObject()) {
            checkMembers(value.getAsJsonObject(), s.type(), key + ".", where);
        } else {
            checkValue(s, value, where);
        }
    }

    private void checkMembers(JsonObject obj, Class<?> type, String prefix, String where) {
        for (Map.Entry<String, JsonElement> e : obj.entrySet()) {
            Field f = field(type, e.getKey(), prefix + e.getKey());
            Setting s = new Setting(prefix + e.getKey(), kindOf(f.getType()), f.getType());
            if (s.kind() == Kind.GROUP && e.getValue().isJsonObject()) {
                checkMembers(e.getValue().getAsJsonObject(), f.getType(), s.key() + ".", where);
            } else {
                checkValue(s, e.getValue(), where);
            }
        }
    }

    private static void checkValue(Setting s, JsonElement v, String where) {
        if (v.isJsonNull()) {
            if (!s.nullable()) {
                throw wrongType(s, v, where);
            }
            return;
        }
        boolean ok = switch (s.kind()) {
            case WHOLE -> isNumber(v) && isWhole(v.getAsString());
            case REAL -> isNumber(v);
            case BOOLEAN -> v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean();
            case STRING -> v.isJsonPrimitive() && v.getAsJsonPrimitive().isString();
            case MAP, GROUP -> v.isJsonObject();
        };
        if (!ok) {
            if (s.kind() == Kind.WHOLE && isNumber(v)) {
                throw new UserError(prefix(where) + "setting '" + s.key() + "' has the wrong type: " + v
                        + " is not a whole number, but " + s.key() + " takes " + s.expected());
            }
            throw wrongType(s, v, where);
        }
    }

    private static UserError wrongType(Setting s, JsonElement v, String where) {
        return new UserError(prefix(where) + "setting '" + s.key() + "' has the wrong type: " + v + " is "
                + jsonKind(v) + ", but " + s.key() + " takes " + s.expected()
                + (s.kind() == Kind.GROUP ? " (or set its members: " + s.key() + ".x)" : ""));
    }

    private static String prefix(String where) {
        return where == null || where.isEmpty() ? "" : where + ": ";
    }

    private static boolean isNumber(JsonElement v) {
        return v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber();
    }

    private static boolean isWhole(String number) {
        try {
            new BigDecimal(number).toBigIntegerExact();
            return true;
        } catch (ArithmeticException | NumberFormatException e) {
            return false;
        }
    }

    /** How a message names a JSON value's type ("a string", "a list"). */
    public static String jsonKind(JsonElement v) {
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
     * The JSON value of the text after {@code key=} on a command line: numbers and booleans as such,
     * {@code null} for an unset (nullable) setting, an object for a group or map given as JSON, and
     * any text for a string setting. A text that does not fit is a UserError naming the key.
     */
    public JsonElement parse(String key, String text) {
        Setting s = setting(key);
        String t = text.trim();
        if (s.kind() == Kind.STRING) {
            return t.equals("null") ? JsonNull.INSTANCE : new JsonPrimitive(t);
        }
        if (t.equals("null") && s.nullable()) {
            return JsonNull.INSTANCE;
        }
        JsonElement v;
        switch (s.kind()) {
            case WHOLE -> {
                if (!t.matches("[+-]?\\d+")) {
                    throw notA(s, text);
                }
                v = new JsonPrimitive(new BigDecimal(t));
            }
            case REAL -> {
                try {
                    v = new JsonPrimitive(new BigDecimal(t));
                } catch (NumberFormatException e) {
                    try {
                        v = new JsonPrimitive(Double.parseDouble(t)); // NaN, Infinity: rejected by validation
                    } catch (NumberFormatException e2) {
                        throw notA(s, text);
                    }
                }
            }
            case BOOLEAN -> {
                if (!t.equals("true") && !t.equals("false")) {
                    throw notA(s, text);
                }
                v = new JsonPrimitive(Boolean.parseBoolean(t));
            }
            default -> {
                if (!t.startsWith("{")) {
                    throw new UserError("setting '" + key + "' is " + s.kind().description() + "; set its members ("
                            + key + ".x=...) or give it as JSON ({...})");
                }
                try {
                    v = JsonParser.parseString(t);
                } catch (JsonSyntaxException e) {
                    throw new UserError("setting '" + key + "': " + text + " is not valid JSON: " + e.getMessage(), e);
                }
            }
        }
        check(key, v, "");
        return v;
    }

    private static UserError notA(Setting s, String text) {
        return new UserError("setting '" + s.key() + "' has the wrong type: '" + text + "' is not " + s.expected());
    }

    /** The value at a dotted key of a tree, or null when a member on the way is missing. */
    public static JsonElement get(JsonObject tree, String key) {
        JsonElement cur = tree;
        for (String part : key.split("\\.")) {
            if (cur == null || !cur.isJsonObject()) {
                return null;
            }
            cur = cur.getAsJsonObject().get(part);
        }
        return cur;
    }

    /** Sets a dotted key of a tree, creating the groups on the way (a group left unset becomes {}). */
    public static void put(JsonObject tree, String key, JsonElement value) {
        String[] parts = key.split("\\.");
        JsonObject cur = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonElement next = cur.get(parts[i]);
            if (next == null || !next.isJsonObject()) {
                next = new JsonObject();
                cur.add(parts[i], next);
            }
            cur = next.getAsJsonObject();
        }
        cur.add(parts[parts.length - 1], value);
    }

    // ---- Reflection -----------------------------------------------------------------------------

    static Kind kindOf(Class<?> t) {
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return Kind.WHOLE;
        }
        if (t == float.class || t == Float.class || t == double.class || t == Double.class) {
            return Kind.REAL;
        }
        if (t == boolean.class || t == Boolean.class) {
            return Kind.BOOLEAN;
        }
        if (t == String.class) {
            return Kind.STRING;
        }
        if (Map.class.isAssignableFrom(t)) {
            return Kind.MAP;
        }
        return Kind.GROUP;
    }

    private static List<Field> fields(Class<?> type) {
        List<Field> out = new ArrayList<>();
        for (Field f : type.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                out.add(f);
            }
        }
        return out;
    }

    private static Field field(Class<?> type, String name, String fullKey) {
        for (Field f : fields(type)) {
            if (f.getName().equals(name)) {
                return f;
            }
        }
        List<String> known = fields(type).stream().map(Field::getName).toList();
        String near = nearest(name, known);
        throw new UserError("unknown setting '" + fullKey + "'" + (near == null ? "" : " (did you mean '"
                + fullKey.substring(0, fullKey.length() - name.length()) + near + "'?)") + "; known here: "
                + String.join(", ", known));
    }

    /** The known name closest to {@code name} if it is close enough to be a slip, else null. */
    public static String nearest(String name, List<String> known) {
        String lower = name.toLowerCase(Locale.ROOT);
        return known.stream()
                .filter(k -> {
                    String kl = k.toLowerCase(Locale.ROOT);
                    return distance(lower, kl) <= Math.max(2, k.length() / 3)
                            || (lower.length() >= 4 && (kl.contains(lower) || lower.contains(kl)));
                })
                .min(Comparator.comparingInt(k -> distance(lower, k.toLowerCase(Locale.ROOT))))
                .orElse(null);
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
