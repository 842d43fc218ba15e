package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import dev.ganlab.models.progan.ProganConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

/** TrainConfig's settings through the one schema: config files, --set and sweeps take the same keys. */
class TrainConfigSettingsTest {

    @Test
    void setChangesOneFieldAndKeepsTheGroupsAUserHolds() {
        TrainConfig c = new TrainConfig();
        ProganConfig p = c.progan;
        c.set("progan.fadeInImages", "5000");
        assertSame(p, c.progan, "a notebook's reference to c.progan stays valid");
        assertEquals(5000, p.fadeInImages);
        c.set("progan.minibatch", "{\"4\": 8, \"8\": 4}");
        assertEquals(Map.of(4, 8, 8, 4), c.progan.minibatch);
        c.set("optD.lr", "1e-4");
        assertEquals(1e-4f, c.optD.lr);
        assertNull(c.optD.type, "an unset optimiser is created partial: the run's default completes it");
        TrainConfig lrOnly = new TrainConfig().set("optD.lr", "1e-4").resolved();
        assertEquals("adam", lrOnly.optD.type);
        assertEquals(1e-4f, lrOnly.optD.lr);
        c.set("optG", "{\"type\": \"sgd\", \"lr\": 0.01}");
        assertEquals("sgd", c.optG.type);
        c.set("resolution", "32").set("resolution", "null");
        assertNull(c.resolution);
        c.set("augment", "");
        assertEquals("", c.augment);
    }

    @Test
    void theCommandLineAssignmentNamesTheFlagAndTheKey() {
        TrainConfig c = new TrainConfig();
        assertEquals(7L, c.setAssignment("seed=7", "--set").seed);
        UserError e = assertThrows(UserError.class, () -> c.setAssignment("seed", "--set"));
        assertTrue(e.getMessage().contains("--set 'seed' must be KEY=VALUE"), e.getMessage());
        e = assertThrows(UserError.class, () -> c.setAssignment("tricks.labelSmothing=0.9", "--set"));
        assertTrue(e.getMessage().contains("did you mean 'tricks.labelSmoothing'"), e.getMessage());
        e = assertThrows(UserError.class, () -> c.setAssignment("optD.lr=fast", "--set"));
        assertTrue(e.getMessage().contains("'optD.lr'") && e.getMessage().contains("'fast'")
                && e.getMessage().contains("a number (float)"), e.getMessage());
    }

    @Test
    void aConfigFileIsCheckedWithTheSameSchema() {
        UserError e = assertThrows(UserError.class, () -> TrainConfig.fromJson("{\"optD\": {\"lr\": \"1e-4\"}}"));
        assertTrue(e.getMessage().contains("'optD.lr'") && e.getMessage().contains("\"1e-4\" is a string"),
                e.getMessage());
        e = assertThrows(UserError.class, () -> TrainConfig.fromJson("{\"progan\": {\"fadeInImages\": 1.5}}"));
        assertTrue(e.getMessage().contains("'progan.fadeInImages'") && e.getMessage().contains("whole number"),
                e.getMessage());
        TrainConfig noGroups = TrainConfig.fromJson("{\"tricks\": null, \"eval\": null}");
        assertEquals(1f, noGroups.tricks.labelSmoothing, "a group given as null takes its defaults");
        assertEquals("auto", noGroups.eval.metrics);
    }
}
