package dev.ganlab.train;

import java.util.List;

/**
 * One network's optimiser: {@code adam}, {@code rmsprop} or {@code sgd} with its hyperparameters.
 * Semantics are PyTorch's (Adam with bias correction and eps outside the square root; RMSprop with
 * smoothing alpha; SGD with optional momentum, no dampening).
 */
public final class OptimizerConfig {

    public String type = "adam";
    public float lr = 2e-4f;
    public float beta1 = 0.5f;
    public float beta2 = 0.999f;
    public float eps = 1e-8f;
    /** RMSprop smoothing constant (PyTorch default 0.99). */
    public float alpha = 0.99f;
    /** SGD momentum (0 = plain SGD). */
    public float momentum = 0f;

    public OptimizerConfig() {}

    /** Adam with the given learning rate and betas (eps 1e-8). */
    public static OptimizerConfig adam(float lr, float beta1, float beta2) {
        OptimizerConfig c = new OptimizerConfig();
        c.type = "adam";
        c.lr = lr;
        c.beta1 = beta1;
        c.beta2 = beta2;
        return c;
    }

    /** The optimiser a model preset names (models cannot depend on this package, so they give a record). */
    public static OptimizerConfig of(dev.ganlab.models.TrainingDefaults.Optimizer o) {
        OptimizerConfig c = new OptimizerConfig();
        c.type = o.type();
        c.lr = o.lr();
        c.beta1 = o.beta1();
        c.beta2 = o.beta2();
        c.eps = o.eps();
        return c;
    }

    /** A copy. */
    public OptimizerConfig copy() {
        return COPIER.fromJson(COPIER.toJson(this), OptimizerConfig.class);
    }

    /** Copies through JSON, so a field added later is copied too. */
    private static final com.google.gson.Gson COPIER = new com.google.gson.GsonBuilder()
            .serializeSpecialFloatingPointValues().create();

    /** RMSprop with the given learning rate. */
    public static OptimizerConfig rmsprop(float lr) {
        OptimizerConfig c = new OptimizerConfig();
        c.type = "rmsprop";
        c.lr = lr;
        return c;
    }

    /** Checks the values; {@code key} names this optimiser in messages (optG, optD). */
    public void validate(String key) {
        if (!List.of("adam", "rmsprop", "sgd").contains(type)) {
            throw new IllegalArgumentException(key + ".type '" + type + "': use adam, rmsprop or sgd");
        }
        if (!(lr > 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException(key + ".lr " + lr + " must be a positive number");
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(key + ".beta1/beta2 " + beta1 + "/" + beta2 + " must be in [0, 1)");
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException(key + ".eps " + eps + " must be > 0");
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException(key + ".alpha " + alpha + " must be in (0, 1)");
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException(key + ".momentum " + momentum + " must be in [0, 1)");
        }
    }

    @Override
    public String toString() {
        return switch (type) {
            case "adam" -> "Adam(lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ")";
            case "rmsprop" -> "RMSprop(lr=" + lr + ", alpha=" + alpha + ", eps=" + eps + ")";
            default -> "SGD(lr=" + lr + ", momentum=" + momentum + ")";
        };
    }
}
