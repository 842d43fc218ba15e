package dev.ganlab.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import dev.ganlab.core.UserError;

import java.util.List;

/**
 * WGAN's weight clipping (Arjovsky et al., 2017, Algorithm 1): after every critic update each trained
 * weight of the discriminator is clipped to {@code [-c, c]}, a crude way to keep the critic
 * Lipschitz; c = 0.01 in the paper. Setting: {@code clip} (0 = off). Logs nothing.
 */
public final class WeightClipping implements ObjectiveTerm {

    public static final String KEY = "clip";

    private final float bound;
    private final List<Parameter> discriminatorParams;

    public WeightClipping(float bound, List<Parameter> discriminatorParams) {
        if (!(bound > 0)) {
            throw new UserError("config: " + KEY + " " + bound + " must be > 0 when clipping is on");
        }
        this.bound = bound;
        this.discriminatorParams = List.copyOf(discriminatorParams);
    }

    @Override
    public List<String> loggedKeys() {
        return List.of();
    }

    @Override
    public void afterUpdate(Player player) {
        if (player != Player.DISCRIMINATOR) {
            return;
        }
        try (NDScope scope = new NDScope()) {
            for (Parameter p : discriminatorParams) {
                NDArray w = p.getArray();
                w.subi(w.sub(w.clip(-bound, bound)));
            }
        }
    }
}
