package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.UserError;
import dev.ganlab.models.Models;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The preset table resolves every model x loss x penalty exactly as the {@code model.equals(...)}
 * chain it replaced did: {@code train/resolved-configs.jsonl} was written by that old code (see
 * {@link ResolvedConfigTable}). The one intended difference: a setting the model cannot use is now
 * rejected (minibatch discrimination on ProGAN and FastGAN, whose discriminators have no such layer).
 */
class ModelPresetTableTest {

    /** Model x setting pairs the old code resolved silently and the presets now reject. */
    // progan and fastgan rejected minibatch discrimination until models.Mix gave every D the layer.
    static final Set<String> NOW_REJECTED = Set.of();

    static List<JsonObject> fixture() throws IOException {
        try (InputStream in = ModelPresetTableTest.class.getResourceAsStream("/train/resolved-configs.jsonl")) {
            List<JsonObject> rows = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    rows.add(JsonParser.parseString(line).getAsJsonObject());
                }
            }
            return rows;
        }
    }

    @Test
    void everyModelLossAndPenaltyResolvesAsBeforeThePresetTable() throws IOException {
        List<JsonObject> rows = fixture();
        assertEquals(ResolvedConfigTable.cases().size(), rows.size(), "fixture rows");
        int compared = 0;
        int rejected = 0;
        for (JsonObject row : rows) {
            JsonObject raw = row.getAsJsonObject("raw");
            assertFalse(row.has("error"), "the old code resolved every case: " + row);
            String model = raw.get("model").getAsString();
            boolean mbd = raw.has("tricks");
            if (mbd && NOW_REJECTED.contains(model + " tricks.minibatchDiscrimination")) {
                UserError e = assertThrows(UserError.class, () -> TrainConfig.fromTree(raw).resolved(), raw.toString());
                assertTrue(e.getMessage().contains("'tricks.minibatchDiscrimination'")
                        && e.getMessage().contains("model " + model), e.getMessage());
                rejected++;
                continue;
            }
            JsonElement now = JsonParser.parseString(TrainConfig.fromTree(raw).resolved().toJson());
            JsonObject before = row.getAsJsonObject("resolved").deepCopy();
            if (model.equals("sndcgan")) {
                // The old code resolved sndcgan's dNorm to batch or layer and then ignored it (its D was always
                // spectral); since the normaliser axis applies to sndcgan, auto resolves to what it built.
                before.getAsJsonObject("dcgan").addProperty("dNorm", "spectral");
                // Likewise its ignored dropout: sndcgan's D has none, and dDropout now resolves to that.
                before.getAsJsonObject("dcgan").addProperty("dDropout", 0.0);
            }
            if (!model.equals("sndcgan")) {
                // Changed on purpose since the fixture: dcgan's discriminator defaults to the DCGAN paper's
                // (dcgan.discriminator=paper: 128 base filters, no dropout; DcganConfig). Every run resolves
                // the dcgan section, whatever its model.
                before.getAsJsonObject("dcgan").addProperty("dWidth", 128);
                before.getAsJsonObject("dcgan").addProperty("dDropout", 0.0);
            }
            if (model.equals("dcgan")) {
                // Changed on purpose since the fixture: dcgan's batch is the paper's 128 (Radford et al. sec. 4),
                // not PyTorch-GAN's 64 (DcganPreset).
                before.addProperty("batch", 128);
            }
            // Added since the fixture, with a value per model: FastGAN's update scores the critic's images
            // (its official train.py); every other model, as every model before, draws fresh latents.
            JsonObject nowOldKeys = now.getAsJsonObject().deepCopy();
            assertEquals(model.equals("fastgan") ? "reuse" : "fresh",
                    nowOldKeys.remove("generatorFakes").getAsString(), "generatorFakes of " + raw);
            // Added since the fixture: the DCGAN code's L2 weight decay on dcgan's own Adam (DcganPreset); the
            // loss papers' optimisers (WGAN's RMSprop, WGAN-GP's Adam) and every other model have none.
            String loss = nowOldKeys.get("loss").getAsString();
            boolean dcganAdam = model.equals("dcgan") && !loss.equals("wgan") && !loss.equals("wgan-gp");
            for (String opt : new String[] {"optG", "optD"}) {
                assertEquals(dcganAdam ? 1e-5f : 0f,
                        nowOldKeys.getAsJsonObject(opt).remove("weightDecay").getAsFloat(), opt + ".weightDecay of " + raw);
            }
            assertEquals(before, withoutNewDefaultGroups(nowOldKeys, row.getAsJsonObject("resolved")),
                    "resolved config of " + raw);
            // A stored (resolved) config reads back and resolves to itself: runs resume.
            assertEquals(now, JsonParser.parseString(TrainConfig.fromJson(now.toString()).resolved().toJson()),
                    "re-resolving " + raw);
            compared++;
        }
        int oldModels = ResolvedConfigTable.MODELS.length;
        assertEquals(oldModels * ResolvedConfigTable.LOSSES.length * ResolvedConfigTable.PENALTIES.length
                + oldModels * 2 - NOW_REJECTED.size(), compared);
        assertEquals(NOW_REJECTED.size(), rejected);
    }

    /**
     * {@code now} without the top-level settings the fixture predates (groups added later, such as
     * {@code mix}), provided they hold a new config's values: a setting added later must be off by
     * default for the old resolutions to stay what they were.
     */
    static JsonElement withoutNewDefaultGroups(JsonElement now, JsonObject old) {
        JsonObject fresh = JsonParser.parseString(new TrainConfig().toJson()).getAsJsonObject();
        return withoutNew(now.getAsJsonObject(), old, fresh, "");
    }

    private static JsonObject withoutNew(JsonObject now, JsonObject old, JsonObject fresh, String prefix) {
        JsonObject out = now.deepCopy();
        for (String key : now.keySet()) {
            if (!old.has(key)) {
                JsonElement def = fresh == null ? null : fresh.get(key);
                assertEquals(def, out.get(key), "setting '" + prefix + key + "', added after the fixture, is not at its default");
                out.remove(key);
            } else if (now.get(key).isJsonObject() && old.get(key).isJsonObject()) {
                JsonElement f = fresh == null ? null : fresh.get(key);
                out.add(key, withoutNew(now.getAsJsonObject(key), old.getAsJsonObject(key),
                        f != null && f.isJsonObject() ? f.getAsJsonObject() : null, prefix + key + "."));
            }
        }
        return out;
    }

    @Test
    void theTableHasOneEntryPerModelOfTheOldCode() {
        // Models added since (resnet19) come after the old code's, which keep their order.
        assertEquals(List.of(ResolvedConfigTable.MODELS), Models.names().subList(0, ResolvedConfigTable.MODELS.length));
    }
}
