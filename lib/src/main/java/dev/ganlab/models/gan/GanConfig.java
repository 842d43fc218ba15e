package dev.ganlab.models.gan;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the original, fully connected GAN ({@code --model gan}): Goodfellow et al., "Generative
 * Adversarial Nets", NeurIPS 2014, in the layout every tutorial starts from, PyTorch-GAN's
 * {@code implementations/gan/gan.py} (eriklindernoren/PyTorch-GAN). All defaults in one table below.
 *
 * <p><b>Which GAN is the default.</b> The paper gives the game (a generator and a discriminator, both
 * multilayer perceptrons), not one fixed pair of networks; its MNIST code (goodfeli/adversarial, pylearn2)
 * used a maxout discriminator with dropout, a ReLU/sigmoid generator and momentum SGD. What the issue
 * and every tutorial call "the GAN" is PyTorch-GAN's MLP, and that is the default here:
 * <ul>
 *   <li>G: {@code z (N, 100)} -> Linear 128 -> LeakyReLU 0.2 -> [Linear, BatchNorm, LeakyReLU 0.2] for
 *       256, 512, 1024 -> Linear {@code C*H*W} -> tanh -> {@code (N, C, H, W)}.
 *   <li>D: flatten -> Linear 512 -> LeakyReLU 0.2 -> Linear 256 -> LeakyReLU 0.2 (the features) ->
 *       Linear 1 (a logit; PyTorch-GAN's sigmoid + BCELoss is the {@code ns} loss on logits).
 *   <li>Adam lr 2e-4, betas (0.5, 0.999), batch 64, non-saturating loss: the training loop's DCGAN
 *       presets, which are the same numbers ({@link #LEARNING_RATE}, {@link #BETA1}, {@link #BETA2},
 *       {@link #BATCH_SIZE} record them for this model; a test holds the two equal).
 * </ul>
 * PyTorch-GAN quirks kept as defaults, each a named option: batch norm with {@code eps = 0.8}
 * ({@code BatchNorm1d(out, 0.8)} passes 0.8 as eps, not momentum; with activations of variance well
 * below 0.8 it mostly centres them rather than scaling them to unit variance; {@link #bnEps}), and
 * PyTorch's default initialisation (gan.py applies none of its own; {@link #init}). The training loop
 * keeps a generator EMA (decay 0.999) and scores it, for this model as for DCGAN; gan.py keeps none
 * ({@code --set emaDecay=0} to match it). On Fashion-MNIST after 2,000 steps the EMA generator scored
 * FID 128.7 and the raw one 147.5 (project features, 2,000 fakes against the 10,000 test images).
 *
 * <p><b>The paper's networks</b> are options: {@link #goodfellow2014()} sets them (Goodfellow et al.'s
 * mnist.yaml in goodfeli/adversarial): G 100 -> ReLU 1200 -> ReLU 1200 -> 784, no batch norm; D with two
 * maxout layers of 240 units x 5 pieces, dropout 0.2 on its input and 0.5 on the inputs of its later
 * layers. That code trained both with SGD, lr 0.1, momentum 0.5 (raised to 0.7 over 250 epochs), batch
 * 100; on the command line:
 * <pre>  --set gan.gHidden=1200,1200 --set gan.gNorm=none --set gan.gActivation=relu
 *   --set gan.dHidden=240,240 --set gan.dActivation=maxout --set gan.dInputDropout=0.2 --set gan.dDropout=0.5
 *   --set gan.init=pylearn2 --set optG.type=sgd --set optG.lr=0.1 --set optG.momentum=0.5
 *   --set optD.type=sgd --set optD.lr=0.1 --set optD.momentum=0.5 --batch 100</pre>
 * Where this stays apart from that code: the output is tanh on data in [-1, 1] instead of a sigmoid on
 * [0, 1] (the same map, {@code tanh(a) = 2 sigmoid(2a) - 1}); the output bias starts at 0 (pylearn2 set
 * it from the data's pixel marginals); no momentum ramp and no per-step learning-rate
 * decay (x 1/1.000004); the loss is the training loop's (by default {@code ns}: G maximises
 * log D(G(z)), which the paper recommends in practice, sec. 3). Measured on Fashion-MNIST (not tuned,
 * not a reproduction of the paper's MNIST results): with this recipe at lr 0.1 the discriminator's scores
 * grew without bound and the run stopped at step 276 (g_loss infinite); at lr 0.01 it ran 600 steps but
 * collapsed to one trouser-like image (FID 225.6 against 128.0 for the default model after 2,000 steps).
 */
public final class GanConfig {

    // ---- Defaults: PyTorch-GAN implementations/gan/gan.py, unless said ----

    /** gan.py: latent_dim 100, z ~ N(0, I). */
    public static final int LATENT_DIM = 100;
    /** gan.py: generator hidden widths 128, 256, 512, 1024 (batch norm on all but the first). */
    public static final String G_HIDDEN = "128,256,512,1024";
    /** gan.py: discriminator hidden widths 512, 256. */
    public static final String D_HIDDEN = "512,256";
    /** gan.py: LeakyReLU(0.2) after every hidden layer of both networks. */
    public static final float LEAKY_SLOPE = 0.2f;
    /** gan.py: {@code nn.BatchNorm1d(out_feat, 0.8)}: eps 0.8 (PyTorch's own default is 1e-5). */
    public static final float BN_EPS = 0.8f;
    /** gan.py: Adam lr 0.0002. */
    public static final float LEARNING_RATE = 2e-4f;
    /** gan.py: Adam b1 0.5, b2 0.999. */
    public static final float BETA1 = 0.5f;
    public static final float BETA2 = 0.999f;
    /** gan.py: batch_size 64. */
    public static final int BATCH_SIZE = 64;
    /** Goodfellow et al. 2014, mnist.yaml: generator hidden layers 1200, 1200 (ReLU, no batch norm). */
    public static final String PAPER_G_HIDDEN = "1200,1200";
    /** Goodfellow et al. 2014, mnist.yaml: discriminator maxout layers of 240 units. */
    public static final String PAPER_D_HIDDEN = "240,240";
    /** Goodfellow et al. 2014, mnist.yaml: 5 pieces per maxout unit (Goodfellow et al. 2013, "Maxout Networks"). */
    public static final int MAXOUT_PIECES = 5;
    /** Goodfellow et al. 2014, mnist.yaml: discriminator input include probability 0.8, i.e. dropout 0.2. */
    public static final float PAPER_D_INPUT_DROPOUT = 0.2f;
    /** Goodfellow et al. 2014, mnist.yaml: default include probability 0.5 on the hidden layers' inputs. */
    public static final float PAPER_D_DROPOUT = 0.5f;

    /** Goodfellow et al. 2014, mnist.yaml: generator weights U(-irange, irange) with irange 0.05. */
    public static final double PAPER_G_INIT_RANGE = 0.05;
    /** Goodfellow et al. 2014, mnist.yaml: discriminator weights U(-irange, irange) with irange 0.005. */
    public static final double PAPER_D_INIT_RANGE = 0.005;

    /** Largest image side accepted: the output layer has {@code 1024 * C * side^2} weights. */
    public static final int MAX_RESOLUTION = 128;

    /** Latent dimension. */
    public int latentDim = LATENT_DIM;
    /** Generator hidden widths, comma-separated; batch norm follows every one but the first. */
    public String gHidden = G_HIDDEN;
    /** Discriminator hidden widths, comma-separated; the last one gives the features. */
    public String dHidden = D_HIDDEN;
    public float leakySlope = LEAKY_SLOPE;
    /** Batch-norm eps in the generator: 0.8 as gan.py, 1e-5 for PyTorch's (and DCGAN's) usual batch norm. */
    public float bnEps = BN_EPS;
    /** Normalisation of the generator's hidden layers 2..: "batch" (gan.py) or "none". */
    public String gNorm = "batch";
    /** Generator hidden activation: "leakyrelu" (gan.py, slope {@link #leakySlope}) or "relu" (the paper's code). */
    public String gActivation = "leakyrelu";
    /**
     * Discriminator hidden layers: "leakyrelu" (gan.py: linear + LeakyReLU) or "maxout" (the paper's code:
     * a linear layer to {@code width * maxoutPieces} values, then the maximum of each unit's pieces).
     */
    public String dActivation = "leakyrelu";
    /** Pieces per maxout unit (with {@code dActivation = maxout}). */
    public int maxoutPieces = MAXOUT_PIECES;
    /** Dropout on the discriminator's input images (0 = none, gan.py; the paper's code: 0.2). */
    public float dInputDropout = 0f;
    /** Dropout on the input of each later discriminator layer (0 = none, gan.py; the paper's code: 0.5). */
    public float dDropout = 0f;
    /**
     * Discriminator layers: "none" (gan.py) or "spectral" (spectral norm on every linear layer, Miyato
     * et al. 2018). The MLP has no batch norm, so every gradient penalty applies as it is.
     */
    public String dNorm = "none";
    /**
     * Initialisation of the linear layers: "pytorch" (gan.py keeps PyTorch's defaults: weight and bias
     * from U(-1/sqrt(fan_in), 1/sqrt(fan_in))), "dcgan" (weights N(0, 0.02), zero bias) or "pylearn2" (the
     * paper's mnist.yaml: weights U(-0.05, 0.05) in G and U(-0.005, 0.005) in D, zero bias).
     */
    public String init = "pytorch";

    /** The paper's MNIST networks (see the class comment); the other settings keep their defaults. */
    public static GanConfig goodfellow2014() {
        GanConfig c = new GanConfig();
        c.gHidden = PAPER_G_HIDDEN;
        c.gNorm = "none";
        c.gActivation = "relu";
        c.dHidden = PAPER_D_HIDDEN;
        c.dActivation = "maxout";
        c.maxoutPieces = MAXOUT_PIECES;
        c.dInputDropout = PAPER_D_INPUT_DROPOUT;
        c.dDropout = PAPER_D_DROPOUT;
        c.init = "pylearn2";
        return c;
    }

    /** The generator's hidden widths, parsed. */
    public int[] generatorHidden() {
        return widths(gHidden, "gan.gHidden");
    }

    /** The discriminator's hidden widths, parsed. */
    public int[] discriminatorHidden() {
        return widths(dHidden, "gan.dHidden");
    }

    private static int[] widths(String s, String key) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(key + " is empty: give comma-separated widths, e.g. " + G_HIDDEN);
        }
        List<Integer> out = new ArrayList<>();
        for (String part : s.split(",")) {
            int w;
            try {
                w = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " '" + s + "': '" + part.trim() + "' is not a width");
            }
            if (w < 1) {
                throw new IllegalArgumentException(key + " '" + s + "': widths must be >= 1, got " + w);
            }
            out.add(w);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Checks the values; the message names the setting at fault. */
    public void validate() {
        if (latentDim < 1) {
            throw new IllegalArgumentException("gan.latentDim " + latentDim + " must be >= 1");
        }
        generatorHidden();
        discriminatorHidden();
        if (!(leakySlope >= 0 && leakySlope < 1)) {
            throw new IllegalArgumentException("gan.leakySlope " + leakySlope + " must be in [0, 1)");
        }
        if (!(bnEps > 0) || Float.isInfinite(bnEps)) {
            throw new IllegalArgumentException("gan.bnEps " + bnEps + " must be finite and > 0");
        }
        oneOf("gan.gNorm", gNorm, "batch", "none");
        oneOf("gan.dNorm", dNorm, "none", "spectral");
        oneOf("gan.init", init, "pytorch", "dcgan", "pylearn2");
        oneOf("gan.gActivation", gActivation, "leakyrelu", "relu");
        oneOf("gan.dActivation", dActivation, "leakyrelu", "maxout");
        if (maxoutPieces < 2) {
            throw new IllegalArgumentException("gan.maxoutPieces " + maxoutPieces + " must be >= 2");
        }
        if (!(dInputDropout >= 0 && dInputDropout < 1)) {
            throw new IllegalArgumentException("gan.dInputDropout " + dInputDropout + " must be in [0, 1)");
        }
        if (!(dDropout >= 0 && dDropout < 1)) {
            throw new IllegalArgumentException("gan.dDropout " + dDropout + " must be in [0, 1)");
        }
    }

    private static void oneOf(String key, String value, String... allowed) {
        if (value == null || !List.of(allowed).contains(value)) {
            throw new IllegalArgumentException(key + " '" + value + "': use " + String.join(" or ", allowed));
        }
    }
}
