package dev.ganlab.models.progan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import dev.ganlab.models.progan.ProganSchedule.Phase;
import dev.ganlab.models.progan.ProganSchedule.PhaseStart;
import dev.ganlab.models.progan.ProganSchedule.Stage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Schedule, config and batch sizes: pure Java, no engine. */
class ProganScheduleTest {

    /** 4 -> 16 px, fade-in 100 images, stabilise 200: 4px [0, 200), 8px fade [200, 300), 8px [300, 500), 16px fade [500, 600), 16px from 600. */
    static final ProganSchedule SMALL = new ProganSchedule(4, 16, 100, 200);

    @Test
    void stageAtChosenImageCountsIncludingBoundaries() {
        assertEquals(Stage.stable(4), SMALL.at(0));
        assertEquals(Stage.stable(4), SMALL.at(199));
        assertEquals(Stage.fadeIn(8, 0.0), SMALL.at(200), "the fade-in starts at alpha 0 on its first image");
        assertEquals(Stage.fadeIn(8, 0.25), SMALL.at(225));
        assertEquals(Stage.fadeIn(8, 0.99), SMALL.at(299));
        assertEquals(Stage.stable(8), SMALL.at(300), "alpha reaches 1 exactly when the stabilisation starts");
        assertEquals(Stage.stable(8), SMALL.at(499));
        assertEquals(Stage.fadeIn(16, 0.0), SMALL.at(500));
        assertEquals(Stage.fadeIn(16, 0.5), SMALL.at(550));
        assertEquals(Stage.stable(16), SMALL.at(600));
        assertEquals(Stage.stable(16), SMALL.at(1_000_000_000_000L), "the target stabilises for ever");
        assertThrows(IllegalArgumentException.class, () -> SMALL.at(-1));

        assertEquals(200, SMALL.fadeInStart(8));
        assertEquals(300, SMALL.stabiliseStart(8));
        assertEquals(500, SMALL.fadeInStart(16));
        assertEquals(600, SMALL.stabiliseStart(16));
        assertEquals(600, SMALL.growthEnd());
        assertEquals(0, SMALL.stabiliseStart(4));
        assertThrows(IllegalArgumentException.class, () -> SMALL.fadeInStart(4));
        assertThrows(IllegalArgumentException.class, () -> SMALL.fadeInStart(32));

        assertEquals(List.of(new PhaseStart(0, 4, Phase.STABILISE), new PhaseStart(200, 8, Phase.FADE_IN),
                new PhaseStart(300, 8, Phase.STABILISE), new PhaseStart(500, 16, Phase.FADE_IN),
                new PhaseStart(600, 16, Phase.STABILISE)), SMALL.phases());
        assertTrue(SMALL.changesResolution(199, 200));
        assertFalse(SMALL.changesResolution(200, 300));
    }

    @Test
    void paperScheduleTo64px() {
        ProganSchedule paper = ProganSchedule.of(new ProganConfig());
        // 800k at 4px, then (800k fade-in + 800k stabilise) for 8, 16, 32; 64 fades in from 5.6M.
        assertEquals(Stage.fadeIn(8, 0.5), paper.at(1_200_000));
        assertEquals(Stage.stable(32), paper.at(5_599_999));
        assertEquals(Stage.fadeIn(64, 0.0), paper.at(5_600_000));
        assertEquals(6_400_000, paper.growthEnd());
    }

    @Test
    void schedulesWithoutFadeInOrStartingHigher() {
        ProganSchedule noFade = new ProganSchedule(4, 16, 0, 100);
        assertEquals(Stage.stable(8), noFade.at(100), "no fade-in: the new resolution starts at alpha 1");
        assertEquals(List.of(new PhaseStart(0, 4, Phase.STABILISE), new PhaseStart(100, 8, Phase.STABILISE),
                new PhaseStart(200, 16, Phase.STABILISE)), noFade.phases());
        ProganSchedule noStabilise = new ProganSchedule(4, 16, 100, 0);
        assertEquals(Stage.fadeIn(8, 0.0), noStabilise.at(0));
        assertEquals(Stage.fadeIn(16, 0.5), noStabilise.at(150));
        assertEquals(Stage.stable(16), noStabilise.at(200));
        ProganSchedule from8 = new ProganSchedule(8, 16, 100, 100);
        assertEquals(Stage.stable(8), from8.at(0));
        assertEquals(Stage.fadeIn(16, 0.5), from8.at(150));
        assertEquals(Stage.stable(32), new ProganSchedule(32, 32, 0, 0).at(123));
    }

