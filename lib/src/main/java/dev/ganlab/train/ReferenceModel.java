package dev.ganlab.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.ganlab.core.AtomicFiles;
import dev.ganlab.core.ProjectHome;
import dev.ganlab.core.UserError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A reference model (issue 17, item 2): the generator of a run trained by the project's own commands,
 * kept with the settings it was trained with, its history and its scores, small enough to commit.
 * A reference model is a folder ({@code lib/zoo/NAME}) of
 * <ul>
 *   <li>{@code config.json}: the run's TrainConfig, resolved (every setting written out);
 *   <li>{@code generator.ckpt}: a {@link Checkpoint} file with the run checkpoint's header and only its
 *       {@code G} and {@code EMA_G} sections, the raw and the averaged generator (their batch-norm
 *       running statistics are parameters, so they come along); no discriminator, optimiser moments,
 *       replay buffer or objective state, which make up most of a run checkpoint;
 *   <li>{@code metrics.csv}: the run's training history up to that step;
 *   <li>{@code scores.json}: each generator's evaluation report (as {@code ganlab metrics --json}
 *       writes it), the metric they are ranked by and which of the two is better;
 *   <li>{@code README.md}: what it is, its size, the source checkpoint and the command that reproduces it.
 * </ul>
 * {@link TrainedGenerator#load} reads the folder like a run folder; the weights are the checkpoint's
 * bytes, so its samples are those of the source checkpoint. {@link #export} writes one from a run.
 */
public final class ReferenceModel {

    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "generator.ckpt";
    public static final String HISTORY = "metrics.csv";
    public static final String SCORES = "scores.json";
    public static final String README = "README.md";
    /** The files every reference model folder holds. */
    public static final List<String> FILES = List.of(CONFIG, WEIGHTS, HISTORY, SCORES, README);
    /** The generators a reference model can be scored with: {@code ema} and {@code raw}. */
    public static final List<String> GENERATORS = List.of("ema", "raw");

    /** The checkpoint sections kept: the raw and the EMA generator. */
    private static final List<String> SECTIONS = List.of("G", "EMA_G");
    /**
     * The checkpoint header entries {@link TrainedGenerator} reads, the seconds trained and the platform that computed
     * the weights ({@link RunPlatforms}; absent from checkpoints written before it was recorded).
     */
    private static final List<String> HEADER_KEYS = List.of("step", "imagesShown", "stageImages", "seconds", "model",
            "data", "channels", "resolution", "emaBatchNormLatents", RunPlatforms.HEADER);
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    private final Path dir;
    private final JsonObject scores;

    private ReferenceModel(Path dir, JsonObject scores) {
        this.dir = dir;
        this.scores = scores;
    }

    /** The project's reference models: {@code <project>/lib/zoo}. */
    public static Path zooDir() {
        return ProjectHome.find().resolve("lib").resolve("zoo");
    }

    /** The reference model {@code lib/zoo/NAME}; an unknown name is an error listing the known ones. */
    public static ReferenceModel named(String name) {
        Path d = zooDir().resolve(name);
        if (!Files.isDirectory(d)) {
            throw new UserError("no reference model '" + name + "' in " + zooDir() + " (has: " + names() + ")");
        }
        return open(d);
    }

    /** The names of the reference models in {@link #zooDir()}. */
    public static List<String> names() {
        List<String> out = new ArrayList<>();
        if (Files.isDirectory(zooDir())) {
            try (Stream<Path> s = Files.list(zooDir())) {
                s.filter(p -> Files.isRegularFile(p.resolve(WEIGHTS))).forEach(p -> out.add(p.getFileName().toString()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + zooDir(), e);
            }
        }
        out.sort(null);
        return out;
    }

    /** A reference model folder; a missing file or unreadable scores are errors naming the folder. */
    public static ReferenceModel open(Path dir) {
        checkComplete(dir);
        Path f = dir.resolve(SCORES);
        try {
            JsonObject s = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
            for (String key : new String[] {"best", "rankedBy", "step", "generators"}) {
                if (!s.has(key)) {
                    throw new UserError("reference model " + dir + ": " + SCORES + " has no '" + key + "'");
                }
            }
            return new ReferenceModel(dir, s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        } catch (JsonParseException | IllegalStateException e) {
            throw new UserError("reference model " + dir + ": " + SCORES + " is not a JSON object: " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code dir} is (meant to be) a reference model folder rather than a run folder: it has
     * no {@code checkpoints/} and holds the generator weights or the scores of one.
     */
    public static boolean isReferenceFolder(Path dir) {
        return !Files.isDirectory(dir.resolve("checkpoints"))
                && (Files.isRegularFile(dir.resolve(WEIGHTS)) || Files.isRegularFile(dir.resolve(SCORES)));
    }

    /** Throws a UserError naming the folder and the files it lacks, if any. */
    public static void checkComplete(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String f : FILES) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                missing.add(f);
            }
        }
        if (!missing.isEmpty()) {
            throw new UserError("reference model folder " + dir + " lacks " + String.join(", ", missing)
                    + " (a reference model holds " + String.join(", ", FILES) + "; export one with ganlab export)");
        }
    }

    public Path dir() {
        return dir;
    }

    public String name() {
        return scores.has("name") ? scores.get("name").getAsString() : dir.getFileName().toString();
    }

    /** The training step of the exported checkpoint. */
    public long step() {
        return scores.get("step").getAsLong();
    }

    /** The metric the generators are ranked by (lower is better), e.g. {@code fid_fmnist}. */
    public String rankedBy() {
        return scores.get("rankedBy").getAsString();
    }

    /** The better scored generator: {@code ema} or {@code raw}. */
    public String best() {
        return scores.get("best").getAsString();
    }

    /** Whether the EMA generator scored better (the one to sample for the reference's best images). */
    public boolean bestIsEma() {
        return "ema".equals(best());
    }

    /** The generators that were scored. */
    public List<String> scoredGenerators() {
        return new ArrayList<>(scores.getAsJsonObject("generators").keySet());
    }

    /** A metric of a generator's report; an absent one is an error naming it and the folder. */
    public double score(String generator, String metric) {
        JsonObject m = report(generator).getAsJsonObject("metrics");
        if (m == null || !m.has(metric)) {
            throw new UserError("reference model " + dir + ": no " + metric + " for the " + generator + " generator");
        }
        return m.get(metric).getAsDouble();
    }

    /** The ranking metric of the better generator. */
    public double bestScore() {
        return score(best(), rankedBy());
    }

    /** How many generated images a generator's scores were computed from. */
    public int sampleCount(String generator) {
        return report(generator).getAsJsonObject("setup").get("fakeCount").getAsInt();
    }

    /** The real set the scores were computed against. */
    public String realSet() {
        return report(best()).getAsJsonObject("setup").get("real").getAsString();
    }

    /** One line: the metric, each generator's value, the step and the sample count. */
    public String summary() {
        StringBuilder b = new StringBuilder(name() + " (step " + String.format(Locale.ROOT, "%,d", step()) + "): "
                + rankedBy());
        for (String g : scoredGenerators()) {
            b.append(String.format(Locale.ROOT, " %s %.2f", g.equals("ema") ? "EMA" : g, score(g, rankedBy())));
        }
        return b.append(String.format(Locale.ROOT, " (%,d generated images against %s; the %s generator is better)",
                sampleCount(best()), realSet(), best().equals("ema") ? "EMA" : "raw")).toString();
    }

    private JsonObject report(String generator) {
        JsonObject g = scores.getAsJsonObject("generators");
        if (!g.has(generator)) {
            throw new UserError("reference model " + dir + ": the " + generator + " generator was not scored (scored: "
                    + g.keySet() + ")");
        }
        return g.getAsJsonObject(generator);
    }

    // ---- export --------------------------------------------------------------------------------------

    /** What {@link #export} needs besides the run: scores, how they were made, how to reproduce it. */
    public record ExportOptions(Map<String, Path> scoreFiles, String rankBy, long sampleSeed, String reproduce,
                                String note) {}

    /**
     * Writes the reference model of {@code runDir}'s newest readable checkpoint into {@code out}.
     * {@code out} must be new, empty or an earlier reference model folder (which is replaced).
     *
     * @throws UserError naming the run, a score file or {@code out} when one does not fit
     */
    public static ReferenceModel export(Path runDir, Path out, ExportOptions o) {
        TrainConfig cfg = TrainConfig.ofRun(runDir).resolved();
        Path ckFile = newestReadable(runDir);
        Checkpoint ck;
        try {
            ck = Checkpoint.read(ckFile);
        } catch (IOException e) {
            throw new UserError("cannot read " + ckFile + ": " + e.getMessage(), e);
        }
        long step = ck.header().get("step").getAsLong();
        checkOut(runDir, out);
        if (o.scoreFiles().isEmpty()) {
            throw new UserError("export: no scores given (--scores ema=FILE and/or raw=FILE, as ganlab metrics --json"
                    + " writes them)");
        }
        Map<String, JsonObject> reports = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : o.scoreFiles().entrySet()) {
            if (!GENERATORS.contains(e.getKey())) {
                throw new UserError("--scores " + e.getKey() + "=" + e.getValue() + ": the generator must be one of "
                        + GENERATORS);
            }
            if (e.getKey().equals("ema") && !ck.has("EMA_G")) {
                throw new UserError("--scores ema=" + e.getValue() + ": run " + runDir + " kept no EMA generator");
            }
            reports.put(e.getKey(), readReport(e.getValue()));
        }
        String rankBy = o.rankBy() != null ? o.rankBy() : defaultRanking(reports);
        String best = null;
        for (Map.Entry<String, JsonObject> e : reports.entrySet()) {
            JsonObject m = e.getValue().getAsJsonObject("metrics");
            if (!m.has(rankBy)) {
                throw new UserError("--scores " + e.getKey() + "=" + o.scoreFiles().get(e.getKey()) + " has no " + rankBy
                        + " (has: " + m.keySet() + ")");
            }
            if (best == null || m.get(rankBy).getAsDouble()
                    < reports.get(best).getAsJsonObject("metrics").get(rankBy).getAsDouble()) {
                best = e.getKey();
            }
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out, e);
        }
        AtomicFiles.writeString(out.resolve(CONFIG), cfg.toJson());
        writeWeights(ck, ckFile, runDir, out.resolve(WEIGHTS));
        writeHistory(runDir.resolve(HISTORY), step, out.resolve(HISTORY));

        JsonObject s = new JsonObject();
        s.addProperty("name", out.getFileName().toString());
        s.addProperty("step", step);
        s.addProperty("images", ck.header().get("imagesShown").getAsLong());
        s.addProperty("source", runDir + "/checkpoints/" + ckFile.getFileName());
        s.addProperty("rankedBy", rankBy);
        s.addProperty("best", best);
        s.addProperty("sampleSeed", o.sampleSeed());
        JsonObject g = new JsonObject();
        reports.forEach(g::add);
        s.add("generators", g);
        AtomicFiles.writeString(out.resolve(SCORES), GSON.toJson(s) + "\n");
        ReferenceModel ref = new ReferenceModel(out, s);
        AtomicFiles.writeString(out.resolve(README), ref.readme(cfg, ckFile, o));
        return ref;
    }

    /** The newest checkpoint of a run that reads back completely. */
    private static Path newestReadable(Path runDir) {
        List<String> problems = new ArrayList<>();
        for (Path p : Checkpoint.list(runDir.resolve("checkpoints"))) {
            try {
                Checkpoint.read(p);
                return p;
            } catch (IOException e) {
                problems.add(e.getMessage());
            }
        }
        throw new UserError("no readable checkpoint in " + runDir.resolve("checkpoints")
                + (problems.isEmpty() ? " (train the run first)" : ": " + String.join("; ", problems)));
    }

    private static void checkOut(Path runDir, Path out) {
        if (out.toAbsolutePath().normalize().equals(runDir.toAbsolutePath().normalize())) {
            throw new UserError("--out " + out + " is the run folder itself; export into another folder");
        }
        if (!Files.isDirectory(out)) {
            if (Files.exists(out)) {
                throw new UserError("--out " + out + " is a file, not a folder");
            }
            return;
        }
        try (Stream<Path> s = Files.list(out)) {
            List<String> foreign = s.map(p -> p.getFileName().toString()).filter(n -> !FILES.contains(n)).sorted()
                    .toList();
            if (!foreign.isEmpty()) {
                throw new UserError("--out " + out + " holds files that are not a reference model's (" + foreign
                        + "): choose a new folder");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + out, e);
        }
    }

    private static JsonObject readReport(Path f) {
        try {
            JsonElement e = JsonParser.parseString(Files.readString(f));
            if (!e.isJsonObject() || !e.getAsJsonObject().has("metrics") || !e.getAsJsonObject().has("setup")) {
                throw new UserError("score file " + f + " is not a report of ganlab metrics --json (no metrics/setup)");
            }
            return e.getAsJsonObject();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserError("score file " + f + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        } catch (JsonParseException e) {
            throw new UserError("score file " + f + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** The first FID of the reports, else the sliced Wasserstein distance (both: lower is better). */
    private static String defaultRanking(Map<String, JsonObject> reports) {
        JsonObject m = reports.values().iterator().next().getAsJsonObject("metrics");
        for (String k : m.keySet()) {
            if (k.startsWith("fid")) {
                return k;
            }
        }
        if (m.has("swd_x1e3")) {
            return "swd_x1e3";
        }
        throw new UserError("the scores have no FID or SWD to rank the generators by (have: " + m.keySet()
                + "); name a lower-is-better metric with --rank-by");
    }

    private static void writeWeights(Checkpoint ck, Path ckFile, Path runDir, Path file) {
        JsonObject h = new JsonObject();
        for (String k : HEADER_KEYS) {
            if (ck.header().has(k)) {
                h.add(k, ck.header().get(k));
            }
        }
        h.addProperty("exportedFrom", runDir + "/checkpoints/" + ckFile.getFileName());
        Map<String, Checkpoint.SectionWriter> sections = new LinkedHashMap<>();
        for (String name : SECTIONS) {
            if (ck.has(name)) {
                byte[] bytes;
                try {
                    bytes = ck.section(name).readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read section " + name + " of " + ckFile, e);
                }
                sections.put(name, out -> out.write(bytes));
            }
        }
        if (!sections.containsKey("G")) {
            throw new UserError(ckFile + " has no generator section G");
        }
        Checkpoint.write(file, h, sections);
    }

    /** The history's header and its rows up to {@code step} (a run may have gone on past the checkpoint). */
    private static void writeHistory(Path src, long step, Path dst) {
        if (!Files.isRegularFile(src)) {
            throw new UserError("run has no training history " + src);
        }
        try {
            List<String> lines = Files.readAllLines(src);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String first = line.contains(",") ? line.substring(0, line.indexOf(',')) : line;
                if (i == 0 || first.isEmpty() || !first.chars().allMatch(Character::isDigit)
                        || Long.parseLong(first) <= step) {
                    b.append(line).append('\n');
                }
            }
            AtomicFiles.writeString(dst, b.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + src, e);
        }
    }

    private String readme(TrainConfig cfg, Path ckFile, ExportOptions o) {
        long weights = size(dir.resolve(WEIGHTS));
        long source = size(ckFile);
        StringBuilder b = new StringBuilder();
        b.append("# Reference model `").append(name()).append("`\n\n");
        b.append(String.format(Locale.ROOT, "Model `%s` trained on `%s` at %d px for %,d steps (%,d images), seed %d;"
                        + " the settings are in `%s`, the training history in `%s`.%n%n", cfg.model, cfg.data,
                cfg.resolution, step(), scores.get("images").getAsLong(), cfg.seed, CONFIG, HISTORY));
        b.append("| generator | ").append(rankedBy()).append(" | generated images | real set |\n| --- | ---: | ---: | --- |\n");
        for (String g : scoredGenerators()) {
            b.append(String.format(Locale.ROOT, "| %s%s | %.2f | %,d | %s |%n", g, g.equals(best()) ? " (better)" : "",
                    score(g, rankedBy()), sampleCount(g), report(g).getAsJsonObject("setup").get("real").getAsString()));
        }
        b.append(String.format(Locale.ROOT, "%nAll metrics and their set-up (feature network and its SHA-256) are in"
                + " `%s`. The scored images are `ganlab sample --run DIR --n %d --seed %d` (with `--ema` for the EMA"
                + " generator), with DIR this folder or the source run: the weights are the checkpoint's bytes, so both give the"
                + " same images.%n%n",
                SCORES, sampleCount(best()), o.sampleSeed()));
        b.append(String.format(Locale.ROOT, "`%s`: %s (%,d bytes), the raw and the EMA generator only: no discriminator"
                + " or optimiser state (the source checkpoint `%s` of step %,d is %s).%n%n", WEIGHTS, megabytes(weights),
                weights, ckFile.getFileName(), step(), megabytes(source)));
        b.append("Load it like a run: `TrainedGenerator.load(Path.of(\"lib/zoo/").append(name())
                .append("\"))`, or `ReferenceModel.named(\"").append(name()).append("\")` for its scores.\n\n");
        b.append("Reproduce it: `").append(o.reproduce()).append("`\n");
        if (o.note() != null && !o.note().isBlank()) {
            b.append("\n").append(o.note().strip()).append("\n");
        }
        return b.toString();
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + p, e);
        }
    }

    /** Bytes as MB (10^6 bytes) with one decimal. */
    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
