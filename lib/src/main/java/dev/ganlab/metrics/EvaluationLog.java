package dev.ganlab.metrics;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.ganlab.core.AtomicFiles;
import dev.ganlab.core.UserError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

/**
 * Every evaluation of a training run with the setup it was measured with: one JSON line per
 * evaluation in the run folder's {@value #FILE} (step, images shown, the report's setup - feature
 * network, SHA-256 of its weights, image preparation of both sides, reference set, counts, seed, cache
 * entry - its metric values and warnings). {@code metrics.csv} holds numbers only; this file says which
 * ruler each number was read with, so scores of runs (or of one run before and after a change of
 * feature network) are only compared when their setups match.
 */
public final class EvaluationLog {

    /** File name in a run folder. */
    public static final String FILE = "evaluations.jsonl";

    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private EvaluationLog() {}

    /**
     * One evaluation.
     *
     * @param step the training step it was taken at
     * @param images images shown by then
     * @param setup what the scores depend on
     * @param metrics metric values
     * @param warnings the report's warnings
     */
    public record Entry(long step, long images, EvaluationReport.Setup setup, Map<String, Double> metrics,
            List<String> warnings) {}

    /**
     * Appends an evaluation. Entries at or after {@code step} are dropped first: a run resumed from an
     * earlier checkpoint replays those steps and evaluates them again. Written whole to a temporary
     * file and renamed into place.
     */
    public static synchronized void append(Path file, long step, long images, EvaluationReport report) {
        List<String> keep = new ArrayList<>();
        for (Entry e : read(file)) {
            if (e.step() < step) {
                keep.add(line(e));
            }
        }
        keep.add(line(new Entry(step, images, report.setup(), report.metrics(), report.warnings())));
        AtomicFiles.writeString(file, String.join("\n", keep) + "\n");
    }

    private static String line(Entry e) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("step", e.step());
        root.put("images", e.images());
        root.put("setup", e.setup());
        root.put("metrics", e.metrics());
        root.put("warnings", e.warnings());
        return GSON.toJson(root);
    }

    /**
     * The evaluations of a run in order, empty when the file does not exist (a run that never
     * evaluated, or one written before this file existed).
     *
     * @throws UserError naming the file and line when a line is not an evaluation entry
     */
    public static List<Entry> read(Path file) {
        List<Entry> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                JsonObject o = JsonParser.parseString(lines.get(i)).getAsJsonObject();
                EvaluationReport.Setup setup = GSON.fromJson(o.get("setup"), EvaluationReport.Setup.class);
                Map<String, Double> metrics = new LinkedHashMap<>();
                for (Map.Entry<String, JsonElement> m : o.getAsJsonObject("metrics").entrySet()) {
                    metrics.put(m.getKey(), m.getValue().getAsDouble());
                }
                List<String> warnings = new ArrayList<>();
                o.getAsJsonArray("warnings").forEach(w -> warnings.add(w.getAsString()));
                out.add(new Entry(o.get("step").getAsLong(), o.get("images").getAsLong(), setup, metrics,
                        List.copyOf(warnings)));
            } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
                throw new UserError(file + " line " + (i + 1) + ": not an evaluation entry (" + e.getMessage() + ")",
                        e);
            }
        }
        return out;
    }

    /**
     * The setups as a table, one row per evaluation: {@code step}, {@code images}, then the setup's
     * {@link SetupColumns}.
     */
    public static Table setups(String title, List<Entry> entries) {
        LongColumn step = LongColumn.create("step");
        LongColumn images = LongColumn.create("images");
        SetupColumns setup = new SetupColumns("");
        for (Entry e : entries) {
            step.append(e.step());
            images.append(e.images());
            setup.append(e.setup());
        }
        Table t = Table.create(title, step, images);
        setup.all().forEach(t::addColumns);
        return t;
    }
}