    @Test
    void onImagesShownIsTrueOnlyWhenANewResolutionStarts() {
        ProganConfig cfg = smallConfig();
        assertEquals(List.of(200L, 500L), resetsWhileTraining(new ProganModel(cfg), 25));
        // Another batch size crosses the boundaries at other counts: the first count at or past each.
        assertEquals(List.of(210L, 510L), resetsWhileTraining(new ProganModel(cfg), 30));
        cfg.resetOptimiserAtStabilise = true; // the official code's reset at both ends of a fade-in
        assertEquals(List.of(200L, 300L, 500L, 600L), resetsWhileTraining(new ProganModel(cfg), 4));

        ProganModel m = new ProganModel(smallConfig());
        assertFalse(m.onImagesShown(0));
        assertTrue(m.onImagesShown(550), "a jump (e.g. a resume) into another resolution reports it");
        assertEquals(Stage.fadeIn(16, 0.5), m.currentStage());
        assertEquals(550, m.imagesShown());
        assertFalse(m.onImagesShown(550));
    }

    /** Image counts at which onImagesShown returned true, stepping by {@code batch} up to 700. */
    private static List<Long> resetsWhileTraining(ProganModel model, int batch) {
        List<Long> resets = new ArrayList<>();
        for (long images = 0; images <= 700; images += batch) {
            if (model.onImagesShown(images)) {
                resets.add(images);
            }
        }
        return resets;
    }

    @Test
    void batchSizePerResolution() {
        ProganConfig cfg = smallConfig();
        cfg.minibatch = new TreeMap<>(Map.of(4, 32, 8, 16));
        ProganModel m = new ProganModel(cfg);
        assertEquals(32, m.batchSize(12));
        m.onImagesShown(250);
        assertEquals(16, m.batchSize(12), "the fade-in of 8px uses 8px's batch");
        m.onImagesShown(600);
        assertEquals(12, m.batchSize(12), "a resolution missing from the map uses the configured size");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.batchSize(6));
        assertTrue(e.getMessage().contains("6") && e.getMessage().contains("mbstdGroupSize"), e.getMessage());
        assertEquals(3, m.batchSize(3), "a batch smaller than the group is one group");

