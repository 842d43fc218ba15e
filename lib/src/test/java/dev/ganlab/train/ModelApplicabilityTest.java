package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import dev.ganlab.models.Models;
import org.junit.jupiter.api.Test;

import java.util.Map;

/** A setting the chosen model cannot use is rejected naming the key and the model, not ignored. */
class ModelApplicabilityTest {

    static TrainConfig with(String... kv) {
        return TrainConfigTest.with(kv);
    }

    static void rejected(String key, String model, String... kv) {
        UserError e = assertThrows(UserError.class, () -> with(kv));
        assertTrue(e.getMessage().contains("'" + key + "'") && e.getMessage().contains("model " + model),
                e.getMessage());
    }

    @Test
    void minibatchDiscriminationAppliesToEveryModel() {
        assertEquals(100, with("model=progan", "tricks.minibatchDiscrimination=100").tricks.minibatchDiscrimination);
        assertEquals(100, with("model=fastgan", "tricks.minibatchDiscrimination=100").mix().dMinibatchKernels());
        assertEquals(100, with("tricks.minibatchDiscrimination=100").dcgan.minibatchKernels);
        assertEquals(100, with("model=sndcgan", "tricks.minibatchDiscrimination=100").dcgan.minibatchKernels);
        assertEquals(100, with("model=gan", "tricks.minibatchDiscrimination=100").tricks.minibatchDiscrimination);
    }

    @Test
    void anotherFamilysSettingsAreRejectedNamingBothModels() {
        UserError e = assertThrows(UserError.class, () -> with("model=progan", "fastgan.sle=false"));
        assertTrue(e.getMessage().contains("'fastgan.sle'") && e.getMessage().contains("model progan")
                && e.getMessage().contains("model fastgan"), e.getMessage());
        rejected("progan.fadeInImages", "dcgan", "progan.fadeInImages=1000");
        rejected("dcgan.generator", "progan", "model=progan", "dcgan.generator=pytorchgan");
        rejected("dcgan.latentDim", "fastgan", "model=fastgan", "dcgan.latentDim=64");
        rejected("gan.gHidden", "sndcgan", "model=sndcgan", "gan.gHidden=64,64");
        rejected("dcgan.gWidth", "gan", "model=gan", "dcgan.gWidth=8");
    }

    @Test
    void aModelMayReadAKeyOfAnotherSection() {
        TrainConfig g = with("model=gan", "tricks.minibatchDiscrimination=10", "dcgan.minibatchKernelDim=3");
        assertEquals(3, g.dcgan.minibatchKernelDim);
    }

    @Test
    void sndcganTakesTheNormaliserAxisButRejectsDropout() {
        assertEquals("none", with("model=sndcgan", "dcgan.dNorm=none").dcgan.dNorm);
        rejected("dcgan.dDropout", "sndcgan", "model=sndcgan", "dcgan.dDropout=0.5");
        assertEquals("none", with("dcgan.dNorm=none").dcgan.dNorm);
        // What resolution fills in is not a user's setting: a penalised sndcgan run stays spectral (compare_gan).
        TrainConfig gp = with("model=sndcgan", "loss=wgan-gp");
        assertEquals("spectral", gp.dcgan.dNorm);
        assertEquals(gp.toJson(), TrainConfig.fromJson(gp.toJson()).resolved().toJson());
    }

    @Test
    void everyModelDeclaresItsInapplicableKeys() {
        Map<String, String> progan = ModelApplicability.inapplicable(Models.preset("progan"));
        assertEquals(java.util.Set.of("dcgan", "fastgan", "gan", "resnet19"), progan.keySet());
        Map<String, String> dcgan = ModelApplicability.inapplicable(Models.preset("dcgan"));
        assertEquals(java.util.Set.of("progan", "fastgan", "gan", "resnet19"), dcgan.keySet());
    }
}
