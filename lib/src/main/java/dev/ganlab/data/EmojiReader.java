package dev.ganlab.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The Noto emoji set from the npm package {@code emoji-datasource-google}: 64x64 RGBA PNGs under
 * {@code img/google/64/} described by {@code emoji.json} (name, category, sort order). Images are
 * composited on white and labelled by category. Skin-tone variants are left out, so each emoji
 * appears once.
 *
 * <p>Category filters take a short alias or the full Unicode category name, comma-separated:
 * {@code emoji:smileys}, {@code emoji:animals,food}, {@code emoji:Smileys & Emotion}.
 */
public final class EmojiReader {

    /** Short aliases of the Unicode emoji categories, in the standard category order. */
    public static final Map<String, String> CATEGORIES = aliases();

    private EmojiReader() {}

    private static Map<String, String> aliases() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("smileys", "Smileys & Emotion");
        m.put("people", "People & Body");
        m.put("components", "Component");
        m.put("animals", "Animals & Nature");
        m.put("food", "Food & Drink");
        m.put("travel", "Travel & Places");
        m.put("activities", "Activities");
        m.put("objects", "Objects");
        m.put("symbols", "Symbols");
        m.put("flags", "Flags");
        return m;
    }

    /** Resolves a comma-separated category filter to full category names; empty means all. */
    public static List<String> resolveCategories(String filter) {
        List<String> out = new ArrayList<>();
        if (filter == null || filter.isBlank()) {
            return out;
        }
        for (String part : filter.split(",")) {
            String p = part.trim();
            String key = p.toLowerCase(Locale.ROOT);
            String full = CATEGORIES.get(key);
            if (full == null) {
                for (String v : CATEGORIES.values()) {
                    if (v.equalsIgnoreCase(p)) {
                        full = v;
                    }
                }
            }
            if (full == null) {
                throw new DatasetException("unknown emoji category '" + p + "': use one of "
                        + String.join(", ", CATEGORIES.keySet()) + " (or the full names: "
                        + String.join(", ", CATEGORIES.values()) + ")");
            }
            out.add(full);
        }
        return out;
    }

    /** Checks the package is installed; returns the folder of 64 px images. */
    public static Path imageFolder(Path pkg) {
        Path json = pkg.resolve("emoji.json");
        Path img = pkg.resolve("img").resolve("google").resolve("64");
        if (!Files.isRegularFile(json) || !Files.isDirectory(img)) {
            throw new DatasetException("emoji data not found at " + pkg + " (need emoji.json and img/google/64/)."
                    + " Install it with: environment/setup.sh (npm package " + DataPaths.EMOJI_PACKAGE
                    + "@16.0.0), or point GANLAB_EMOJI at an installed copy.");
        }
        return img;
    }

    /** Loads the emoji of the given categories (all when the filter is empty). */
    public static ImageDataset load(Path pkg, String filter, LoadOptions opt, LoadReport report) {
        Path imgDir = imageFolder(pkg);
        List<String> wanted = resolveCategories(filter);
        List<String> classNames = new ArrayList<>(CATEGORIES.values());
        record Entry(String image, String category, int sortOrder) {}
        List<Entry> entries = new ArrayList<>();
        Path json = pkg.resolve("emoji.json");
        try (Reader r = Files.newBufferedReader(json, StandardCharsets.UTF_8)) {
            JsonArray arr = JsonParser.parseReader(r).getAsJsonArray();
            for (JsonElement el : arr) {
                JsonObject o = el.getAsJsonObject();
                if (!o.has("has_img_google") || !o.get("has_img_google").getAsBoolean() || !o.has("image")) {
                    continue;
                }
                String cat = o.get("category").getAsString();
                if (!wanted.isEmpty() && !wanted.contains(cat)) {
                    continue;
                }
                int order = o.has("sort_order") ? o.get("sort_order").getAsInt() : Integer.MAX_VALUE;
                entries.add(new Entry(o.get("image").getAsString(), cat, order));
            }
        } catch (IOException | RuntimeException e) {
            throw new DatasetException(json + ": cannot parse emoji list: " + e.getMessage(), e);
        }
        entries.sort(Comparator.comparingInt(Entry::sortOrder).thenComparing(Entry::image));
        if (entries.isEmpty()) {
            throw new DatasetException("no emoji match the filter '" + filter + "' in " + json);
        }
        int n = opt.limit() > 0 ? Math.min(opt.limit(), entries.size()) : entries.size();
        int c = opt.outChannels(3);
        byte[][] pixels = new byte[n][];
        IntStream.range(0, n).parallel().forEach(i -> {
            Path f = imgDir.resolve(entries.get(i).image());
            try {
                BufferedImage img = ImageDecoder.decode(f);
                byte[] px = Images.fromBufferedImage(img, c);
                int s = opt.resolution() == null ? 64 : opt.resolution();
                pixels[i] = (img.getWidth() == s && img.getHeight() == s) ? px
                        : opt.withResolution(s).prepare(px, c, img.getHeight(), img.getWidth());
            } catch (ImageDecoder.BadImageException e) {
                if (opt.badImagePolicy() == BadImagePolicy.SKIP) {
                    report.skip(f.toString(), e.reason());
                    return;
                }
                throw e;
            }
        });
        List<byte[]> kept = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (pixels[i] != null) {
                kept.add(pixels[i]);
                labels.add(classNames.indexOf(entries.get(i).category()));
            }
        }
        int s = opt.resolution() == null ? 64 : opt.resolution();
        String name = "emoji" + (filter == null || filter.isBlank() ? "" : ":" + filter);
        return new ImageDataset(name, c, s, s, kept, labels.stream().mapToInt(Integer::intValue).toArray(), classNames);
    }
}
