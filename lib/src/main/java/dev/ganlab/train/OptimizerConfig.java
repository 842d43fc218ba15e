package dev.ganlab.train;

import java.util.List;

/**
 * One network's optimiser: {@code adam}, {@code rmsprop} or {@code sgd} with its hyperparameters.
 * Semantics are PyTorch's (Adam with bias correction and eps outside the square root; RMSprop with
 * smoothing alpha; SGD with optional momentum, no dampening).
 *
 * <p>A value left unset (null) is the run's default optimiser's: {@code --set optD.lr=1e-4}, a sweep
 * axis {@code optD.lr} or a config file's {@code "optD": {"lr": 1e-4}} change that one value of the
 * optimiser the model and loss call for (WGAN's RMSprop, ProGAN's Adam with betas (0, 0.99), ...);
 * {@link TrainConfig#resolved()} completes the setting ({@link #over}). A resolved config stores every
 * value, so a run resumes with what it trained with.
 */
public final class OptimizerConfig {

    public String type;
    public Float lr;
    public Float beta1;
    public Float beta2;
    public Float eps;
    /** RMSprop smoothing constant (PyTorch default 0.99). */
    public Float alpha;
    /** SGD momentum (0 = plain SGD). */
    public Float momentum;
    /**
     * L2 weight decay, coupled: {@code weightDecay * w} is added to each parameter's gradient before the
     * update, for every parameter (PyTorch's {@code weight_decay} for all three types; the DCGAN code's
     * {@code Regularizer(l2=...)}, which its Adam applies the same way). 0 = off.
     */
    public Float weightDecay;

    /** Every value unset: a partial setting, completed from the run's default optimiser when it resolves. */
    public OptimizerConfig() {}

    /** A complete optimiser of {@code type} at {@code lr}; the values it does not use as earlier configs stored them. */
    private static OptimizerConfig complete(String type, float lr) {
        OptimizerConfig c = new OptimizerConfig();
        c.type = type;
        c.lr = lr;
        c.beta1 = 0.5f;
        c.beta2 = 0.999f;
        c.eps = 1e-8f;
        c.alpha = 0.99f;
        c.momentum = 0f;
        c.weightDecay = 0f;
        return c;
    }

    /** Adam with the given learning rate and betas (eps 1e-8). */
    public static OptimizerConfig adam(float lr, float beta1, float beta2) {
        OptimizerConfig c = complete("adam", lr);
        c.beta1 = beta1;
        c.beta2 = beta2;
        return c;
    }

    /** RMSprop with the given learning rate (alpha 0.99, eps 1e-8: PyTorch's). */
    public static OptimizerConfig rmsprop(float lr) {
        return complete("rmsprop", lr);
    }

    /** SGD with the given learning rate and momentum (0 = plain SGD). */
    public static OptimizerConfig sgd(float lr, float momentum) {
        OptimizerConfig c = complete("sgd", lr);
        c.momentum = momentum;
        return c;
    }

    /** The optimiser a model preset names (models cannot depend on this package, so they give a record). */
    public static OptimizerConfig of(dev.ganlab.models.TrainingDefaults.Optimizer o) {
        OptimizerConfig c = complete(o.type(), o.lr());
        c.beta1 = o.beta1();
        c.beta2 = o.beta2();
        c.eps = o.eps();
        c.weightDecay = o.weightDecay();
        return c;
    }

    /**
     * A group written before {@link #weightDecay} existed names every other value (a stored run's
     * config.json, a recipe or config file copied from one): it is a complete optimiser without weight
     * decay, as it trained, not a partial setting that would take the model's decay.
     */
    void completeLegacyGroup() {
        if (weightDecay == null && type != null && lr != null && beta1 != null && beta2 != null && eps != null
                && alpha != null && momentum != null) {
            weightDecay = 0f;
        }
    }

    /** Whether every value is set. */
    public boolean isComplete() {
        return type != null && lr != null && beta1 != null && beta2 != null && eps != null && alpha != null
                && momentum != null && weightDecay != null;
    }

    /** A new optimiser: this one's set values, and {@code defaults}' where this one has none. */
    public OptimizerConfig over(OptimizerConfig defaults) {
        OptimizerConfig c = defaults.copy();
        c.type = type != null ? type : c.type;
        c.lr = lr != null ? lr : c.lr;
        c.beta1 = beta1 != null ? beta1 : c.beta1;
        c.beta2 = beta2 != null ? beta2 : c.beta2;
        c.eps = eps != null ? eps : c.eps;
        c.alpha = alpha != null ? alpha : c.alpha;
        c.momentum = momentum != null ? momentum : c.momentum;
        c.weightDecay = weightDecay != null ? weightDecay : c.weightDecay;
        return c;
    }

    /** A copy. */
    public OptimizerConfig copy() {
        return COPIER.fromJson(COPIER.toJson(this), OptimizerConfig.class);
    }

    /** Copies through JSON, so a field added later is copied too. */
    private static final com.google.gson.Gson COPIER = new com.google.gson.GsonBuilder()
            .serializeSpecialFloatingPointValues().create();

    /** Checks the values; {@code key} names this optimiser in messages (optG, optD). */
    public void validate(String key) {
        if (!isComplete()) {
            throw new IllegalArgumentException(key + " " + new com.google.gson.Gson().toJson(this)
                    + " leaves values unset: a partial optimiser is completed when its run's config resolves"
                    + " (TrainConfig.resolved()); a GanOptimizer needs every value");
        }
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
        if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
            throw new IllegalArgumentException(key + ".weightDecay " + weightDecay + " must be a finite number >= 0");
        }
    }

    @Override
    public String toString() {
        if (!isComplete()) {
            return "partial optimiser " + new com.google.gson.Gson().toJson(this) + " (completed when its run's config resolves)";
        }
        String decay = weightDecay != null && weightDecay > 0 ? ", weight_decay=" + weightDecay : "";
        return switch (type) {
            case "adam" -> "Adam(lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + decay + ")";
            case "rmsprop" -> "RMSprop(lr=" + lr + ", alpha=" + alpha + ", eps=" + eps + decay + ")";
            default -> "SGD(lr=" + lr + ", momentum=" + momentum + decay + ")";
        };
    }
}
