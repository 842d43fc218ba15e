package dev.ganlab.objective;

import ai.djl.ndarray.NDArray;
import dev.ganlab.core.UserError;

import java.util.List;
import java.util.Map;

/**
 * Feature matching (Salimans et al., 2016, sec. 3.1): the generator also minimises
 * {@code ||E f(x) - E f(G(z))||^2} over the discriminator's last hidden features f, weighted by
 * {@code tricks.featureMatching}; with {@code tricks.featureMatchingOnly} it replaces the adversarial
 * generator loss, the paper's form (see {@link AdversarialTerm}). The real features are measured on
 * the step's last real batch, fed to the discriminator as in its own update (perturbed, augmented:
 * these draws come from the generator pass's stream), before the discriminator is frozen, and are
 * constants for the generator. Logs {@code feature_matching} (unweighted).
 */
public final class FeatureMatching implements ObjectiveTerm {

    public static final String KEY = "tricks.featureMatching";

    private final float weight;
    private NDArray realFeatures;

    public FeatureMatching(float weight) {
        if (!(weight > 0)) {
            throw new UserError("config: " + KEY + " " + weight + " must be > 0 when feature matching is on");
        }
        this.weight = weight;
    }

    /** Checks {@code tricks.featureMatchingOnly} against the weight; a UserError names the key. */
    public static void checkOnly(float weight, boolean only) {
        if (only && !(weight > 0)) {
            throw new UserError("config: tricks.featureMatchingOnly needs " + KEY + " > 0");
        }
    }

    @Override
    public List<String> loggedKeys() {
        return List.of("feature_matching");
    }

    @Override
    public void beforeGeneratorPass(GeneratorPass pass) {
        NDArray f = pass.model().discriminate(pass.ps(), pass.discriminatorInput(pass.reals()), true, true).features();
        if (f == null) {
            throw new UserError(KEY + " needs a discriminator that returns features; " + pass.model().name()
                    + " does not");
        }
        realFeatures = f.mean(new int[] {0}).stopGradient();
    }

    @Override
    public NDArray generatorLoss(GeneratorPass pass, Map<String, Float> log) {
        NDArray fm = pass.fake().features().mean(new int[] {0}).sub(realFeatures).square().sum();
        GanObjective.log(log, "feature_matching", fm);
        realFeatures = null;
        return fm.mul(weight);
    }
}
