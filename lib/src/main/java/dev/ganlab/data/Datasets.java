package dev.ganlab.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loads data sets by name. A spec is {@code name[:argument][?key=value&...]}:
 *
 * <ul>
 *   <li>{@code fashion-mnist}, {@code fashion-mnist:train}, {@code fashion-mnist:test} - the Debian
 *       package's idx files, 28x28 grey, 10 labelled classes;
 *   <li>{@code mnist:DIR} - any MNIST-format idx folder ({@code ?split=test} for t10k files);
 *   <li>{@code cifar10:DIR} - the CIFAR-10 binary batches ({@code ?split=test});
 *   <li>{@code emoji}, {@code emoji:smileys}, {@code emoji:animals,food} - Noto emoji 64x64 RGB on
 *       white, labelled by category;
 *   <li>{@code synthetic:K} - K Gaussian blobs on a ring ({@link SyntheticModes}; {@code ?size=16&perMode=500});
 *   <li>{@code folder:DIR} or a plain path - PNG/JPEG files found recursively ({@code ?labels=dirs}
 *       labels them by first-level sub-folder).
 * </ul>
 *
 * Options for every spec: {@code ?classes=0,3} keeps the images of those labels, {@code ?limit=N} the first N,
 * {@code ?resolution=N} resizes every image to N x N (as {@link LoadOptions#withResolution} does; the spec's
 * value wins), so a metric that needs equal sizes (SWD) can load a real set at the generator's size.
 *
 * <p>A class subset is a labelled set of its own: its labels are renumbered 0..K-1 in the order listed
 * ({@code fashion-mnist?classes=7,9} has Sneaker as 0 and Ankle boot as 1) and its class names are the kept
 * ones, so that a class-conditional model trained on it has K classes, none of them empty. The set's name
 * says so ({@code fashion-mnist:train?classes=7,9 as labels 0,1}); classifiers of the full set (the
 * Fashion-MNIST network's accuracy in {@code ConditionalEvaluation}) match its classes by name.
 */
public final class Datasets {

    /** Fashion-MNIST class names in label order (Xiao et al., 2017). */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** The names a spec may start with. */
    public static final List<String> NAMES = List.of("fashion-mnist", "mnist", "cifar10", "emoji", "folder", "synthetic");

    private Datasets() {}

    /** Loads a spec with default options (native size; fail on bad images). */
    public static ImageDataset load(String spec) {
        return load(spec, LoadOptions.defaults(), new LoadReport());
    }

    /** Loads a spec with the given options. */
    public static ImageDataset load(String spec, LoadOptions opt) {
        return load(spec, opt, new LoadReport());
    }

    /**
     * Loads a spec.
     *
     * @param spec see the class comment
     * @param opt size, channels, filter, bad-image policy, limit
     * @param report receives the files skipped under the skip policy
     * @throws DatasetException naming the spec, file or setting at fault and how to fix it
     */
    public static ImageDataset load(String spec, LoadOptions opt, LoadReport report) {
        // The packaged data sets never change: a notebook or sweep that opens several runs on them loads
        // them once. User folders are read afresh (their files may change between loads).
        String kind = spec.trim().toLowerCase(Locale.ROOT);
        boolean cacheable = opt.badImagePolicy() == BadImagePolicy.FAIL
                && (kind.startsWith("fashion-mnist") || kind.startsWith("emoji") || kind.startsWith("synthetic"));
        String key = spec + "|" + opt;
        if (cacheable) {
            java.lang.ref.SoftReference<ImageDataset> ref = CACHE.get(key);
            ImageDataset hit = ref == null ? null : ref.get();
            if (hit != null) {
                return hit;
            }
        }
        ImageDataset ds = loadUncached(spec, opt, report);
        if (cacheable) {
            CACHE.put(key, new java.lang.ref.SoftReference<>(ds));
        }
        return ds;
    }

    /**
     * Checks a spec without loading it: its name and options, that the folder it names exists, that a
     * packaged set (Fashion-MNIST, emoji) is installed and that emoji categories are known; for a setting read
     * long after it is given (a run's {@code eval.real}, loaded at its first evaluation).
     *
     * @throws DatasetException naming the spec and what is wrong with it
     */
    public static void checkSpec(String spec) {
        Spec s = Spec.parse(spec);
        for (String k : List.of("limit", "resolution", "size", "perMode", "seed")) {
            s.intOption(k, 0);
        }
        if (s.options.containsKey("resolution") && s.intOption("resolution", 0) < 1) {
            throw new DatasetException(spec + ": option resolution=" + s.options.get("resolution")
                    + " must be a positive number of pixels");
        }
        if (s.options.containsKey("split") && !List.of("train", "test").contains(s.options.get("split"))) {
            throw new DatasetException(spec + ": split=" + s.options.get("split") + ": use train or test");
        }
        switch (s.name) {
            case "mnist", "cifar10", "folder" -> {
                Path dir = s.requirePath("a folder");
                if (!Files.isDirectory(dir)) {
                    throw new DatasetException(spec + ": folder " + dir + " does not exist");
                }
            }
            case "fashion-mnist" -> {
                String split = s.split();
                if (!List.of("train", "test").contains(split)) {
                    throw new DatasetException(spec + ": split '" + split + "': use train or test");
                }
                idxFiles(DataPaths.fashionMnist(), split, "fashion-mnist", true);
            }
            case "emoji" -> {
                EmojiReader.resolveCategories(s.arg);
                EmojiReader.imageFolder(DataPaths.emoji());
            }
            default -> { }
        }
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, java.lang.ref.SoftReference<ImageDataset>> CACHE =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static ImageDataset loadUncached(String spec, LoadOptions opt, LoadReport report) {
        Spec s = Spec.parse(spec);
        int limit = s.intOption("limit", opt.limit());
        LoadOptions o = opt.withLimit(s.options.containsKey("classes") ? 0 : limit);
        if (s.options.containsKey("resolution")) {
            int r = s.intOption("resolution", 0);
            if (r < 1) {
                throw new DatasetException(spec + ": option resolution=" + s.options.get("resolution")
                        + " must be a positive number of pixels");
            }
            o = o.withResolution(r);
        }
        ImageDataset ds = switch (s.name) {
            case "fashion-mnist" -> {
                String split = s.split();
                yield loadIdx(DataPaths.fashionMnist(), split, "fashion-mnist", FASHION_MNIST_CLASSES, o, true);
            }
            case "mnist" -> {
                Path dir = s.requirePath("an idx folder, e.g. mnist:/data/mnist");
                List<String> digits = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
                yield loadIdx(dir, s.options.getOrDefault("split", "train"), "mnist", digits, o, false);
            }
            case "cifar10" -> {
                Path dir = s.requirePath("the cifar-10-batches-bin folder, e.g. cifar10:/data/cifar-10-batches-bin");
                yield applyImageOptions(Cifar10Reader.load(dir, s.options.getOrDefault("split", "train"), o.limit()), o);
            }
            case "emoji" -> EmojiReader.load(DataPaths.emoji(), s.arg, o, report);
            case "folder" -> {
                Path dir = s.requirePath("a folder of images, e.g. folder:/data/faces");
                String labels = s.options.getOrDefault("labels", "none");
                if (!labels.equals("none") && !labels.equals("dirs")) {
                    throw new DatasetException(spec + ": labels=" + labels + " is not supported (use labels=dirs)");
                }
                yield ImageFolderReader.load(dir, labels.equals("dirs"), o, report);
            }
            case "synthetic" -> {
                // synthetic[:K][?size=S&perMode=N]: K blobs on a ring (SyntheticModes), for mode-coverage studies.
                int k = s.arg == null ? 8 : parseInt(s.arg, spec);
                int size = o.resolution() != null ? o.resolution() : s.intOption("size", 16);
                int perMode = s.intOption("perMode", 500);
                ImageDataset syn = new SyntheticModes(k, size).generate(perMode, s.intOption("seed", 0));
                yield o.limit() > 0 ? syn.sample(o.limit(), 0) : syn;
            }
            default -> throw new IllegalStateException(s.name);
        };
        if (s.options.containsKey("classes")) {
            ds = keepClasses(ds, s.options.get("classes"), spec);
            if (limit > 0) {
                ds = ds.head(limit);
            }
        }
        return ds;
    }

    /**
     * The images and labels files of an idx split in {@code dir}, or an error saying what is missing and, for
     * the Debian-packaged set, how to install it. Shared by loading and {@link #checkSpec}, so a run that would
     * evaluate against an absent set is refused where it starts, in the loader's words.
     */
    private static Path[] idxFiles(Path dir, String split, String name, boolean debianPackage) {
        String prefix = switch (split) {
            case "train" -> "train";
            case "test" -> "t10k";
            default -> throw new DatasetException(name + " split '" + split + "': use train or test");
        };
        String fix = debianPackage ? " Install it with: apt-get install dataset-fashion-mnist (environment/setup.sh"
                + " does this), or point GANLAB_FASHION_MNIST at a folder of the idx files." : "";
        if (!Files.isDirectory(dir)) {
            throw new DatasetException(name + ": folder " + dir + " does not exist." + fix);
        }
        Path images = IdxReader.find(dir, prefix + "-images-idx3-ubyte");
        Path labels = IdxReader.find(dir, prefix + "-labels-idx1-ubyte");
        if (images == null || labels == null) {
            throw new DatasetException(name + ": " + dir + " lacks " + prefix + "-images-idx3-ubyte[.gz] or "
                    + prefix + "-labels-idx1-ubyte[.gz]." + fix);
        }
        return new Path[] {images, labels};
    }

    private static ImageDataset loadIdx(Path dir, String split, String name, List<String> classes, LoadOptions o,
            boolean debianPackage) {
        Path[] files = idxFiles(dir, split, name, debianPackage);
        Path images = files[0];
        Path labels = files[1];
        int[] dims = new int[3];
        List<byte[]> px = IdxReader.readImages(images, dims, o.limit());
        int[] lb = IdxReader.readLabels(labels, o.limit());
        if (lb.length != px.size()) {
            throw new DatasetException(name + ": " + images + " has " + px.size() + " images but " + labels + " has "
                    + lb.length + " labels");
        }
        ImageDataset ds = new ImageDataset(name + ":" + split, 1, dims[1], dims[2], px, lb, classes);
        return applyImageOptions(ds, o);
    }

    /** A copy of {@code ds} with {@code channels} channels at {@code resolution} (area filter when shrinking). */
    public static ImageDataset resized(ImageDataset ds, int channels, int resolution) {
        return applyImageOptions(ds, LoadOptions.defaults().withChannels(channels).withResolution(resolution));
    }

    /** Applies resize and channel options to an already decoded set. */
    static ImageDataset applyImageOptions(ImageDataset ds, LoadOptions o) {
        if (o.resolution() == null && (o.channels() == null || o.channels() == ds.channels())) {
            return ds;
        }
        int c = ds.channels();
        int outC = o.outChannels(c);
        int s = o.resolution() == null ? -1 : o.resolution();
        List<byte[]> out = new ArrayList<>(ds.size());
        for (int i = 0; i < ds.size(); i++) {
            out.add(null);
        }
        java.util.stream.IntStream.range(0, ds.size()).parallel().forEach(i ->
                out.set(i, o.prepare(ds.pixels(i), c, ds.height(), ds.width())));
        int[] labels = new int[ds.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = ds.label(i);
        }
        int h = s < 0 ? ds.height() : s;
        int w = s < 0 ? ds.width() : s;
        return new ImageDataset(ds.name(), outC, h, w, out, ds.hasLabels() ? labels : null, ds.classNames());
    }

    private static ImageDataset keepClasses(ImageDataset ds, String list, String spec) {
        if (!ds.hasLabels()) {
            throw new DatasetException(spec + ": classes= needs a labelled data set");
        }
        int[] keep;
        try {
            keep = Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new DatasetException(spec + ": classes=" + list + " must be label numbers, e.g. classes=0,3");
        }
        for (int k : keep) {
            if (k < 0 || k >= ds.classNames().size()) {
                throw new DatasetException(spec + ": class " + k + " is outside 0.." + (ds.classNames().size() - 1));
            }
        }
        int[] newLabel = new int[ds.classNames().size()];
        Arrays.fill(newLabel, -1);
        List<String> names = new ArrayList<>();
        for (int k : keep) {
            if (newLabel[k] >= 0) {
                throw new DatasetException(spec + ": class " + k + " is listed twice in classes=" + list);
            }
            newLabel[k] = names.size();
            names.add(ds.classNames().get(k));
        }
        int[] idx = java.util.stream.IntStream.range(0, ds.size())
                .filter(i -> ds.label(i) >= 0 && ds.label(i) < newLabel.length && newLabel[ds.label(i)] >= 0).toArray();
        int[] labels = Arrays.stream(idx).map(i -> newLabel[ds.label(i)]).toArray();
        List<byte[]> px = Arrays.stream(idx).mapToObj(ds::pixels).toList();
        String as = java.util.stream.IntStream.range(0, keep.length).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(","));
        return new ImageDataset(ds.name() + "?classes=" + list + " as labels " + as, ds.channels(), ds.height(),
                ds.width(), px, labels, names);
    }

    private static int parseInt(String v, String spec) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new DatasetException(spec + ": '" + v + "' is not a number");
        }
    }

    /** Whether a named data set is installed, and where it is looked for. */
    public record Status(String name, Path location, boolean installed, String detail) {}

    /** The data sets that ship with packages and whether each is installed. */
    public static List<Status> catalog() {
        List<Status> out = new ArrayList<>();
        Path fm = DataPaths.fashionMnist();
        boolean fmOk = Files.isDirectory(fm) && IdxReader.find(fm, "train-images-idx3-ubyte") != null
                && IdxReader.find(fm, "t10k-images-idx3-ubyte") != null;
        out.add(new Status("fashion-mnist", fm, fmOk, fmOk ? "train 60000 / test 10000, 28x28 grey, 10 classes"
                : "missing: apt-get install dataset-fashion-mnist (environment/setup.sh)"));
        Path em = DataPaths.emoji();
        Path img = em.resolve("img").resolve("google").resolve("64");
        boolean emOk = Files.isRegularFile(em.resolve("emoji.json")) && Files.isDirectory(img);
        String detail = "missing: environment/setup.sh installs npm package " + DataPaths.EMOJI_PACKAGE + "@16.0.0";
        if (emOk) {
            try (var files = Files.list(img)) {
                detail = files.count() + " PNG files, 64x64 RGBA (Noto, Apache-2.0; skin-tone variants among them, which"
                        + " the data set leaves out); categories: "
                        + String.join(", ", EmojiReader.CATEGORIES.keySet());
            } catch (java.io.IOException e) {
                detail = "unreadable: " + e.getMessage();
            }
        }
        out.add(new Status("emoji", em, emOk, detail));
        return out;
    }

    /** A parsed spec: {@code name[:arg][?k=v&...]}. */
    static final class Spec {
        final String raw;
        final String name;
        final String arg;
        final Map<String, String> options = new LinkedHashMap<>();

        private Spec(String raw, String name, String arg) {
            this.raw = raw;
            this.name = name;
            this.arg = arg;
        }

        static Spec parse(String spec) {
            if (spec == null || spec.isBlank()) {
                throw new DatasetException("empty data set spec: use one of " + String.join(", ", NAMES)
                        + " or a folder path");
            }
            String body = spec.trim();
            String query = null;
            int q = body.indexOf('?');
            if (q >= 0) {
                query = body.substring(q + 1);
                body = body.substring(0, q);
            }
            String name;
            String arg;
            if (body.startsWith("/") || body.startsWith(".") || body.startsWith("~")) {
                name = "folder";
                arg = body.startsWith("~") ? System.getProperty("user.home") + body.substring(1) : body;
            } else {
                int colon = body.indexOf(':');
                name = (colon < 0 ? body : body.substring(0, colon)).toLowerCase(Locale.ROOT);
                arg = colon < 0 ? null : body.substring(colon + 1);
                if (name.equals("fashion_mnist") || name.equals("fmnist")) {
                    name = "fashion-mnist";
                }
                if (name.equals("cifar-10")) {
                    name = "cifar10";
                }
                if (!NAMES.contains(name)) {
                    if (Files.isDirectory(Paths.get(body))) {
                        name = "folder";
                        arg = body;
                    } else {
                        throw new DatasetException("unknown data set '" + spec + "': use one of "
                                + String.join(", ", NAMES) + " (e.g. fashion-mnist:test, emoji:smileys,"
                                + " folder:/path/to/images) or an existing folder path");
                    }
                }
            }
            Spec s = new Spec(spec, name, arg == null || arg.isBlank() ? null : arg);
            if (query != null && !query.isBlank()) {
                for (String kv : query.split("&")) {
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new DatasetException(spec + ": option '" + kv + "' must be key=value");
                    }
                    String key = kv.substring(0, eq).trim();
                    List<String> known = optionsOf(name);
                    if (!known.contains(key)) {
                        throw new DatasetException(spec + ": unknown option '" + key + "' for " + name + " (known: "
                                + String.join(", ", known) + ")");
                    }
                    s.options.put(key, kv.substring(eq + 1).trim());
                }
            }
            return s;
        }

        /** The options a data set kind accepts. */
        static List<String> optionsOf(String name) {
            return switch (name) {
                case "fashion-mnist", "mnist", "cifar10" -> List.of("split", "classes", "limit", "resolution");
                case "folder" -> List.of("labels", "classes", "limit", "resolution");
                case "synthetic" -> List.of("size", "perMode", "seed", "classes", "limit", "resolution");
                default -> List.of("classes", "limit", "resolution");
            };
        }

        /** Fashion-MNIST's split, written {@code :test} or {@code ?split=test}; both, when they differ, is an error. */
        String split() {
            String option = options.get("split");
            if (arg != null && option != null && !arg.equals(option)) {
                throw new DatasetException(raw + ": the split is given twice, ':" + arg + "' and 'split=" + option
                        + "': give one");
            }
            return arg != null ? arg : option != null ? option : "train";
        }

        Path requirePath(String what) {
            if (arg == null) {
                throw new DatasetException("'" + raw + "' needs a path: " + what);
            }
            return Paths.get(arg);
        }

        int intOption(String key, int fallback) {
            String v = options.get(key);
            if (v == null) {
                return fallback;
            }
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new DatasetException(raw + ": " + key + "=" + v + " is not a number");
            }
        }
    }
}
