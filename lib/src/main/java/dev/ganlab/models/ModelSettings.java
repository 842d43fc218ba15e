package dev.ganlab.models;

/**
 * What a model is built from, as the training config provides it: the model's name, the settings
 * sections of the model families ({@code dcgan}, {@code progan}, ...) and the model-wide tricks a
 * discriminator takes. {@code models} defines this view and {@code train.TrainConfig} implements it,
 * so the models never depend on the training package.
 */
public interface ModelSettings {

    /** The model's name (a {@link Models} registration). */
    String modelName();

    /** The settings section stored under {@code key} ("dcgan", "progan", ...). */
    Object section(String key);

    /** The settings section of {@code preset}'s model family, typed. */
    default <S> S sectionOf(ModelPreset<S> preset) {
        return preset.sectionType().cast(section(preset.sectionKey()));
    }

    /** Minibatch-discrimination kernels in D (0 = off; {@code tricks.minibatchDiscrimination}). */
    int minibatchDiscrimination();

    /** Class conditioning: none, concat, acgan or projection ({@link Conditioning}; issue 14). */
    default String cond() {
        return "none";
    }

    /** Classes of a conditional model; 0 = the data set's, counted from {@link #dataSpec()}. */
    default int condClasses() {
        return 0;
    }

    /** Records the class count a conditional model is built for, so that the run's saved config rebuilds it. */
    default void recordCondClasses(int k) {}

    /** Whether training batches draw every class equally often. */
    default boolean classBalanced() {
        return false;
    }

    /** The training data's spec (data/README.md). */
    default String dataSpec() {
        return null;
    }

    /** The components of other families the run asks for ({@code mix.*}, minibatch discrimination; see {@link Mix}). */
    Mix mix();
}
