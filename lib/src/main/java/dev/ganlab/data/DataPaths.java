package dev.ganlab.data;

import dev.ganlab.core.ProjectHome;
import dev.ganlab.core.Setting;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where GAN Lab finds its project folder and the data sets that ship with packages.
 *
 * <ul>
 *   <li>Project home: {@code GANLAB_HOME}, the system property {@code ganlab.home}, or the folder two
 *       levels above {@code ganlab.jar} / {@code target/classes} (the checkout), else the working
 *       directory or the nearest parent holding {@code data/README.md}.
 *   <li>Fashion-MNIST: {@code GANLAB_FASHION_MNIST}, else {@code /usr/share/datasets/fashion-mnist}
 *       (Debian package {@code dataset-fashion-mnist}).
 *   <li>Noto emoji: {@code GANLAB_EMOJI}, else {@code <home>/data/node_modules/emoji-datasource-google}
 *       (npm package {@code emoji-datasource-google}, installed by {@code environment/setup.sh}).
 * </ul>
 */
public final class DataPaths {

    /** Debian's install location of the Fashion-MNIST idx files. */
    public static final Path DEBIAN_FASHION_MNIST = Paths.get("/usr/share/datasets/fashion-mnist");
    /** The npm package that carries the emoji images. */
    public static final String EMOJI_PACKAGE = "emoji-datasource-google";

    private DataPaths() {}

    private static final Setting FASHION_MNIST = new Setting("ganlab.fashion_mnist", "GANLAB_FASHION_MNIST");
    private static final Setting EMOJI = new Setting("ganlab.emoji", "GANLAB_EMOJI");
    private static final Setting DATA_CACHE = new Setting("ganlab.data_cache", "GANLAB_DATA_CACHE");

    /** The GAN Lab project folder (the checkout); see {@link ProjectHome#find()}. */
    public static Path home() {
        return ProjectHome.find();
    }

    /** Folder holding the Fashion-MNIST idx files. */
    public static Path fashionMnist() {
        String given = FASHION_MNIST.value();
        return given != null ? Paths.get(given) : DEBIAN_FASHION_MNIST;
    }

    /** Folder of the emoji npm package (holds {@code emoji.json} and {@code img/google/64}). */
    public static Path emoji() {
        String given = EMOJI.value();
        return given != null ? Paths.get(given)
                : home().resolve("data").resolve("node_modules").resolve(EMOJI_PACKAGE);
    }

    /**
     * Where prepared image folders are cached on disk ({@link DiskPixelCache}): the system property
     * {@code ganlab.data_cache}, else {@code GANLAB_DATA_CACHE}, else {@code <home>/build/cache/data}.
     */
    public static Path dataCache() {
        String given = DATA_CACHE.value();
        return given != null ? Paths.get(given) : home().resolve("build").resolve("cache").resolve("data");
    }

    /** Default folder for training runs: {@code <home>/runs}. */
    public static Path runs() {
        return home().resolve("runs");
    }
}
