package dev.ganlab.models;

import com.google.gson.JsonObject;

import java.util.List;
import java.util.Set;

/**
 * One model's entry in the preset table ({@link Models}): its name, its settings section, its paper's
 * training defaults, the shared settings that do not apply to it, its resolution rules and how it is
 * built. Each model package declares its own preset in one file, with the papers cited there; adding
 * a model is that package and one registration line in {@link Models}.
 *
 * <p>Applicability: a run of this model rejects a value for another family's section (a
 * {@code fastgan.*} setting on a progan run) unless the model reads that key ({@link #reads}), and a
 * value for any key listed in {@link #inapplicable}. Widening a component to this model is removing
 * its key from that list.
 *
 * @param <S> the settings section's class
 */
public abstract class ModelPreset<S> {

    private final String name;
    private final String sectionKey;
    private final Class<S> sectionType;
    private final TrainingDefaults defaults;
    private final Set<String> inapplicable;
    private final Set<String> reads;

    /**
     * @param name the model's name ({@code model} setting)
     * @param sectionKey the key of its settings section ({@code dcgan} for sndcgan too)
     * @param sectionType that section's class
     * @param defaults the paper's training defaults
     * @param inapplicable shared settings (dotted keys or groups) that do not apply to this model
     * @param reads keys of other families' sections this model does read
     */
    protected ModelPreset(String name, String sectionKey, Class<S> sectionType, TrainingDefaults defaults,
            List<String> inapplicable, List<String> reads) {
        this.name = name;
        this.sectionKey = sectionKey;
        this.sectionType = sectionType;
        this.defaults = defaults;
        this.inapplicable = Set.copyOf(inapplicable);
        this.reads = Set.copyOf(reads);
    }

    public final String name() {
        return name;
    }

    public final String sectionKey() {
        return sectionKey;
    }

    public final Class<S> sectionType() {
        return sectionType;
    }

    public final TrainingDefaults defaults() {
        return defaults;
    }

    /** Shared settings that cannot apply to this model (dotted keys; a group covers its members). */
    public final Set<String> inapplicable() {
        return inapplicable;
    }

    /** Keys of other families' sections that this model reads. */
    public final Set<String> reads() {
        return reads;
    }

    /** Fills this model's own section from the run when the model is chosen (resolution rules). */
    public void resolve(S section, ResolveContext run) {}

    /**
     * Completes the section whatever model is chosen (a run stores every section resolved, so a
     * config read back resolves to the same values).
     */
    public void normalise(S section, ResolveContext run) {}

    /**
     * Fills what a run folder written before a setting existed lacks in this model's section, with the
     * value that run trained with ({@code stored} is the section as the run's config.json holds it).
     */
    public void completeStored(S section, JsonObject stored) {}

    /** Checks the section's values; the message names the setting at fault. */
    public abstract void validate(S section);

    /** The model for square images of {@code channels} channels and size {@code resolution}. */
    public abstract GanModel create(S section, ModelSettings run, int channels, int resolution, String dataName);

    /**
     * Sets the section so the model trains at its full size from the first step (benchmarks time the
     * steps of the finished network); most models have one size only.
     */
    public void fullSizeFromStart(S section, int resolution) {}

    /** A note on a planned run of this model (e.g. it stops before it has grown), or null. */
    public String planNote(S section, int steps, int batch, int nCritic) {
        return null;
    }
}
