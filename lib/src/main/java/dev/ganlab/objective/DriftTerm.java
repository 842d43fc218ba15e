package dev.ganlab.objective;

import ai.djl.ndarray.NDArray;
import dev.ganlab.core.UserError;

import java.util.List;
import java.util.Map;

/**
 * ProGAN's drift term (Karras et al., 2018, sec. A.1): {@code + epsilon E[D(x)^2]} on real scores
 * keeps a WGAN critic's output from drifting far from 0; epsilon = 0.001 there. Setting:
 * {@code drift} (0 = off). Logs {@code drift} (weight included).
 */
public final class DriftTerm implements ObjectiveTerm {

    public static final String KEY = "drift";

    private final float weight;

    public DriftTerm(float weight) {
        if (!(weight >= 0)) {
            throw new UserError("config: " + KEY + " " + weight + " must be >= 0");
        }
        this.weight = weight;
    }

    @Override
    public List<String> loggedKeys() {
        return List.of("drift");
    }

    @Override
    public NDArray criticLoss(CriticPass pass, Map<String, Float> log) {
        NDArray drift = pass.real().logits().square().mean().mul(weight);
        GanObjective.log(log, "drift", drift);
        return drift;
    }
}
