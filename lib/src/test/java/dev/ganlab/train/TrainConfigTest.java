package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import org.junit.jupiter.api.Test;

import java.util.List;

class TrainConfigTest {

    static TrainConfig with(String... kv) {
        TrainConfig c = new TrainConfig();
        for (String s : kv) {
            int eq = s.indexOf('=');
            c.set(s.substring(0, eq), s.substring(eq + 1));
        }
        return c.resolved();
    }

    @Test
    void aPartialOptimiserSettingChangesOnlyTheValuesItNames() {
        // Before: --set optD.lr=1e-4 under WGAN trained D with Adam (0.5, 0.999), the class's defaults, and G
        // with RMSprop; under ProGAN it dropped the paper's betas (0, 0.99).
        TrainConfig wgan = with("loss=wgan", "optD.lr=1e-4");
        assertEquals("rmsprop", wgan.optD.type);
        assertEquals(1e-4f, wgan.optD.lr);
        assertEquals("rmsprop", wgan.optG.type);
        assertEquals(5e-5f, wgan.optG.lr, "the other network keeps its default");
        TrainConfig pg = with("model=progan", "optG.lr=5e-4", "optD.beta2=0.9");
        assertEquals(5e-4f, pg.optG.lr);
        assertEquals(0f, pg.optG.beta1);
        assertEquals(0.99f, pg.optG.beta2);
        assertEquals(1e-3f, pg.optD.lr);
        assertEquals(0f, pg.optD.beta1);
        assertEquals(0.9f, pg.optD.beta2);
        // The same from a config file's group, and the order of model and optimiser settings does not matter.
        TrainConfig file = TrainConfig.fromJson("{\"optD\": {\"lr\": 1e-4}, \"loss\": \"wgan-gp\"}").resolved();
        assertEquals("adam", file.optD.type);
        assertEquals(1e-4f, file.optD.lr);
        assertEquals(0f, file.optD.beta1);
        assertEquals(0.9f, file.optD.beta2);
        TrainConfig typed = with("loss=wgan", "optD.type=sgd");
        assertEquals("sgd", typed.optD.type);
        assertEquals(5e-5f, typed.optD.lr, "unset values are the default optimiser's");
        assertEquals(0f, typed.optD.momentum);
        // A resolved config stores every value and resolves to itself.
        assertTrue(wgan.optD.isComplete() && pg.optG.isComplete());
        assertEquals(wgan.toJson(), TrainConfig.fromJson(wgan.toJson()).resolved().toJson());
    }

    @Test
    void lossPresetsFollowThePapers() {
        TrainConfig ns = with();
        assertEquals("adam", ns.optD.type);
        assertEquals(2e-4f, ns.optD.lr);
        assertEquals(0.5f, ns.optD.beta1);
        assertEquals(1, ns.nCritic);
        assertEquals("none", ns.penalty);
        assertEquals("batch", ns.dcgan.dNorm);

        TrainConfig wgan = with("loss=wgan");
        assertEquals("rmsprop", wgan.optD.type);
        assertEquals(5e-5f, wgan.optD.lr);
        assertEquals(0.01f, wgan.clip);
        assertEquals(5, wgan.nCritic);

        TrainConfig gp = with("loss=wgan-gp");
        assertEquals("wgan-gp", gp.penalty);
        assertEquals(10f, gp.penaltyWeight);
        assertEquals(0f, gp.clip);
        assertEquals(1e-4f, gp.optD.lr);
        assertEquals(0f, gp.optD.beta1);
        assertEquals(0.9f, gp.optD.beta2);
        assertEquals("layer", gp.dcgan.dNorm, "no batch norm in a penalised critic");

        TrainConfig pg = with("model=progan");
        assertEquals("wgan-gp", pg.loss);
        assertEquals(1, pg.nCritic);
        assertEquals(0.001f, pg.drift);
        assertEquals(1e-3f, pg.optG.lr);
        assertEquals(0.99f, pg.optG.beta2);
        assertEquals(pg.progan.targetResolution, pg.resolution.intValue());

        TrainConfig fg = with("model=fastgan");
        assertEquals("hinge", fg.loss);
        assertEquals("random", fg.hingeMargin);
        assertEquals(8, fg.batch.intValue());
        // FastGAN's official train.py trains with policy 'color,translation' (cutout is an option).
        assertEquals("color,translation", fg.augment);
    }

