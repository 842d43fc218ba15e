package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.util.ArrayList;
import java.util.List;

/**
 * Exponential moving average of the generator's weights (Karras et al., ProGAN 2018; Yazici et al.,
 * 2019): samples from the averaged generator are smoother and usually score better than the
 * oscillating raw weights.
 *
 * <p>theta_ema = beta_t theta_ema + (1 - beta_t) theta with beta_t = min(beta, (1 + t) / (10 + t)):
 * the warm-up (as TensorFlow's ExponentialMovingAverage with num_updates) keeps a short run's average
 * from being dominated by the random initial weights (0.999^600 = 0.55). Non-trained parameters
 * (batch-norm running statistics, spectral-norm vectors) are copied.
 */
public final class Ema {

    private final float decay;
    private final List<NDArray> target = new ArrayList<>();
    private final List<NDArray> source = new ArrayList<>();
    private final List<Boolean> trained = new ArrayList<>();

    /** Pairs the parameters of {@code ema} with those of {@code g} (same architecture, both initialised). */
    public Ema(Block g, Block ema, float decay) {
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay " + decay + " must be in (0, 1)");
        }
        this.decay = decay;
        var gp = g.getParameters();
        var ep = ema.getParameters();
        if (gp.size() != ep.size()) {
            throw new IllegalArgumentException("EMA generator has " + ep.size() + " parameters, generator " + gp.size());
        }
        for (int i = 0; i < gp.size(); i++) {
            Pair<String, Parameter> a = gp.get(i);
            Pair<String, Parameter> b = ep.get(i);
            if (!a.getKey().equals(b.getKey()) || !a.getValue().getArray().getShape().equals(b.getValue().getArray().getShape())) {
                throw new IllegalArgumentException("EMA generator parameter " + b.getKey() + " does not match " + a.getKey());
            }
            source.add(a.getValue().getArray());
            target.add(b.getValue().getArray());
            trained.add(a.getValue().requiresGradient());
        }
    }

    /** Makes the average equal to the current weights. */
    public void copyFromSource() {
        try (NDScope scope = new NDScope()) {
            for (int i = 0; i < target.size(); i++) {
                target.get(i).muli(0).addi(source.get(i));
            }
        }
    }

    /** The decay used at update number {@code t} (0-based), after the warm-up. */
    public float decayAt(long t) {
        return Math.min(decay, (1f + t) / (10f + t));
    }

    /** One averaging step; {@code t} is the number of updates made before this one. */
    public void update(long t) {
        float b = decayAt(t);
        try (NDScope scope = new NDScope()) {
            for (int i = 0; i < target.size(); i++) {
                NDArray e = target.get(i);
                if (trained.get(i)) {
                    e.muli(b).addi(source.get(i).mul(1f - b));
                } else {
                    e.muli(0).addi(source.get(i));
                }
            }
        }
    }
}
