package dev.ganlab.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.models.GanModel;

/**
 * What the terms see of one critic update: update {@code update} (0-based) of step {@code step}, the
 * discriminator's inputs (perturbed and augmented) and its outputs on them, computed inside the
 * update's gradient collector.
 *
 * @param realInput real images as the discriminator saw them {@code (N, C, H, W)}
 * @param fakeInputs the generated views as the discriminator saw them, main image first
 * @param real the discriminator's output on {@code realInput}
 * @param fake its output on {@code fakeInputs}
 */
public record CriticPass(long step, int update, GanModel model, ParameterStore ps, NDArray realInput,
        NDList fakeInputs, DiscriminatorOutput real, DiscriminatorOutput fake) {

    /** The main generated image batch as the discriminator saw it. */
    public NDArray fakeInput() {
        return fakeInputs.get(0);
    }
}
