package dev.ganlab.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.ProjectHome;
import dev.ganlab.core.UserError;
import dev.ganlab.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One recipe's committed results read back by seed: the target a notebook takes from them (mean plus twice the
 * sample deviation) against hand-computed values, only the asked budget and generator counted, and the errors
 * that name what is missing; and notebook 01's quick baseline checked to be the committed recipe it takes its
 * target from.
 */
class ReproductionSeedsTest {

    private static void result(Path dir, String recipe, int seed, int steps, double emaFid, double rawFid) throws Exception {
        Path d = Files.createDirectories(dir.resolve(recipe));
        Files.writeString(d.resolve("ganlab-seed" + seed + "-step" + steps + ".json"), "{\"scores\": {\"ema\": {\"metrics\":"
                + " {\"fid_fmnist\": " + emaFid + "}}, \"raw\": {\"metrics\": {\"fid_fmnist\": " + rawFid + "}}}}");
    }

    @Test
    void theTargetIsTheMeanPlusTwiceTheSampleDeviationOfTheAskedBudgetAndGenerator(@TempDir Path dir) throws Exception {
        result(dir, "dcgan-fmnist28-quick", 1, 1800, 40, 50);
        result(dir, "dcgan-fmnist28-quick", 2, 1800, 44, 52);
        result(dir, "dcgan-fmnist28-quick", 3, 1800, 45, 60);
        result(dir, "dcgan-fmnist28-quick", 1, 1000, 90, 90);   // another budget: not counted
        ReproductionSeeds ema = ReproductionSeeds.load(dir, "dcgan-fmnist28-quick", 1800, "ema", "fid_fmnist");
        assertEquals(Map.of(1, 40.0, 2, 44.0, 3, 45.0), ema.bySeed());
        // mean 43; deviations -3, 1, 2: (9 + 1 + 4) / 2 = 7
        assertEquals(43.0, ema.mean(), 1e-12);
        assertEquals(Math.sqrt(7), ema.sd(), 1e-12);
        assertEquals(43.0 + 2 * Math.sqrt(7), ema.meanPlusTwoSd(), 1e-12);
        assertEquals("43.00 ± 2.65 (3 seeds)", ema.describe());
        assertEquals(54.0, ReproductionSeeds.load(dir, "dcgan-fmnist28-quick", 1800, "raw", "fid_fmnist").mean(), 1e-12);
    }

    @Test
    void aTargetNeedsTwoSeedsAndSaysHowToRunThem(@TempDir Path dir) throws Exception {
        result(dir, "gan-fmnist28", 1, 1000, 120, 118);
        ReproductionSeeds one = ReproductionSeeds.load(dir, "gan-fmnist28", 1000, "ema", "fid_fmnist");
        assertEquals("120.00 (1 seed)", one.describe());
        UserError e = assertThrows(UserError.class, one::meanPlusTwoSd);
        assertTrue(e.getMessage().contains("lib/reproduction/gan-fmnist28") && e.getMessage().contains("reproduce.py run"),
                e.getMessage());
        ReproductionSeeds none = ReproductionSeeds.load(dir, "no-such-recipe", 1000, "ema", "fid_fmnist");
        assertTrue(none.bySeed().isEmpty());
        assertEquals("-", none.describe());
    }

    @Test
    void aResultWithoutTheAskedScoreIsAnErrorNamingTheFileAndTheKey(@TempDir Path dir) throws Exception {
        result(dir, "gan-fmnist28", 2, 1000, 120, 118);
        UserError e = assertThrows(UserError.class,
                () -> ReproductionSeeds.load(dir, "gan-fmnist28", 1000, "ema", "kid_fmnist"));
        assertTrue(e.getMessage().contains("ganlab-seed2-step1000.json") && e.getMessage().contains("scores.ema.metrics.kid_fmnist"),
                e.getMessage());
        Files.writeString(dir.resolve("gan-fmnist28").resolve("ganlab-seed3-step1000.json"), "[1, 2]");
        UserError notAnObject = assertThrows(UserError.class,
                () -> ReproductionSeeds.load(dir, "gan-fmnist28", 1000, "ema", "fid_fmnist"));
        assertTrue(notAnObject.getMessage().contains("ganlab-seed3-step1000.json"), notAnObject.getMessage());
    }

    /** A cell of notebook 01, as text. */
    private static String notebookCell(String id) throws Exception {
        Path nb = ProjectHome.find().resolve("notebooks").resolve("01-dcgan-baseline.ipynb");
        for (JsonElement c : JsonParser.parseString(Files.readString(nb)).getAsJsonObject().getAsJsonArray("cells")) {
            JsonObject cell = c.getAsJsonObject();
            if (cell.has("id") && cell.get("id").getAsString().equals(id)) {
                StringBuilder text = new StringBuilder();
                cell.getAsJsonArray("source").forEach(l -> text.append(l.getAsString()));
                return text.toString();
            }
        }
        throw new AssertionError(nb + " has no cell with id " + id);
    }

