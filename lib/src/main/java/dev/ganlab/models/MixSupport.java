package dev.ganlab.models;

import dev.ganlab.core.UserError;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which model takes which mixed-in component: a small declaration per setting ({@link #APPLIES}) and
 * the reason a model does not take one ({@link #WHY_NOT}), checked by {@link #check} so that a setting
 * that cannot apply is an error naming the key and the model, never ignored. Settings not listed here
 * apply to every model: {@code augment} (DiffAugment transforms D's image inputs, whatever D is),
 * {@code loss} and {@code penalty} (the objective sees only D's scores and their input gradients).
 */
public final class MixSupport {

    private MixSupport() {}

    /** Every model. */
    public static final Set<String> ALL = Set.of("dcgan", "sndcgan", "progan", "fastgan", "gan");

    /** Per setting key, the models it applies to. */
    public static final Map<String, Set<String>> APPLIES = Map.of(
            "mix.dSpectralNorm", ALL,
            "mix.dMbstd", Set.of("dcgan", "sndcgan", "fastgan", "gan"),
            "mix.gSle", Set.of("dcgan", "sndcgan", "progan"),
            "tricks.minibatchDiscrimination", ALL);

    /** Per setting key and model it does not apply to, why (and what to set instead). */
    public static final Map<String, Map<String, String>> WHY_NOT = Map.of(
            "mix.dMbstd", Map.of("progan", "ProGAN's discriminator has minibatch stddev already; set progan.mbstdGroupSize"),
            "mix.gSle", Map.of(
                    "fastgan", "FastGAN's generator has skip-layer excitation already; set fastgan.sle",
                    "gan", "the fully connected generator has no feature maps for SLE to gate"));

    /** The keys of {@link #APPLIES} whose settings are on in these values. */
    static List<String> keysInUse(MixConfig mix, int minibatchDiscrimination) {
        List<String> on = new java.util.ArrayList<>();
        if (mix.dSpectralNorm) {
            on.add("mix.dSpectralNorm");
        }
        if (mix.dMbstd >= 2) {
            on.add("mix.dMbstd");
        }
        if (mix.gSle) {
            on.add("mix.gSle");
        }
        if (minibatchDiscrimination > 0) {
            on.add("tricks.minibatchDiscrimination");
        }
        return on;
    }

    /**
     * Rejects a mixed-in component the model cannot take, naming the key and the model.
     *
     * @param model the model's name
     * @param mix the {@code mix.*} settings
     * @param minibatchDiscrimination {@code tricks.minibatchDiscrimination}
     * @param dcganDNorm {@code dcgan.dNorm} as resolved (batch norm scores reals and fakes in one batch)
     * @param batch the batch size, null when the model chooses it per stage
     * @throws UserError naming the key and the model
     */
    public static void check(String model, MixConfig mix, int minibatchDiscrimination, String dcganDNorm, Integer batch) {
        if (mix.dMbstd < 0) {
            throw new UserError("config: mix.dMbstd " + mix.dMbstd + " must be >= 0 (below 2 = off)");
        }
        for (String key : keysInUse(mix, minibatchDiscrimination)) {
            if (!APPLIES.get(key).contains(model)) {
                String why = WHY_NOT.getOrDefault(key, Map.of()).getOrDefault(model, "not implemented for it");
                throw new UserError("config: " + key + " does not apply to model " + model + ": " + why);
            }
        }
        boolean jointBatch = model.equals("dcgan") && (dcganDNorm.equals("batch") || dcganDNorm.equals("auto"));
        if (mix.dMbstd >= 2 && jointBatch) {
            throw new UserError("config: mix.dMbstd does not apply to model dcgan with dcgan.dNorm=batch: batch norm"
                    + " makes it score reals and fakes in one batch, so mbstd groups would mix them; set dcgan.dNorm"
                    + " to layer, spectral or none (a gradient penalty picks layer by itself)");
        }
        if (mix.dMbstd >= 2 && batch != null && batch > mix.dMbstd && batch % mix.dMbstd != 0) {
            throw new UserError("config: mix.dMbstd " + mix.dMbstd + " on model " + model + ": batch " + batch
                    + " is neither a multiple of nor smaller than the group size");
        }
    }
}
