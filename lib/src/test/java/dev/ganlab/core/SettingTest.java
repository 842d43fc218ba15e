package dev.ganlab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A setting read from a system property or an environment variable, and errors that name the one read. */
class SettingTest {

    private static final String PROPERTY = "ganlab.settingtest";
    /** Properties the tests set; their values before each test are put back after it (a run may set them). */
    private static final String[] SET_HERE = {PROPERTY, "ganlab.profile"};
    private final String[] before = new String[SET_HERE.length];

    @BeforeEach
    void remember() {
        for (int i = 0; i < SET_HERE.length; i++) {
            before[i] = System.getProperty(SET_HERE[i]);
        }
        System.clearProperty(PROPERTY);
    }

    @AfterEach
    void restore() {
        for (int i = 0; i < SET_HERE.length; i++) {
            if (before[i] == null) {
                System.clearProperty(SET_HERE[i]);
            } else {
                System.setProperty(SET_HERE[i], before[i]);
            }
        }
    }

    @Test
    void theEnvironmentVariableIsReadWhenThePropertyIsUnsetOrBlank() {
        // PATH is set in every JVM this test runs in; the property is ours and starts unset.
        Setting s = new Setting(PROPERTY, "PATH");
        assertEquals(System.getenv("PATH"), s.value());
        assertEquals("PATH", s.origin());
        System.setProperty(PROPERTY, "  ");
        assertEquals(System.getenv("PATH"), s.value(), "a blank property counts as unset");
        assertEquals("PATH", s.origin());
    }

    @Test
    void thePropertyWinsOverTheEnvironmentVariable() {
        Setting s = new Setting(PROPERTY, "PATH");
        System.setProperty(PROPERTY, "7");
        assertEquals("7", s.value());
        assertEquals("-D" + PROPERTY, s.origin());
    }

    @Test
    void neitherSetGivesNullAndTheFallback() {
        Setting s = new Setting(PROPERTY, "GANLAB_SETTINGTEST_NEVER_SET");
        assertNull(s.value());
        assertNull(s.origin());
        assertEquals("auto", s.valueOr("auto"));
    }

    @Test
    void aBadProfileNamesThePropertyThatGaveIt() {
        System.setProperty("ganlab.profile", "fast");
        UserError e = assertThrows(UserError.class, Profile::name);
        assertTrue(e.getMessage().startsWith("-Dganlab.profile='fast' is not a profile"), e.getMessage());
    }
}