        ProganConfig defaults = new ProganConfig();
        ProganModel official = new ProganModel(defaults);
        assertEquals(128, official.batchSize(1));
        official.onImagesShown(defaults.fadeInImages + 4 * defaults.stabiliseImages + 1); // into 32px
        assertEquals(64, official.batchSize(1));
    }

    @Test
    void stageDescriptionAndMetrics() {
        ProganModel m = new ProganModel(smallConfig());
        assertEquals("4px stabilise", m.stage());
        m.onImagesShown(241);
        assertEquals("8px fade-in alpha=0.41", m.stage());
        Map<String, Double> metrics = m.stageMetrics();
        assertEquals(List.of("resolution", "alpha", "lod"), List.copyOf(metrics.keySet()));
        assertEquals(8.0, metrics.get("resolution"));
        assertEquals(0.41, metrics.get("alpha"), 1e-12);
        assertEquals(1 + 0.59, metrics.get("lod"), 1e-12, "lod = log2(16 / 8) + (1 - alpha)");
        m.onImagesShown(600);
        assertEquals("16px stabilise", m.stage());
        assertEquals(0.0, m.stageMetrics().get("lod"));
        assertEquals(2.0, Stage.stable(4).lod(16));
    }

    @Test
    void configDefaultsFollowThePaper() {
        ProganConfig cfg = new ProganConfig();
        cfg.validate();
        // Paper table 2: 512 feature maps up to 32x32, then 256, 128, 64, 32, 16 at 1024x1024.
        int[] paper = {512, 512, 512, 512, 256, 128, 64, 32, 16};
        for (int i = 0, r = 4; r <= 1024; r *= 2, i++) {
            assertEquals(paper[i], cfg.featureMapsAt(r), "feature maps at " + r);
        }
        assertEquals(512, cfg.featureMaps(0), "the discriminator's last dense layer");
        cfg.fmapScale = 0.125;
        assertEquals(64, cfg.featureMapsAt(32));
        assertEquals(2, cfg.featureMapsAt(1024));
        cfg.fmapScale = 0.01;
        assertEquals(1, cfg.featureMapsAt(1024), "never fewer than one feature map");
        assertEquals(512, ProganConfig.LATENT_SIZE);
        assertEquals(4, ProganConfig.MBSTD_GROUP_SIZE);
        assertEquals(800_000, ProganConfig.FADE_IN_IMAGES);
    }

    @Test
    void validateNamesTheBadSetting() {
        expectBad("targetResolution", c -> c.targetResolution = 48);
        expectBad("targetResolution", c -> c.targetResolution = 4);
        expectBad("targetResolution", c -> c.targetResolution = 2048);
        expectBad("channels", c -> c.channels = 2);
        expectBad("startResolution", c -> c.startResolution = 128);
        expectBad("startResolution", c -> c.startResolution = 6);
        expectBad("latentSize", c -> c.latentSize = 0);
        expectBad("fmapBase", c -> c.fmapBase = 0);
        expectBad("fmapDecay", c -> c.fmapDecay = Double.NaN);
        expectBad("fmapMax", c -> c.fmapMax = 0);
        expectBad("fmapScale", c -> c.fmapScale = 0);
        expectBad("fadeInImages", c -> c.fadeInImages = -1);
        expectBad("stabiliseImages", c -> c.stabiliseImages = -1);
        expectBad("fadeInImages", c -> {
            c.fadeInImages = 0;
            c.stabiliseImages = 0;
        });
        expectBad("mbstdGroupSize", c -> c.mbstdGroupSize = -1);
        expectBad("leakySlope", c -> c.leakySlope = 1);
        expectBad("minibatch", c -> c.minibatch = null);
        expectBad("minibatch key 12", c -> c.minibatch.put(12, 8));
        expectBad("minibatch[8]", c -> c.minibatch.put(8, 0));
        expectBad("minibatch[256]", c -> c.minibatch.put(256, 14)); // the paper's 14 needs mbstd group 16 or 14
        ProganConfig nan = new ProganConfig();
        nan.fmapDecay = Double.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProganModel(nan));
        assertTrue(e.getMessage().contains("progan.fmapDecay"), "the model validates before copying: " + e.getMessage());
        ProganConfig v1 = new ProganConfig();
        v1.minibatch = new TreeMap<>(ProganConfig.PAPER_MINIBATCH);
        v1.mbstdGroupSize = 16; // the official v1 preset's pairing
        v1.validate();
    }

    private static void expectBad(String key, Consumer<ProganConfig> change) {
        ProganConfig c = new ProganConfig();
        change.accept(c);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::validate, key);
        assertTrue(e.getMessage().contains("progan." + key), "message should name " + key + ": " + e.getMessage());
    }

    @Test
    void configSurvivesGson() {
        ProganConfig cfg = smallConfig();
        cfg.minibatch = new TreeMap<>(Map.of(4, 64, 16, 8));
        cfg.fmapScale = 0.25;
        Gson gson = new Gson();
        ProganConfig back = gson.fromJson(gson.toJson(cfg), ProganConfig.class);
        back.validate();
        assertEquals(gson.toJson(cfg), gson.toJson(back));
        assertEquals(8, back.minibatch.get(16), "resolution keys come back as integers");
        ProganConfig copy = cfg.copy();
        assertNotSame(cfg.minibatch, copy.minibatch);
        assertEquals(gson.toJson(cfg), gson.toJson(copy));
        ProganConfig partial = gson.fromJson("{\"targetResolution\": 32}", ProganConfig.class);
        assertEquals(32, partial.targetResolution);
        assertEquals(ProganConfig.FADE_IN_IMAGES, partial.fadeInImages, "missing keys keep their defaults");
        assertEquals(128, partial.minibatch.get(4));
    }

    @Test
    void stepsToShowCountsStepsAsTheTrainerDoesWithBatchesPerResolution() {
        ProganConfig cfg = smallConfig(); // 4px [0, 200), 8px [200, 500), 16px from 500
        cfg.minibatch = new TreeMap<>(Map.of(4, 32, 8, 12));
        for (int nCritic : new int[] {1, 2}) {
            for (long images : new long[] {0, 1, 199, 200, 201, 500, 700, 12_345}) {
                // Step by step: a step's batch is the one of the stage at the images shown before it.
                ProganSchedule s = ProganSchedule.of(cfg);
                long shown = 0;
                int steps = 0;
                while (shown < images) {
                    shown += (long) nCritic * cfg.minibatch.getOrDefault(s.at(shown).resolution(), 20);
                    steps++;
                }
                assertEquals(steps, cfg.stepsToShow(images, 20, nCritic), images + " images, nCritic " + nCritic);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> cfg.stepsToShow(-1, 20, 1));
        assertThrows(IllegalArgumentException.class, () -> cfg.stepsToShow(100, 0, 1));
        cfg.minibatch = new TreeMap<>(Map.of(4, 1));
        cfg.targetResolution = 4;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cfg.stepsToShow(1L << 40, 1, 1));
        assertTrue(e.getMessage().contains("more than a run can have"), e.getMessage());
    }

    /** 16px target, tiny networks, fade-in 100 and stabilise 200 images. */
    static ProganConfig smallConfig() {
        ProganConfig cfg = new ProganConfig();
        cfg.targetResolution = 16;
        cfg.channels = 3;
        cfg.latentSize = 16;
        cfg.fmapBase = 64;
        cfg.fmapMax = 16;
        cfg.fadeInImages = 100;
        cfg.stabiliseImages = 200;
        cfg.minibatch = new TreeMap<>();
        return cfg;
    }
}