    /** The quick profile's value of a parameter written as {@code NAME = Profile.pick(SMOKE, QUICK, FULL)}. */
    private static String quickValue(String params, String name) {
        Matcher m = Pattern.compile(name + "\\s*=\\s*Profile\\.pick\\(([^,]+),\\s*([^,]+),").matcher(params);
        assertTrue(m.find(), "notebook 01 sets no " + name + " with Profile.pick");
        return m.group(2).trim();
    }

    @Test
    void notebookOnesQuickBaselineIsTheCommittedRecipeItTakesItsTargetFrom() throws Exception {
        String params = notebookCell("cell-01");
        String recipe = quickValue(params, "TARGET_RECIPE").replace("\"", "");
        int steps = Integer.parseInt(quickValue(params, "int STEPS").replace("_", ""));
        ReproductionSeeds seeds = ReproductionSeeds.load(recipe, steps, "ema", "fid_fmnist");
        assertTrue(seeds.bySeed().size() >= 2, "lib/reproduction/" + recipe + " at step " + steps + ": " + seeds.describe());

        // The recipe those seeds trained is what the quick profile trains: every 'base.KEY = VALUE;' of the baseline
        // cell, a VALUE that names a parameter taking the parameter's quick value, resolved with this checkout's
        // defaults, against the committed recipe (bookkeeping and the evaluation during training aside, which do
        // not change the weights; the run's length and seed are the budget's and the seed's).
        JsonObject set = new JsonObject();
        Matcher a = Pattern.compile("(?m)^base\\.([\\w.]+)\\s*=\\s*(.+?);").matcher(notebookCell("cell-07"));
        int assignments = 0;
        while (a.find()) {
            assignments++;
            String key = a.group(1);
            String value = a.group(2).trim();
            if (key.startsWith("eval.") || key.equals("steps") || key.equals("seed") || key.endsWith("Every")) {
                continue;   // bookkeeping, or the budget and seed the results are per
            }
            if (value.matches("[A-Z_]+")) {
                value = quickValue(params, value);
            }
            value = value.replaceAll("(?<=\\d)[fFL]$", ""); // Java's float and long literals
            if (value.matches("new \\w+\\(\\)")) {
                value = "{}"; // an empty group (an optimiser whose unset values resolving completes)
            }
            JsonObject into = set;
            String[] path = key.split("\\.");
            for (int i = 0; i < path.length - 1; i++) {
                if (!into.has(path[i])) {
                    into.add(path[i], new JsonObject());
                }
                into = into.getAsJsonObject(path[i]);
            }
            into.add(path[path.length - 1], JsonParser.parseString(value.replace("_", "")));
        }
        assertTrue(assignments >= 8, "notebook 01's baseline cell sets its config as 'base.KEY = VALUE;' (" + assignments + " found)");
        JsonObject resolved = TrainConfig.fromJson(set.toString()).resolved().toJsonTree();
        Path result;
        try (Stream<Path> files = Files.list(ReproductionSeeds.dir().resolve(recipe))) {
            result = files.filter(f -> f.toString().endsWith("-step" + steps + ".json")).findFirst().orElseThrow();
        }
        JsonObject pinned = JsonParser.parseString(Files.readString(result)).getAsJsonObject().getAsJsonObject("config");
        List<String> bookkeeping = List.of("seed", "steps", "resolution", "channels", "logEvery", "sampleEvery",
                "checkpointEvery", "keepCheckpoints", "sampleCount", "collapseThreshold", "eval", "tricks.instanceNoiseSteps");
        compare(pinned, resolved, "", bookkeeping, result);
    }

    private static void compare(JsonObject pinned, JsonObject resolved, String prefix, List<String> skip, Path file) {
        for (Map.Entry<String, JsonElement> e : pinned.entrySet()) {
            String key = prefix + e.getKey();
            if (skip.contains(key)) {
                continue;
            }
            JsonElement mine = resolved.get(e.getKey());
            if (e.getValue().isJsonObject()) {
                assertTrue(mine != null && mine.isJsonObject(), key + " missing from the notebook's config");
                compare(e.getValue().getAsJsonObject(), mine.getAsJsonObject(), key + ".", skip, file);
            } else if (e.getValue().getAsJsonPrimitive().isNumber()) {
                double want = e.getValue().getAsDouble();   // settings held as float in Java: relative 1e-6
                assertEquals(want, mine == null ? Double.NaN : mine.getAsDouble(), Math.max(1e-12, 1e-6 * Math.abs(want)),
                        key + ": " + file + " against notebook 01's quick profile");
            } else {
                assertEquals(e.getValue(), mine, key + ": " + file + " against notebook 01's quick profile");
            }
        }
    }
}
