package dev.ganlab.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The grid of raw configs whose resolved form {@code train/resolved-configs.jsonl} pins: every model x
 * loss x penalty, plus a few cases of data, resolution and minibatch discrimination. The fixture was
 * written by {@link #main} from the resolution code before the model presets existed (commit d752cb7's
 * {@code TrainConfig.resolve}, a chain of {@code model.equals(...)}), so the preset table is checked
 * against the old rules, not against itself. Rerun it only for a deliberate change of a default, and
 * say so in the commit.
 */
final class ResolvedConfigTable {

    static final String[] MODELS = {"dcgan", "sndcgan", "progan", "fastgan", "gan"};
    static final String[] LOSSES = {null, "minimax", "ns", "wgan", "wgan-gp", "lsgan", "hinge"};
    static final String[] PENALTIES = {"auto", "none", "r1", "wgan-gp"};

    private ResolvedConfigTable() {}

    /** The raw configs, each as a JSON object of the settings that differ from a new TrainConfig. */
    static List<JsonObject> cases() {
        List<JsonObject> out = new ArrayList<>();
        for (String m : MODELS) {
            for (String l : LOSSES) {
                for (String p : PENALTIES) {
                    JsonObject o = new JsonObject();
                    o.addProperty("model", m);
                    if (l != null) {
                        o.addProperty("loss", l);
                    }
                    o.addProperty("penalty", p);
                    out.add(o);
                }
            }
            JsonObject data = new JsonObject();
            data.addProperty("model", m);
            data.addProperty("data", "emoji:smileys");
            data.addProperty("resolution", m.equals("fastgan") ? 64 : 32);
            out.add(data);
            JsonObject mbd = new JsonObject();
            mbd.addProperty("model", m);
            JsonObject tricks = new JsonObject();
            tricks.addProperty("minibatchDiscrimination", 3);
            mbd.add("tricks", tricks);
            out.add(mbd);
        }
        return out;
    }

    /** One line per case: {"raw": ..., "resolved": ...} or {"raw": ..., "error": message}. */
    static String line(JsonObject raw) {
        JsonObject row = new JsonObject();
        row.add("raw", raw);
        try {
            TrainConfig c = TrainConfig.fromJson(raw.toString()).resolved();
            row.add("resolved", JsonParser.parseString(c.toJson()));
        } catch (RuntimeException e) {
            row.addProperty("error", e.getMessage());
        }
        return row.toString();
    }

    public static void main(String[] args) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (JsonObject raw : cases()) {
            sb.append(line(raw)).append('\n');
        }
        Files.writeString(Path.of(args[0]), sb.toString());
    }
}
