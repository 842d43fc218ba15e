package dev.ganlab.core;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where the GAN Lab project folder (the checkout) is: {@code GANLAB_HOME}, the system property
 * {@code ganlab.home}, or the folder two levels above {@code ganlab.jar} / {@code target/classes},
 * else the working directory or the nearest parent holding {@code data/README.md}. In {@code core}
 * because run folders ({@link Profile#runsDir()}) and data sets ({@code data.DataPaths}) both start there.
 */
public final class ProjectHome {

    private static final Setting HOME = new Setting("ganlab.home", "GANLAB_HOME");

    private ProjectHome() {}

    /** The GAN Lab project folder (the checkout). */
    public static Path find() {
        String given = HOME.value();
        if (given != null) {
            return Paths.get(given).toAbsolutePath().normalize();
        }
        Path fromCode = homeFromCodeLocation();
        if (fromCode != null) {
            return fromCode;
        }
        Path dir = Paths.get("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("data").resolve("README.md"))) {
                return p;
            }
        }
        return dir;
    }

    private static Path homeFromCodeLocation() {
        try {
            var src = ProjectHome.class.getProtectionDomain().getCodeSource();
            if (src == null) {
                return null;
            }
            Path p = Paths.get(src.getLocation().toURI()).toAbsolutePath();
            // lib/target/ganlab.jar or lib/target/classes -> checkout root is three levels up from
            // the jar file itself, two from the target folder.
            Path target = p.getParent();
            if (target == null || target.getParent() == null || target.getParent().getParent() == null) {
                return null;
            }
            Path root = target.getParent().getParent();
            if (Files.isDirectory(root.resolve("lib")) && Files.isRegularFile(root.resolve("pom.xml"))) {
                return root;
            }
            return null;
        } catch (URISyntaxException | SecurityException e) {
            return null;
        }
    }
}
