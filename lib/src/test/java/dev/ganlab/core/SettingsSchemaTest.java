package dev.ganlab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/** Dotted keys over a JSON tree: kinds read from the fields, values checked, errors naming the key. */
class SettingsSchemaTest {

    /** A settings class shaped like TrainConfig: plain fields, a nested group, a map. */
    public static final class Toy {
        public static final int NOT_A_SETTING = 3;
        public int steps = 10;
        public Float lr;
        public boolean hflip;
        public String loss = "ns";
        public Inner tricks = new Inner();
        public Map<Integer, Integer> minibatch;
    }

    public static final class Inner {
        public double labelSmoothing = 1;
        public long seed;
    }

    static final SettingsSchema S = SettingsSchema.of(Toy.class);

    static void assertMentions(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should mention '" + p + "': " + e.getMessage());
        }
    }

    @Test
    void keysAndKindsComeFromTheFields() {
        assertEquals(List.of("steps", "lr", "hflip", "loss", "tricks.labelSmoothing", "tricks.seed", "minibatch"),
                S.leafKeys());
        assertEquals(SettingsSchema.Kind.WHOLE, S.setting("steps").kind());
        assertEquals(SettingsSchema.Kind.REAL, S.setting("lr").kind());
        assertTrue(S.setting("lr").nullable());
        assertFalse(S.setting("steps").nullable());
        assertEquals(SettingsSchema.Kind.GROUP, S.setting("tricks").kind());
        assertEquals(SettingsSchema.Kind.MAP, S.setting("minibatch").kind());
        assertEquals(long.class, S.setting("tricks.seed").type());
        assertFalse(S.has("NOT_A_SETTING"), "static fields are constants, not settings");
    }

    @Test
    void unknownKeysNameTheKeyAndTheNearestKnownOne() {
        assertMentions(assertThrows(UserError.class, () -> S.setting("stepz")), "'stepz'", "did you mean 'steps'",
                "known here: steps, lr");
        assertMentions(assertThrows(UserError.class, () -> S.setting("tricks.labelSmothing")),
                "'tricks.labelSmothing'", "did you mean 'tricks.labelSmoothing'");
        UserError far = assertThrows(UserError.class, () -> S.setting("tricks.xyz"));
        assertFalse(far.getMessage().contains("did you mean"), far.getMessage());
        assertMentions(assertThrows(UserError.class, () -> S.setting("steps.x")), "'steps.x'", "not a group");
        assertEquals("labelSmoothing", SettingsSchema.nearest("smoothing", List.of("labelSmoothing", "seed")));
        assertNull(SettingsSchema.nearest("zzz", List.of("labelSmoothing", "seed")));
    }

    @Test
    void commandLineTextBecomesTheJsonValueItsSettingTakes() {
        assertEquals(new JsonPrimitive(5), S.parse("steps", " 5 "));
        assertEquals(1e-4, S.parse("lr", "1e-4").getAsDouble(), 0);
        assertEquals(JsonNull.INSTANCE, S.parse("lr", "null"));
        assertEquals(new JsonPrimitive(true), S.parse("hflip", "true"));
        assertEquals(new JsonPrimitive("wgan-gp"), S.parse("loss", "wgan-gp"));
        assertEquals(new JsonPrimitive(""), S.parse("loss", ""), "an empty string is a string (augment=)");
        assertEquals(JsonParser.parseString("{\"labelSmoothing\": 0.9}"),
                S.parse("tricks", "{\"labelSmoothing\": 0.9}"));
        assertMentions(assertThrows(UserError.class, () -> S.parse("steps", "1e3x")), "'steps'", "'1e3x'",
                "whole number (int)");
        assertMentions(assertThrows(UserError.class, () -> S.parse("steps", "2.5")), "'steps'", "whole number");
        assertMentions(assertThrows(UserError.class, () -> S.parse("steps", "null")), "'steps'");
        assertMentions(assertThrows(UserError.class, () -> S.parse("hflip", "yes")), "'hflip'", "true or false");
        assertMentions(assertThrows(UserError.class, () -> S.parse("tricks", "0.9")), "'tricks'", "tricks.x");
        assertMentions(assertThrows(UserError.class, () -> S.parse("tricks", "{\"seeed\": 1}")),
                "'tricks.seeed'", "did you mean 'tricks.seed'");
    }

    @Test
    void aTreeIsCheckedKeyByKeyAndValueByValue() {
        S.check(JsonParser.parseString("{\"steps\": 3, \"lr\": null, \"tricks\": {\"seed\": 7},"
                + " \"minibatch\": {\"4\": 16}}").getAsJsonObject(), "config");
        assertMentions(assertThrows(UserError.class, () -> S.check(JsonParser.parseString(
                "{\"steps\": \"many\"}").getAsJsonObject(), "config")), "config: ", "'steps'", "wrong type",
                "\"many\" is a string", "whole number (int)");
        assertMentions(assertThrows(UserError.class, () -> S.check(JsonParser.parseString(
                "{\"tricks\": {\"labelSmoothing\": true}}").getAsJsonObject(), "config")),
                "'tricks.labelSmoothing'", "true is a boolean", "a number (double)");
        assertMentions(assertThrows(UserError.class, () -> S.check(JsonParser.parseString(
                "{\"hflip\": \"off\"}").getAsJsonObject(), "config")), "'hflip'", "\"off\"", "true or false");
        assertMentions(assertThrows(UserError.class, () -> S.check(JsonParser.parseString(
                "{\"loss\": 1}").getAsJsonObject(), "sweep grid")), "sweep grid: ", "'loss'", "a string");
        assertMentions(assertThrows(UserError.class, () -> S.check(JsonParser.parseString(
                "{\"tricks\": [1]}").getAsJsonObject(), "config")), "'tricks'", "a list", "group of settings");
    }

    @Test
    void putCreatesTheGroupsOnTheWayAndGetReadsThem() {
        JsonObject t = new JsonObject();
        SettingsSchema.put(t, "tricks.seed", new JsonPrimitive(4));
        SettingsSchema.put(t, "steps", new JsonPrimitive(2));
        assertEquals(JsonParser.parseString("{\"tricks\": {\"seed\": 4}, \"steps\": 2}"), t);
        assertEquals(new JsonPrimitive(4), SettingsSchema.get(t, "tricks.seed"));
        assertNull(SettingsSchema.get(t, "tricks.labelSmoothing"));
        assertNull(SettingsSchema.get(t, "steps.x"));
    }
}
