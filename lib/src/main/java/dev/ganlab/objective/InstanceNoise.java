package dev.ganlab.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.ganlab.core.UserError;

import java.util.List;

/**
 * Instance noise (Sonderby et al., 2017, "Amortised MAP Inference for Image Super-resolution",
 * sec. 3.2; Arjovsky and Bottou, 2017): Gaussian noise added to every image the discriminator sees,
 * real or generated, so the two distributions overlap and D's gradients stay informative; its std
 * anneals linearly from {@code tricks.instanceNoise} to 0 over {@code tricks.instanceNoiseSteps}
 * steps. The noise comes from the stream of the pass it perturbs (the critic update's or the
 * generator's, seeded per step), so a resumed run draws it again. Logs nothing.
 */
public final class InstanceNoise implements ObjectiveTerm {

    public static final String KEY = "tricks.instanceNoise";

    private final float sigma;
    private final int steps;

    public InstanceNoise(float sigma, int steps) {
        if (!(sigma >= 0)) {
            throw new UserError("config: " + KEY + " " + sigma + " must be >= 0");
        }
        if (steps < 1) {
            throw new UserError("config: tricks.instanceNoiseSteps must be >= 1");
        }
        this.sigma = sigma;
        this.steps = steps;
    }

    /** The noise's std at step {@code t}. */
    public float sigmaAt(long t) {
        return sigma * Math.max(0f, 1f - (float) t / steps);
    }

    @Override
    public List<String> loggedKeys() {
        return List.of();
    }

    @Override
    public NDArray perturbInput(NDArray x, long t) {
        float s = sigmaAt(t);
        if (s <= 0) {
            return x;
        }
        return x.add(x.getManager().randomNormal(0f, s, x.getShape(), DataType.FLOAT32, x.getDevice()));
    }
}
