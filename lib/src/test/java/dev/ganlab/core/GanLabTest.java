package dev.ganlab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

class GanLabTest {

    @Test
    void deviceSpecsResolveOrNameTheProblem() {
        GanLab.init();
        Engine engine = Engine.getEngine("PyTorch");
        assertEquals(Device.cpu(), GanLab.resolveDevice("CPU", engine));
        Device auto = GanLab.resolveDevice("auto", engine);
        assertEquals(engine.getGpuCount() > 0 ? Device.gpu(0) : Device.cpu(), auto);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> GanLab.resolveDevice("tpu", engine));
        assertTrue(unknown.getMessage().contains("'tpu'") && unknown.getMessage().contains("GANLAB_DEVICE"));
        IllegalArgumentException badIndex = assertThrows(IllegalArgumentException.class,
                () -> GanLab.resolveDevice("gpu:x", engine));
        assertTrue(badIndex.getMessage().contains("gpu:x"));
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> GanLab.resolveDevice("gpu:" + engine.getGpuCount(), engine));
        assertTrue(tooMany.getMessage().contains("sees " + engine.getGpuCount() + " GPU"), tooMany.getMessage());
    }

    @Test
    void engineIsOfflineAndThreadedAsConfigured() {
        GanLab.init();
        assertTrue(GanLab.offline());
        assertTrue(GanLab.threads() >= 1);
        assertEquals(GanLab.threads(), ai.djl.pytorch.jni.JniUtils.getNumThreads());
        assertEquals("0.29.0", GanLab.versions().getProperty("djl"));
    }

    @Test
    void profileNamesAreChecked() {
        String old = System.getProperty("ganlab.profile");
        try {
            System.setProperty("ganlab.profile", "Quick");
            assertEquals("quick", Profile.name());
            assertEquals(3, (int) Profile.pick(1, 3, 9));
            System.setProperty("ganlab.profile", "huge");
            UserError e = assertThrows(UserError.class, Profile::name);
            assertTrue(e.getMessage().contains("huge"));
        } finally {
            if (old == null) {
                System.clearProperty("ganlab.profile");
            } else {
                System.setProperty("ganlab.profile", old);
            }
        }
    }
}
