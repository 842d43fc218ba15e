package dev.ganlab.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the run's history ({@code metrics.csv}): every step's logged values are summed, and every
 * {@code logEvery} steps (and after the last) one row with their means over the interval, the values
 * waiting for it (the model's stage, the samples' diversity, an evaluation's scores) and the step,
 * images and seconds is added, the file rewritten, {@code status.json} updated and the monitors told.
 */
final class HistoryRecorder implements TrainingListener {

    private final TrainingHistory history;
    private final Map<String, double[]> intervalSums = new LinkedHashMap<>();
    private final Map<String, Double> pending = new LinkedHashMap<>();

    HistoryRecorder(TrainingHistory history) {
        this.history = history;
    }

    /**
     * The recorder of a run resumed at {@code step}: its {@code metrics.csv} up to that step, with old
     * folders' scores under today's names (fid -> fid_fmnist) so one column continues, and the
     * checkpoint's open interval (null: none saved).
     */
    static HistoryRecorder resumed(Path dir, TrainConfig cfg, long step, JsonObject openInterval) {
        TrainingHistory h = TrainingHistory.readCsv(dir.resolve(RunFolder.HISTORY))
                .withScoreSuffix(TrainingHistory.scoreSuffixOf(cfg));
        h.truncateAfter(step);
        HistoryRecorder r = new HistoryRecorder(h);
        if (openInterval != null) {
            r.restoreOpenInterval(openInterval);
        }
        return r;
    }

    TrainingHistory history() {
        return history;
    }

    /** Adds a step's logged values to the open interval. */
    void accumulate(Map<String, Float> values) {
        for (Map.Entry<String, Float> e : values.entrySet()) {
            double[] s = intervalSums.computeIfAbsent(e.getKey(), k -> new double[2]);
            s[0] += e.getValue();
            s[1] += 1;
        }
    }

    /** Values for the next row as they are (not averaged): stage values, diversity, scores. */
    void pend(Map<String, Double> values) {
        pending.putAll(values);
    }

    void pend(String key, double value) {
        pending.put(key, value);
    }

    @Override
    public void onStepEnd(GanTrainer trainer, long done, Map<String, Float> values) {
        if (trainer.timetable().logs(done)) {
            writeRow(trainer, done);
        }
    }

    /** Closes the interval into one row of {@code metrics.csv}. */
    void writeRow(GanTrainer trainer, long done) {
        Map<String, Double> row = new LinkedHashMap<>();
        row.put("step", (double) done);
        row.put("images", (double) trainer.imagesShown());
        row.put("seconds", trainer.seconds());
        for (Map.Entry<String, double[]> e : intervalSums.entrySet()) {
            row.put(e.getKey(), e.getValue()[0] / e.getValue()[1]);
        }
        row.putAll(pending);
        pending.clear();
        intervalSums.clear();
        history.add(row);
        history.writeCsv(trainer.dir().resolve("metrics.csv"));
        RunStatus status = trainer.status();
        status.step = done;
        status.images = trainer.imagesShown();
        status.write(trainer.dir().resolve("status.json"));
        trainer.monitors().forEach(m -> m.onLog(trainer, row));
    }

    /**
     * What the next row will average but has not written yet: the sums of the steps since the last
     * row and the values waiting for it. Saved in checkpoints so that a run stopped between two rows
     * (an interrupt) writes the same next row after resuming. Values are kept as Java's decimal
     * strings: exact, and NaN survives.
     */
    JsonObject openInterval() {
        JsonObject sums = new JsonObject();
        intervalSums.forEach((k, v) -> {
            JsonArray a = new JsonArray();
            a.add(Double.toString(v[0]));
            a.add(Double.toString(v[1]));
            sums.add(k, a);
        });
        JsonObject waiting = new JsonObject();
        pending.forEach((k, v) -> waiting.addProperty(k, Double.toString(v)));
        JsonObject o = new JsonObject();
        o.add("sums", sums);
        o.add("pending", waiting);
        return o;
    }

    void restoreOpenInterval(JsonObject o) {
        intervalSums.clear();
        pending.clear();
        for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("sums").entrySet()) {
            JsonArray a = e.getValue().getAsJsonArray();
            intervalSums.put(e.getKey(), new double[] {Double.parseDouble(a.get(0).getAsString()),
                    Double.parseDouble(a.get(1).getAsString())});
        }
        for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("pending").entrySet()) {
            pending.put(e.getKey(), Double.parseDouble(e.getValue().getAsString()));
        }
    }
}
