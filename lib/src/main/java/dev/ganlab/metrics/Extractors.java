package dev.ganlab.metrics;

import dev.ganlab.core.UserError;
import dev.ganlab.data.DataPaths;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Opens a feature extractor from a spec:
 * <ul>
 *   <li>{@code fmnist} - the committed Fashion-MNIST feature network ({@link FashionMnistFeatureNet});
 *       {@code fmnist=PATH} - weights written by {@code ganlab train-features};
 *   <li>{@code inception=PATH} - StyleGAN2-ADA's {@code inception-2015-12-05.pt}; plain
 *       {@code inception} looks in {@link #defaultInceptionPath()};
 *   <li>{@code torchscript=PATH[?size=N&channels=1|3&range=-1..1|0..1|0..255]} - any TorchScript model
 *       (see {@link TorchScriptExtractor}); defaults: the images' own size and channels, range -1..1.
 * </ul>
 */
public final class Extractors {

    /** File name of StyleGAN2-ADA's Inception network. */
    public static final String INCEPTION_FILE = "inception-2015-12-05.pt";

    private Extractors() {}

    /**
     * Where plain {@code inception} looks: {@code $GANLAB_INCEPTION} if set, else the first that exists
     * of {@code <home>/build/cache/inception-2015-12-05.pt} and {@code ~/.cache/ganlab/inception-2015-12-05.pt}
     * (the first when neither does).
     */
    public static Path defaultInceptionPath() {
        String env = System.getenv("GANLAB_INCEPTION");
        if (env != null && !env.isBlank()) {
            return Paths.get(env);
        }
        Path inHome = DataPaths.home().resolve("build").resolve("cache").resolve(INCEPTION_FILE);
        Path inUser = Paths.get(System.getProperty("user.home"), ".cache", "ganlab", INCEPTION_FILE);
        return Files.isRegularFile(inHome) || !Files.isRegularFile(inUser) ? inHome : inUser;
    }

    /**
     * Opens the extractor a spec names.
     *
     * @throws UserError for an unknown spec or a missing file
     */
    public static FeatureExtractor open(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new UserError("empty --features: use fmnist, inception=PATH or torchscript=PATH");
        }
        String s = spec.trim();
        int eq = s.indexOf('=');
        String kind = (eq < 0 ? s : s.substring(0, eq)).toLowerCase(Locale.ROOT);
        String arg = eq < 0 ? null : s.substring(eq + 1);
        return switch (kind) {
            case "fmnist" -> arg == null ? FashionMnistFeatureNet.load() : FashionMnistFeatureNet.load(path(arg));
            case "inception" -> TorchScriptExtractor.inception(arg == null ? defaultInceptionPath() : path(arg));
            case "torchscript" -> {
                if (arg == null) {
                    throw new UserError("--features torchscript needs a file: torchscript=PATH[?size=N&channels=3"
                            + "&range=-1..1]");
                }
                int q = arg.indexOf('?');
                Map<String, String> opt = query(q < 0 ? "" : arg.substring(q + 1), spec);
                Path file = path(q < 0 ? arg : arg.substring(0, q));
                int size = intOption(opt, "size", 0, spec);
                int channels = intOption(opt, "channels", 0, spec);
                if (channels != 0 && channels != 1 && channels != 3) {
                    throw new UserError(spec + ": channels=" + channels + " must be 1 or 3");
                }
                ImagePreparation.Range range = ImagePreparation.Range.parse(opt.getOrDefault("range", "-1..1"));
                yield TorchScriptExtractor.plain(file, size, channels, range);
            }
            default -> throw new UserError("unknown --features '" + spec
                    + "': use fmnist, inception=PATH or torchscript=PATH");
        };
    }

    /**
     * The suffix of score names for a features spec, without opening the network (see
     * {@link FeatureExtractor#scoreSuffix()}): {@code fmnist} for {@code fmnist[=PATH]} and for an empty
     * spec (the evaluator's default), empty for {@code inception[=PATH]}, the file's stem for
     * {@code torchscript=PATH}.
     *
     * @throws UserError for an unknown spec
     */
    public static String scoreSuffix(String spec) {
        String s = spec == null ? "" : spec.trim();
        if (s.isEmpty()) {
            return FashionMnistFeatureNet.SCORE_SUFFIX;
        }
        int eq = s.indexOf('=');
        String kind = (eq < 0 ? s : s.substring(0, eq)).toLowerCase(Locale.ROOT);
        return switch (kind) {
            case "fmnist" -> FashionMnistFeatureNet.SCORE_SUFFIX;
            case "inception" -> "";
            case "torchscript" -> {
                String arg = eq < 0 ? "" : s.substring(eq + 1);
                int q = arg.indexOf('?');
                yield stemSuffix(path(q < 0 ? arg : arg.substring(0, q)));
            }
            default -> throw new UserError("unknown --features '" + spec
                    + "': use fmnist, inception=PATH or torchscript=PATH");
        };
    }

    /** A file's name without its extension, as a score-name suffix. */
    static String stemSuffix(Path file) {
        Path name = file.getFileName();
        String n = name == null ? "torchscript" : name.toString();
        int dot = n.lastIndexOf('.');
        return suffixOf(dot > 0 ? n.substring(0, dot) : n);
    }

    /** Letters, digits and underscores only, lower case: safe in a CSV header and a JSON key. */
    static String suffixOf(String text) {
        String out = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_").replaceAll("^_+|_+$", "");
        return out.isEmpty() ? "features" : out;
    }

    private static Path path(String p) {
        return p.startsWith("~") ? Paths.get(System.getProperty("user.home") + p.substring(1)) : Paths.get(p);
    }

    private static Map<String, String> query(String q, String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : q.split("&")) {
            if (kv.isBlank()) {
                continue;
            }
            int eq = kv.indexOf('=');
            if (eq < 0) {
                throw new UserError(spec + ": option '" + kv + "' needs a value, e.g. size=64");
            }
            String key = kv.substring(0, eq).trim();
            if (!key.equals("size") && !key.equals("channels") && !key.equals("range")) {
                throw new UserError(spec + ": unknown option '" + key + "' (use size, channels, range)");
            }
            out.put(key, kv.substring(eq + 1).trim());
        }
        return out;
    }

    private static int intOption(Map<String, String> opt, String key, int fallback, String spec) {
        String v = opt.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UserError(spec + ": " + key + "=" + v + " must be a positive integer");
        }
    }
}