    /**
     * sndcgan takes compare_gan's settings (example_configs/sndcgan_celebahq128.gin: z_dim 128, batch
     * 64, disc_iters 1, non-saturating loss, Adam 2e-4 / 0.5 / 0.999 for both nets); dcgan the DCGAN
     * paper's generator and latent size.
     */
    @Test
    void dcganFamilyDefaultsFollowThePapers() {
        TrainConfig d = with();
        assertEquals("paper", d.dcgan.generator);
        assertEquals(100, d.dcgan.latentDim.intValue());
        assertEquals(128, d.dcgan.gWidth.intValue());
        assertEquals("paper", d.dcgan.discriminator);
        assertEquals(128, d.dcgan.dWidth.intValue(), "the official code's ndf");
        assertEquals(0f, d.dcgan.dDropout, "the official code has no dropout");
        assertEquals(128, d.batch.intValue(), "Radford et al. sec. 4: mini-batch size 128");
        assertEquals(1e-5f, d.optG.weightDecay, "the DCGAN code's l2 = 1e-5 (faces/train_uncond_dcgan.py)");
        assertEquals(1e-5f, d.optD.weightDecay);
        assertEquals(0f, with("model=sndcgan").optD.weightDecay, "compare_gan's SNDCGAN has none");
        assertEquals(0f, with("loss=wgan-gp").optD.weightDecay, "WGAN-GP's Adam (the loss paper's) has none");
        assertEquals(0f, with("optD.weightDecay=0").optD.weightDecay, "PyTorch-GAN's is one setting away");
        assertEquals(64, with("batch=64").batch.intValue(), "PyTorch-GAN's batch is one setting away");
        TrainConfig p = with("dcgan.discriminator=pytorchgan");
        assertEquals(16, p.dcgan.dWidth.intValue(), "PyTorch-GAN's widths 16..128");
        assertEquals(0.25f, p.dcgan.dDropout, "PyTorch-GAN's Dropout2d");
        assertEquals(0.1f, with("dcgan.dDropout=0.1").dcgan.dDropout, "an explicit rate wins");
        TrainConfig s = with("model=sndcgan");
        assertEquals("sndcgan", s.dcgan.variant);
        assertEquals(128, s.dcgan.latentDim.intValue());
        assertEquals(64, s.dcgan.gWidth.intValue());
        assertEquals(64, s.dcgan.dWidth.intValue());
        assertEquals("ns", s.loss);
        assertEquals(64, s.batch.intValue());
        assertEquals(1, s.nCritic.intValue());
        for (OptimizerConfig o : List.of(s.optG, s.optD)) {
            assertEquals("adam", o.type);
            assertEquals(2e-4f, o.lr);
            assertEquals(0.5f, o.beta1);
            assertEquals(0.999f, o.beta2);
        }
        assertEquals("pytorchgan", with("dcgan.generator=pytorchgan").dcgan.generator);
        assertEquals(16, with("model=sndcgan", "dcgan.latentDim=16").dcgan.latentDim.intValue());
        UserError e = assertThrows(UserError.class, () -> with("dcgan.generator=deconv"));
        assertTrue(e.getMessage().contains("dcgan.generator 'deconv'"), e.getMessage());
        e = assertThrows(UserError.class, () -> with("model=sndcgan", "dcgan.generator=pytorchgan"));
        assertTrue(e.getMessage().contains("dcgan.generator 'pytorchgan'"), e.getMessage());
    }

    /** A run folder written before dcgan.generator and dcgan.latent existed keeps the network it trained. */
    @Test
    void runsFromBeforeTheDcganPaperDefaultsKeepTheirGenerator(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        TrainConfig now = with();
        java.nio.file.Files.writeString(tmp.resolve("config.json"), now.toJson());
        assertEquals("paper", TrainConfig.ofRun(tmp).dcgan.generator);
        assertEquals("uniform", TrainConfig.ofRun(tmp).dcgan.latent);
        java.nio.file.Files.writeString(tmp.resolve("config.json"),
                now.toJson().replace("\"generator\": \"paper\",", "").replace("\"latent\": \"uniform\",", ""));
        TrainConfig old = TrainConfig.ofRun(tmp);
        assertEquals("pytorchgan", old.dcgan.generator);
        assertEquals("normal", old.dcgan.latent);
        assertEquals("paper", old.dcgan.discriminator, "the file names the discriminator");
        // before dcgan.discriminator existed, dcgan's D was PyTorch-GAN's
        java.nio.file.Files.writeString(tmp.resolve("config.json"), now.toJson().replace("\"discriminator\": \"paper\",", ""));
        assertEquals("pytorchgan", TrainConfig.ofRun(tmp).dcgan.discriminator);
    }

