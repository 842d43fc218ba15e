package dev.ganlab.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The run profile notebooks and benchmarks size themselves by, so one notebook serves CI and real
 * runs.
 *
 * <ul>
 *   <li>{@code smoke} - seconds per notebook: every cell runs, nothing converges (the test suite);
 *   <li>{@code quick} - minutes on a 2-core CPU: enough training to see the idea work;
 *   <li>{@code full} - a GPU run to convergence.
 * </ul>
 *
 * Chosen by {@code GANLAB_PROFILE} (or {@code -Dganlab.profile}); by default {@code full} when the
 * engine sees a GPU and {@code quick} otherwise.
 */
public final class Profile {

    /** Environment variable that selects the profile. */
    public static final String ENV = "GANLAB_PROFILE";
    /** The profile names, smallest first. */
    public static final List<String> NAMES = List.of("smoke", "quick", "full");

    private static final Setting SETTING = new Setting("ganlab.profile", ENV);

    private Profile() {}

    /** The current profile's name. */
    public static String name() {
        String s = SETTING.value();
        if (s == null) {
            return GanLab.gpuCount() > 0 ? "full" : "quick";
        }
        String p = s.trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(p)) {
            throw new UserError(SETTING.origin() + "='" + s + "' is not a profile: use smoke, quick or full");
        }
        return p;
    }

    /** {@code quick} for the smoke and quick profiles, {@code full} for full. */
    public static <T> T pick(T quick, T full) {
        return name().equals("full") ? full : quick;
    }

    /** One value per profile. */
    public static <T> T pick(T smoke, T quick, T full) {
        return switch (name()) {
            case "smoke" -> smoke;
            case "quick" -> quick;
            default -> full;
        };
    }

    /**
     * Where notebooks of this profile keep their runs: {@code <home>/build/runs/<profile>/}. Stage
     * notebooks write there and the metric notebook reads the same place.
     */
    public static Path runsDir() {
        return ProjectHome.find().resolve("build").resolve("runs").resolve(name());
    }
}
