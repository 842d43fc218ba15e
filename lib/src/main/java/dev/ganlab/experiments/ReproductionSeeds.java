package dev.ganlab.experiments;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.ProjectHome;
import dev.ganlab.core.UserError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One score of one recipe of the reproduction (lib/REPRODUCTION.md, issue 17) at one step budget, over the
 * seeds that have a committed result: {@code lib/reproduction/RECIPE/ganlab-seedS-stepN.json}, written by
 * {@code environment/repro/reproduce.py}. A notebook reads it to set its own run against what several seeds of
 * the same recipe reach (notebook 01 takes its FID target from it); {@link ReproductionGrid} reads its cells
 * through it.
 *
 * <p>Mean and sample standard deviation (n - 1) as in the report.
 *
 * @param bySeed the score of each seed's result, by seed
 */
public record ReproductionSeeds(String recipe, int steps, String generator, String metric, Map<Integer, Double> bySeed) {

    private static final Pattern RUN = Pattern.compile("ganlab-seed(\\d+)-step(\\d+)\\.json");

    public ReproductionSeeds {
        bySeed = Collections.unmodifiableMap(new TreeMap<>(bySeed));
    }

    /** The committed results: {@code <project>/lib/reproduction}. */
    public static Path dir() {
        return ProjectHome.find().resolve("lib").resolve("reproduction");
    }

    /** The committed results of {@code recipe}; see {@link #load(Path, String, int, String, String)}. */
    public static ReproductionSeeds load(String recipe, int steps, String generator, String metric) {
        return load(dir(), recipe, steps, generator, metric);
    }

    /**
     * {@code metric} (e.g. {@code fid_fmnist}) of the {@code generator} ({@code ema} or {@code raw}) in GAN Lab's
     * results of {@code recipe} at {@code steps}, from the result files under {@code dir}. A result file without
     * that generator or metric is an error naming the file; a recipe without results at that budget has no
     * seeds.
     */
    public static ReproductionSeeds load(Path dir, String recipe, int steps, String generator, String metric) {
        Map<Integer, Double> bySeed = new TreeMap<>();
        Path folder = dir.resolve(recipe);
        if (Files.isDirectory(folder)) {
            try (Stream<Path> files = Files.list(folder)) {
                for (Path f : files.sorted().toList()) {
                    Matcher m = RUN.matcher(f.getFileName().toString());
                    if (m.matches() && Integer.parseInt(m.group(2)) == steps) {
                        bySeed.put(Integer.parseInt(m.group(1)), value(f, generator, metric));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + folder, e);
            }
        }
        return new ReproductionSeeds(recipe, steps, generator, metric, bySeed);
    }

    private static double value(Path file, String generator, String metric) {
        JsonObject root;
        try {
            root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (RuntimeException e) {
            throw new UserError(file + " is not a reproduction result (JSON object expected): " + e.getMessage());
        }
        JsonElement v = root;
        for (String k : new String[] {"scores", generator, "metrics", metric}) {
            v = v != null && v.isJsonObject() ? v.getAsJsonObject().get(k) : null;
        }
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
            throw new UserError(file + " has no number at scores." + generator + ".metrics." + metric);
        }
        return v.getAsDouble();
    }

    public double mean() {
        return spread().mean();
    }

    /** Sample standard deviation (n - 1); NaN with fewer than two seeds. */
    public double sd() {
        return spread().std();
    }

    /**
     * The mean plus twice the standard deviation: what a run of this recipe whose score lies inside the seeds'
     * spread stays at or below (for a score where lower is better). Needs two seeds, since one has no spread.
     */
    public double meanPlusTwoSd() {
        if (bySeed.size() < 2) {
            throw new UserError("lib/reproduction/" + recipe + " has " + bySeed.size() + " result(s) at step " + steps
                    + ", and a spread needs two: run environment/repro/reproduce.py run --only '" + recipe + "/'");
        }
        return mean() + 2 * sd();
    }

    /** "mean ± sd (n seeds)", "v (1 seed)", or "-" without results. */
    public String describe() {
        if (bySeed.isEmpty()) {
            return "-";
        }
        if (bySeed.size() == 1) {
            return String.format(Locale.ROOT, "%.2f (1 seed)", mean());
        }
        return String.format(Locale.ROOT, "%.2f ± %.2f (%d seeds)", mean(), sd(), bySeed.size());
    }

    private SeedSpread spread() {
        return SeedSpread.of(bySeed.values().stream().mapToDouble(Double::doubleValue).toArray());
    }
}