    @Test
    void explicitSettingsWinOverPresets() {
        TrainConfig c = with("loss=wgan", "nCritic=2", "optD.type=adam", "optD.lr=1e-3", "clip=0.05", "dcgan.dNorm=none");
        assertEquals(2, c.nCritic);
        assertEquals("adam", c.optD.type);
        assertEquals(1e-3f, c.optD.lr);
        assertEquals(0.05f, c.clip);
        assertEquals("none", c.dcgan.dNorm);
        TrainConfig r1 = with("penalty=r1", "penaltyWeight=0.5");
        assertEquals("r1", r1.penalty);
        assertEquals(0.5f, r1.penaltyWeight);
    }

    @Test
    void jsonRoundTripsAndRejectsUnknownKeysNamingThem() {
        TrainConfig c = with("loss=hinge", "tricks.labelSmoothing=1", "tricks.replayBuffer=128");
        TrainConfig back = TrainConfig.fromJson(c.toJson());
        assertEquals(c.toJson(), back.toJson());
        UserError top = assertThrows(UserError.class, () -> TrainConfig.fromJson("{\"stepz\": 3}"));
        assertTrue(top.getMessage().contains("'stepz'") && top.getMessage().contains("steps"), top.getMessage());
        UserError nested = assertThrows(UserError.class,
                () -> TrainConfig.fromJson("{\"tricks\": {\"labelSmothing\": 0.9}}"));
        assertTrue(nested.getMessage().contains("'tricks.labelSmothing'"), nested.getMessage());
        UserError type = assertThrows(UserError.class, () -> TrainConfig.fromJson("{\"steps\": \"many\"}"));
        assertTrue(type.getMessage().contains("wrong type"), type.getMessage());
    }

    @Test
    void switchesTakeOnlyTrueOrFalse() {
        assertEquals(false, TrainConfig.fromJson("{\"fastgan\": {\"sle\": false}}").fastgan.sle);
        assertEquals(true, TrainConfig.fromJson("{\"fastgan\": {}}").fastgan.sle, "SLE is on by default");
        assertEquals(false, with("model=fastgan", "fastgan.sle=false").fastgan.sle);
        for (String bad : new String[] {"\"off\"", "\"true\"", "0"}) {
            UserError e = assertThrows(UserError.class, () -> TrainConfig.fromJson("{\"fastgan\": {\"sle\": " + bad + "}}"));
            assertTrue(e.getMessage().contains("'fastgan.sle'") && e.getMessage().contains(bad), e.getMessage());
        }
        UserError e = assertThrows(UserError.class, () -> new TrainConfig().set("fastgan.sle", "off"));
        assertTrue(e.getMessage().contains("'fastgan.sle'") && e.getMessage().contains("off"), e.getMessage());
    }

    @Test
    void setRejectsUnknownKeysAndBadValues() {
        TrainConfig c = new TrainConfig();
        UserError e = assertThrows(UserError.class, () -> c.set("optD.learningRate", "1"));
        assertTrue(e.getMessage().contains("'optD.learningRate'") && e.getMessage().contains("lr"), e.getMessage());
        e = assertThrows(UserError.class, () -> c.set("steps", "1e3x"));
        assertTrue(e.getMessage().contains("'steps'") && e.getMessage().contains("int"), e.getMessage());
        e = assertThrows(UserError.class, () -> c.set("hflip", "yes"));
        assertTrue(e.getMessage().contains("'hflip'"), e.getMessage());
    }

    @Test
    void settingTypeFollowsDottedKeys() {
        assertEquals(Float.class, TrainConfig.settingType("optD.lr"));
        assertEquals(OptimizerConfig.class, TrainConfig.settingType("optD"));
        assertEquals(Integer.class, TrainConfig.settingType("nCritic"));
        assertEquals(boolean.class, TrainConfig.settingType("tricks.featureMatchingOnly"));
        UserError e = assertThrows(UserError.class, () -> TrainConfig.settingType("tricks.smoothing"));
        assertTrue(e.getMessage().contains("'tricks.smoothing'") && e.getMessage().contains("labelSmoothing"),
                e.getMessage());
    }

    @Test
    void invalidCombinationsAreRejectedNamingTheSetting() {
        UserError e = assertThrows(UserError.class, () -> with("loss=wgan", "tricks.labelSmoothing=0.9"));
        assertTrue(e.getMessage().contains("tricks.labelSmoothing"), e.getMessage());
        e = assertThrows(UserError.class, () -> with("model=stylegan"));
        assertTrue(e.getMessage().contains("stylegan"), e.getMessage());
        e = assertThrows(UserError.class, () -> with("penalty=gp0"));
        assertTrue(e.getMessage().contains("gp0"), e.getMessage());
        e = assertThrows(UserError.class, () -> with("batch=1"));
        assertTrue(e.getMessage().contains("batch 1"), e.getMessage());
    }
}
