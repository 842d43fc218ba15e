package dev.ganlab.models;

/**
 * A model that generates images of a requested class. Its latent is the noise z followed by K class
 * weights (a one-hot row; mixtures interpolate between classes), so latent-space tools and samplers work
 * on it unchanged, and {@link #withClass} picks the class of a latent.
 *
 * <p>The training hook: at each step the trainer passes the real batch's labels to
 * {@link #setBatchLabels}; the next latents of that batch size then carry those classes (the fakes of a
 * step share the reals' labels, so penalties on interpolates between them have one class too), and the
 * discriminator scores every batch of that size, or twice it (real and fake scored together), with them.
 * Latents of other sizes (sample grids, evaluation) get uniformly random classes.
 */
public interface ClassConditional {

    /** K, the number of classes. */
    int classCount();

    /** The length of the noise part of a latent (the class weights follow it). */
    int noiseDim();

    /** How the class enters the networks. */
    Conditioning conditioning();

    /** The labels of the current real batch (each in 0..K-1). */
    void setBatchLabels(int[] labels);

    /** A copy of {@code latent} whose class weights are the one-hot of {@code label}. */
    default float[] withClass(float[] latent, int label) {
        dev.ganlab.data.ClassLabels.checkLabel(label, classCount(), "class-conditional latent");
        float[] out = latent.clone();
        for (int k = 0; k < classCount(); k++) {
            out[noiseDim() + k] = k == label ? 1f : 0f;
        }
        return out;
    }
}
