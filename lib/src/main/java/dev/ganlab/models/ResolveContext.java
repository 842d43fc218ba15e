package dev.ganlab.models;

/**
 * The run-wide settings a model's resolution rules read or fill (see {@link ModelPreset#resolve}).
 */
public final class ResolveContext {

    /** The chosen model. */
    public final String model;
    /** Square training resolution; null = the data's own. A preset may fill or read it. */
    public Integer resolution;
    /** Whether a gradient penalty is in force (a per-sample penalty rules out batch norm in D). */
    public final boolean gradientPenalty;
    /** Minibatch-discrimination kernels asked for ({@code tricks.minibatchDiscrimination}). */
    public final int minibatchDiscrimination;

    public ResolveContext(String model, Integer resolution, boolean gradientPenalty, int minibatchDiscrimination) {
        this.model = model;
        this.resolution = resolution;
        this.gradientPenalty = gradientPenalty;
        this.minibatchDiscrimination = minibatchDiscrimination;
    }
}
