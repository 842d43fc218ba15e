package dev.ganlab.cli;

import dev.ganlab.Slow;
import dev.ganlab.TinyRuns;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.data.Datasets;
import dev.ganlab.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ganlab metrics-conditional} on one-step Fashion-MNIST runs: a run on a class subset is scored with the
 * subset's classes (the classifier's verdict matched by class name), a real set with other classes is refused,
 * and an unconditional run is scored as the baseline (its one sample set against every class).
 */
class MetricsConditionalCommandTest {

    @TempDir Path tmp;

    @BeforeEach
    void needsFashionMnist() {
        assumeTrue(Datasets.catalog().stream().anyMatch(s -> s.name().equals("fashion-mnist") && s.installed()),
                "dataset-fashion-mnist is installed by environment/setup.sh");
    }

    private Path train(String name, String data, String cond) {
        TrainConfig c = TinyRuns.dcgan();
        c.data = data;
        c.cond = cond;
        Path dir = tmp.resolve(name);
        TinyRuns.trainOneStep(c, dir);
        return dir;
    }

    @Test
    void aClassSubsetRunIsScoredPerClassWithTheClassifiersClassesMatchedByName() throws Exception {
        Path run = train("shoes", "fashion-mnist?classes=7,9&limit=64", "concat");
        Path json = tmp.resolve("shoes.json");
        String[] o = MainRunner.run("metrics-conditional", "--run", run.toString(), "--real",
                "fashion-mnist:test?classes=7,9", "--n", "20", "--raw", "--json", json.toString(), "--threads", "1");
        assertEquals("0", o[0], o[2]);
        assertTrue(o[1].contains("Sneaker") && o[1].contains("Ankle boot") && o[1].contains("raw generator"), o[1]);
        JsonObject r = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals("raw", r.get("generator").getAsString());
        JsonArray classes = r.getAsJsonArray("classes");
        assertEquals(2, classes.size());
        for (int k = 0; k < 2; k++) {
            JsonObject c = classes.get(k).getAsJsonObject();
            assertEquals(k == 0 ? "Sneaker" : "Ankle boot", c.get("name").getAsString());
            // labels 0 and 1 of the subset are the ten-class network's 7 and 9: the accuracy is defined
            double acc = c.get("accuracy").getAsDouble();
            assertTrue(acc >= 0 && acc <= 1, "accuracy of class " + k + ": " + acc);
            JsonObject setup = c.getAsJsonObject("setup");
            assertEquals(20, setup.get("realCount").getAsInt());
            assertEquals(20, setup.get("fakeCount").getAsInt());
            assertTrue(setup.get("real").getAsString().contains(k == 0 ? "Sneaker" : "Ankle boot"), setup.toString());
        }

        String[] wrong = MainRunner.run("metrics-conditional", "--run", run.toString(), "--real", "fashion-mnist:test",
                "--n", "20", "--threads", "1");
        assertEquals("2", wrong[0]);
        assertTrue(wrong[2].contains("has 10 classes, the generator 2") && wrong[2].contains("?classes="), wrong[2]);
    }

    @Test

    @Slow
    void anUnconditionalRunIsScoredAsTheBaselineWhoseSamplesFallIntoExactlyOneClassEach() throws Exception {
        Path run = train("plain", "fashion-mnist?limit=64", "none");
        Path json = tmp.resolve("plain.json");
        String[] o = MainRunner.run("metrics-conditional", "--run", run.toString(), "--real", "fashion-mnist:test",
                "--n", "20", "--json", json.toString(), "--threads", "1");
        assertEquals("0", o[0], o[2]);
        assertTrue(o[1].contains("unconditional run"), o[1]);
        JsonObject r = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(false, r.get("conditional").getAsBoolean());
        JsonArray classes = r.getAsJsonArray("classes");
        assertEquals(10, classes.size());
        double sum = 0;
        String fake = null;
        for (int k = 0; k < 10; k++) {
            JsonObject c = classes.get(k).getAsJsonObject();
            sum += c.get("accuracy").getAsDouble();
            String f = c.getAsJsonObject("setup").get("fake").getAsString();
            assertTrue(fake == null || fake.equals(f), "one sample set for every class: " + fake + " / " + f);
            fake = f;
        }
        // the same 20 samples, each assigned to exactly one of the ten classes: the shares add up to 1
        assertEquals(1.0, sum, 1e-9);
    }
}
