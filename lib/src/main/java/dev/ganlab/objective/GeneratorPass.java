package dev.ganlab.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.models.GanModel;

import java.util.function.UnaryOperator;

/**
 * What the terms see of the generator's update at step {@code step}: the last critic update's real
 * batch, the way images enter the discriminator ({@code discriminatorInput}: perturbation and
 * augmentation, drawing from the engine's generator), and, once the generator has run, the
 * discriminator's output on its images ({@link #fake}).
 */
public final class GeneratorPass {

    private final long step;
    private final GanModel model;
    private final ParameterStore ps;
    private final NDArray reals;
    private final UnaryOperator<NDArray> discriminatorInput;
    private DiscriminatorOutput fake;

    public GeneratorPass(long step, GanModel model, ParameterStore ps, NDArray reals,
            UnaryOperator<NDArray> discriminatorInput) {
        this.step = step;
        this.model = model;
        this.ps = ps;
        this.reals = reals;
        this.discriminatorInput = discriminatorInput;
    }

    public long step() {
        return step;
    }

    public GanModel model() {
        return model;
    }

    public ParameterStore ps() {
        return ps;
    }

    /** The real batch of the step's last critic update, as loaded (not perturbed). */
    public NDArray reals() {
        return reals;
    }

    /** {@code images} as the discriminator takes them (perturbed, augmented). */
    public NDArray discriminatorInput(NDArray images) {
        return discriminatorInput.apply(images);
    }

    /** The discriminator's output on the generator's images (set by the trainer before the loss). */
    public DiscriminatorOutput fake() {
        return fake;
    }

    public void setFake(DiscriminatorOutput fake) {
        this.fake = fake;
    }
}
