package dev.ganlab.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the engine profiler's trace (chrome trace JSON written by {@code JniUtils.stopProfile}) and
 * measures how busy the engine was: the union of the time intervals covered by its operator events.
 * Wall time minus busy time is the time spent outside the engine's operators (Java, JNI calls,
 * bookkeeping): the per-step overhead.
 */
public final class ProfileTrace {

    private ProfileTrace() {}

    /** Microseconds covered by at least one operator event, over all threads of the trace. */
    public static double busyMicros(Path traceFile) {
        List<double[]> spans = new ArrayList<>();
        try {
            String text = Files.readString(traceFile);
            JsonElement root = JsonParser.parseString(text);
            JsonArray events = root.isJsonArray() ? root.getAsJsonArray() : root.getAsJsonObject().getAsJsonArray("traceEvents");
            for (JsonElement e : events) {
                JsonObject o = e.getAsJsonObject();
                if (!o.has("dur") || !o.has("ts")) {
                    continue;
                }
                double ts = o.get("ts").getAsDouble();
                spans.add(new double[] {ts, ts + o.get("dur").getAsDouble()});
            }
        } catch (IOException | RuntimeException e) {
            throw new UserError("cannot read profiler trace " + traceFile + ": " + e.getMessage(), e);
        }
        spans.sort((a, b) -> Double.compare(a[0], b[0]));
        double busy = 0;
        double start = Double.NaN;
        double end = Double.NaN;
        for (double[] s : spans) {
            if (Double.isNaN(start) || s[0] > end) {
                if (!Double.isNaN(start)) {
                    busy += end - start;
                }
                start = s[0];
                end = s[1];
            } else {
                end = Math.max(end, s[1]);
            }
        }
        if (!Double.isNaN(start)) {
            busy += end - start;
        }
        return busy;
    }
}
