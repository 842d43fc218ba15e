package dev.ganlab.models;

import java.util.Locale;
import java.util.Set;

/**
 * A model's paper defaults for training: what a run of that model uses for every setting left unset.
 * Built fluently in the model's preset ({@code TrainingDefaults.paper("...").loss("hinge").batch(8)}),
 * starting from the values most GANs share (non-saturating loss, DCGAN's Adam, batch 64, EMA 0.999,
 * no DiffAugment, fixed hinge margin, no drift). The training config applies them; the loss's own
 * paper values (WGAN's RMSprop and five critic steps, WGAN-GP's Adam) win where the model does not
 * claim the loss ({@link #ownLosses}).
 */
public final class TrainingDefaults {

    /**
     * One optimiser's defaults (PyTorch semantics).
     *
     * @param type adam, rmsprop or sgd
     * @param lr learning rate
     * @param beta1 Adam beta1
     * @param beta2 Adam beta2
     * @param eps Adam/RMSprop epsilon
     * @param weightDecay L2 weight decay added to the gradients (coupled, as PyTorch's {@code weight_decay})
     */
    public record Optimizer(String type, float lr, float beta1, float beta2, float eps, float weightDecay) {
        /** Adam with PyTorch's eps 1e-8, no weight decay. */
        public static Optimizer adam(double lr, double beta1, double beta2) {
            return new Optimizer("adam", (float) lr, (float) beta1, (float) beta2, 1e-8f, 0f);
        }

        /** This optimiser with another eps. */
        public Optimizer eps(double e) {
            return new Optimizer(type, lr, beta1, beta2, (float) e, weightDecay);
        }

        /** This optimiser with L2 weight decay {@code wd} on every parameter's gradient. */
        public Optimizer weightDecay(double wd) {
            return new Optimizer(type, lr, beta1, beta2, eps, (float) wd);
        }
    }

    /**
     * DCGAN's Adam (Radford et al., ICLR 2016, sec. 4): lr 2e-4, beta1 0.5 (beta2 PyTorch's 0.999). The
     * models that took DCGAN's optimiser (SNDCGAN, FastGAN, the MLP GAN's PyTorch-GAN recipe) use it
     * without weight decay; the {@code dcgan} preset adds the DCGAN code's L2 (DcganPreset).
     */
    public static final Optimizer DCGAN_ADAM = Optimizer.adam(2e-4, 0.5, 0.999);
    /** Generator EMA decay (Karras et al., ProGAN 2018: 0.999), GAN Lab's default for every model. */
    public static final float EMA_DECAY = 0.999f;

    private final String paper;
    private String loss = "ns";
    private Integer nCritic;
    private Optimizer optimizer = DCGAN_ADAM;
    private Set<String> ownLosses = Set.of();
    private int batch = 64;
    private float emaDecay = EMA_DECAY;
    private String augment = "";
    private String hingeMargin = "fixed";
    private String generatorFakes = "fresh";
    private float drift;
    private int channels = 3;

    private TrainingDefaults(String paper) {
        this.paper = paper;
    }

    /** Defaults taken from {@code paper} (cited in the run's documentation), starting from the shared ones. */
    public static TrainingDefaults paper(String paper) {
        return new TrainingDefaults(paper);
    }

    /** The adversarial loss (minimax, ns, wgan, wgan-gp, lsgan, hinge); the penalty follows from it. */
    public TrainingDefaults loss(String l) {
        this.loss = l.toLowerCase(Locale.ROOT);
        return this;
    }

    /** Discriminator updates per generator update under every loss (unset: the loss's paper value). */
    public TrainingDefaults nCritic(int n) {
        this.nCritic = n;
        return this;
    }

    /** The optimiser of both networks. */
    public TrainingDefaults optimizer(Optimizer o) {
        this.optimizer = o;
        return this;
    }

    /** Losses the model's paper trained with: there the model's optimiser wins over the loss paper's. */
    public TrainingDefaults ownLosses(String... losses) {
        this.ownLosses = Set.of(losses);
        return this;
    }

    public TrainingDefaults batch(int b) {
        this.batch = b;
        return this;
    }

    public TrainingDefaults emaDecay(double d) {
        this.emaDecay = (float) d;
        return this;
    }

    /** DiffAugment policy on the discriminator's inputs ("" = none). */
    public TrainingDefaults augment(String policy) {
        this.augment = policy;
        return this;
    }

    /** Hinge margin: fixed (1) or random (U(0.8, 1) per score, FastGAN). */
    public TrainingDefaults hingeMargin(String m) {
        this.hingeMargin = m;
        return this;
    }

    /**
     * Which images the generator's update scores: "fresh" (new latents, a second forward; DCGAN as GAN Lab
     * trains it, ProGAN's and StyleGAN's official code) or "reuse" (the last critic update's images, as
     * FastGAN's official train.py and PyTorch's DCGAN example). See {@code TrainConfig#generatorFakes}.
     */
    public TrainingDefaults generatorFakes(String g) {
        this.generatorFakes = g;
        return this;
    }

    /** Weight of the drift term E[D(x)^2] under a Wasserstein loss (ProGAN: 0.001). */
    public TrainingDefaults drift(double w) {
        this.drift = (float) w;
        return this;
    }

    /** Image channels of the data GAN Lab trains the model on by default (benchmarks use it). */
    public TrainingDefaults channels(int c) {
        this.channels = c;
        return this;
    }

    public String paper() {
        return paper;
    }

    public String loss() {
        return loss;
    }

    /** The model's critic steps, or null for the loss's. */
    public Integer nCritic() {
        return nCritic;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public boolean ownsLoss(String l) {
        return ownLosses.contains(l);
    }

    public int batch() {
        return batch;
    }

    public float emaDecay() {
        return emaDecay;
    }

    public String augment() {
        return augment;
    }

    public String hingeMargin() {
        return hingeMargin;
    }

    public String generatorFakes() {
        return generatorFakes;
    }

    public float drift() {
        return drift;
    }

    public int channels() {
        return channels;
    }
}
