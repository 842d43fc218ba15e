package dev.ganlab.models.dcgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.ganlab.core.UserError;
import dev.ganlab.models.ClassConditional;
import dev.ganlab.models.Conditioning;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.models.AbstractGanModel;
import dev.ganlab.nn.ClassProjection;
import dev.ganlab.nn.Linear;
import dev.ganlab.nn.WeightScaling;

import java.util.Map;

/**
 * Class-conditional DCGAN and SNDCGAN ({@link Conditioning}): the architectures of {@link DcganModel} with
 * the class fed in by concatenation (cGAN), an auxiliary classifier (ACGAN) or a projection discriminator
 * with conditional batch norm in G. Latents are {@code [z (d), one-hot class (K)]}, see {@link ClassConditional}.
 *
 * <p>Shapes: G takes {@code (N, d + K)} and returns {@code (N, C, R, R)}; D takes the images and the class
 * weights {@code (N, K)} and returns the logits {@code (N)}, its last features {@code (N, F)} and, for ACGAN,
 * the class logits {@code (N, K)}. The ACGAN cross-entropy is each output's {@code auxLoss}.
 *
 * <p>Projection needs conditional batch norm in G: the "paper" DCGAN layout and SNDCGAN's have it
 * ({@link ConditionalGenerators}); PyTorch-GAN's layout is not offered with projection.
 */
public final class ConditionalDcganModel extends AbstractGanModel implements ClassConditional {

    private final DcganModel base;
    private final DcganConfig cfg;
    private final int classes;
    private final Conditioning cond;
    private int[] batchLabels;

    /**
     * @throws IllegalArgumentException on a bad architecture setting (as {@link DcganModel}) or fewer than 2 classes
     */
    public ConditionalDcganModel(DcganConfig cfg, int channels, int resolution, int classes, Conditioning cond) {
        super(channels, resolution);
        if (cond == Conditioning.NONE) {
            throw new IllegalArgumentException("cond=none is the unconditional DcganModel");
        }
        if (classes < 2) {
            throw new IllegalArgumentException("class-conditional training needs at least 2 classes, got " + classes);
        }
        if (cfg.dNorm.equals("vbn") || cfg.gNorm.equals("vbn")) {
            // UserError, not IllegalArgumentException: the preset would add advice about the resolution.
            boolean d = cfg.dNorm.equals("vbn");
            throw new UserError((d ? "dcgan.dNorm" : "dcgan.gNorm") + "=vbn is not offered with cond=" + cond.key()
                    + " (the class-conditional networks keep no reference batch of labelled inputs): set "
                    + (d ? "dcgan.dNorm to batch, layer, spectral or none" : "dcgan.gNorm=batch") + ", or cond=none");
        }
        this.base = new DcganModel(cfg, channels, resolution);
        this.cfg = cfg;
        this.classes = classes;
        this.cond = cond;
        if (cond == Conditioning.PROJECTION && cfg.variant.equals("dcgan") && !cfg.generator.equals("paper")) {
            throw new IllegalArgumentException("cond=projection needs conditional batch norm in G: use"
                    + " dcgan.generator=paper (or sndcgan); the pytorchgan layout is not offered with it");
        }
        boolean spectral = cfg.variant.equals("sndcgan") || cfg.dNorm.equals("spectral");
        setNetworks(newGenerator(), new ConditionalDiscriminator(base.discriminator(), cond, classes,
                spectral ? WeightScaling.SPECTRAL : WeightScaling.NONE, featureWidth()));
    }

    /** F, the width of D's last features for this image size. */
    private long featureWidth() {
        Shape[] s = base.discriminator().getOutputShapes(new Shape[] {new Shape(2, channels, resolution, resolution)});
        return s[1].get(1);
    }

    @Override
    public String name() {
        return cfg.variant + "-" + cond.key();
    }

    @Override
    public Block newGenerator() {
        if (cond == Conditioning.PROJECTION) {
            return cfg.variant.equals("sndcgan") ? ConditionalGenerators.sndcgan(cfg, channels, resolution, classes)
                    : ConditionalGenerators.paper(cfg, channels, resolution, classes);
        }
        return base.newGenerator(); // its first layer takes the latent and the one-hot together
    }

    /** The noise and the one-hot class: {@code d + K}. */
    @Override
    protected long latentDim() {
        return cfg.latentDim + classes;
    }

    @Override
    public int classCount() {
        return classes;
    }

    @Override
    public int noiseDim() {
        return cfg.latentDim;
    }

    @Override
    public Conditioning conditioning() {
        return cond;
    }

    @Override
    public void setBatchLabels(int[] labels) {
        for (int l : labels) {
            if (l < 0 || l >= classes) {
                throw new UserError("class-conditional " + name() + ": label " + l + " is outside 0.." + (classes - 1)
                        + " (is the data set's class list the one the model was built for?)");
            }
        }
        this.batchLabels = labels.clone();
    }

    /** Noise from the prior, then the batch's classes (or uniformly random ones). */
    @Override
    public NDArray sampleLatent(NDManager manager, int batch) {
        NDArray z = base.sampleLatent(manager, batch);
        int[] labels = batchLabels != null && batchLabels.length == batch ? batchLabels
                : manager.randomInteger(0, classes, new Shape(batch), DataType.INT32).toIntArray();
        return z.concat(oneHot(manager, labels), 1);
    }

    private NDArray oneHot(NDManager manager, int[] labels) {
        float[] w = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            w[i * classes + labels[i]] = 1f;
        }
        return manager.create(w, new Shape(labels.length, classes));
    }

    @Override
    public void initializeGenerator(Block g, NDManager manager) {
        if (cond == Conditioning.PROJECTION) {
            g.initialize(manager, DataType.FLOAT32, new Shape(2, cfg.latentDim), new Shape(2, classes));
        } else {
            super.initializeGenerator(g, manager);
        }
    }

    @Override
    public void initializeDiscriminator(NDManager manager) {
        discriminator().initialize(manager, DataType.FLOAT32, new Shape(2, channels, resolution, resolution),
                new Shape(2, classes));
    }

    @Override
    public NDArray generate(Block g, ParameterStore ps, NDArray latent, boolean training) {
        if (cond == Conditioning.PROJECTION) {
            NDArray z = latent.get(":, 0:" + cfg.latentDim);                              // (N, d)
            NDArray w = latent.get(":, " + cfg.latentDim + ":");                          // (N, K)
            return g.forward(ps, new NDList(z, w), training).singletonOrThrow();
        }
        return super.generate(g, ps, latent, training);
    }

    @Override
    public DiscriminatorOutput discriminate(ParameterStore ps, NDArray images, boolean training, boolean real) {
        int n = (int) images.getShape().get(0);
        int[] labels = labelsFor(n);
        NDArray w = oneHot(images.getManager(), labels);
        NDList out = discriminator().forward(ps, new NDList(images, w), training);
        if (cond != Conditioning.ACGAN) {
            return DiscriminatorOutput.of(out.get(0), out.get(1));
        }
        NDArray classLogits = out.get(2);                                                 // (N, K)
        NDArray ce = classLogits.logSoftmax(1).mul(w).sum(new int[] {1}).neg().mean();
        NDArray acc = classLogits.argMax(1).toType(DataType.INT32, false)
                .eq(images.getManager().create(labels)).toType(DataType.FLOAT32, false).mean();
        return new DiscriminatorOutput(out.get(0), out.get(1), ce,
                Map.of(real ? "acgan_acc_real" : "acgan_acc_fake", acc));
    }

    @Override
    public DiscriminatorOutput[] discriminateJoint(ParameterStore ps, NDArray reals, NDArray fakes, boolean training) {
        if (cond != Conditioning.ACGAN) {
            return super.discriminateJoint(ps, reals, fakes, training);
        }
        long n = reals.getShape().get(0);
        int[] labels = labelsFor((int) (2 * n));
        NDArray w = oneHot(reals.getManager(), labels);
        NDList out = discriminator().forward(ps, new NDList(reals.concat(fakes, 0), w), training);
        DiscriminatorOutput[] r = new DiscriminatorOutput[2];
        String[] part = {"0:" + n, n + ":"};
        for (int h = 0; h < 2; h++) {
            NDArray cl = out.get(2).get(part[h]);
            NDArray wh = w.get(part[h]);
            NDArray ce = cl.logSoftmax(1).mul(wh).sum(new int[] {1}).neg().mean();
            NDArray acc = cl.argMax(1).eq(wh.argMax(1)).toType(DataType.FLOAT32, false).mean();
            r[h] = new DiscriminatorOutput(out.get(0).get(part[h]), out.get(1).get(part[h]), ce,
                    Map.of(h == 0 ? "acgan_acc_real" : "acgan_acc_fake", acc));
        }
        return r;
    }

    private int[] labelsFor(int n) {
        if (batchLabels == null) {
            throw new UserError("class-conditional " + name() + ": the discriminator needs the batch's labels; the"
                    + " trainer passes them with setBatchLabels before each step");
        }
        if (n == batchLabels.length) {
            return batchLabels;
        }
        if (n == 2 * batchLabels.length) {
            int[] both = new int[n];
            System.arraycopy(batchLabels, 0, both, 0, batchLabels.length);
            System.arraycopy(batchLabels, 0, both, batchLabels.length, batchLabels.length);
            return both;
        }
        throw new UserError("class-conditional " + name() + ": " + n + " images to score but labels for a batch of "
                + batchLabels.length);
    }

    @Override
    public boolean discriminatorUsesBatchStatistics() {
        return base.discriminatorUsesBatchStatistics();
    }

    /**
     * D with the class: inputs {@code (images (N, C, R, R), class weights (N, K))}; outputs {@code (logits (N),
     * features (N, F))} and for ACGAN {@code class logits (N, K)}.
     */
    static final class ConditionalDiscriminator extends AbstractBlock {
        private final Block body;
        private final Conditioning cond;
        private final Block classifier;
        private final ClassProjection projection;

        ConditionalDiscriminator(Block body, Conditioning cond, int classes, WeightScaling ws, long features) {
            super((byte) 1);
            this.body = addChildBlock("body", body);
            this.cond = cond;
            this.classifier = cond == Conditioning.ACGAN
                    ? addChildBlock("classifier", Linear.builder().setUnits(classes).optScaling(ws).build()) : null;
            this.projection = cond == Conditioning.PROJECTION
                    ? addChildBlock("projection", new ClassProjection(features, ws)) : null;
        }

        /** cGAN's D input: the image with K constant maps, one per class weight. */
        static NDArray withClassMaps(NDArray images, NDArray w) {
            Shape s = images.getShape();
            NDArray maps = w.reshape(s.get(0), w.getShape().get(1), 1, 1)
                    .broadcast(new Shape(s.get(0), w.getShape().get(1), s.get(2), s.get(3)));   // (N, K, R, R)
            return images.concat(maps, 1);                                                       // (N, C + K, R, R)
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.get(0);
            NDArray w = inputs.get(1);
            if (cond == Conditioning.CONCAT) {
                return body.forward(ps, new NDList(withClassMaps(x, w)), training);
            }
            NDList out = body.forward(ps, new NDList(x), training);
            NDArray logits = out.get(0);
            NDArray f = out.get(1);
            if (cond == Conditioning.ACGAN) {
                NDArray cls = classifier.forward(ps, new NDList(f), training).singletonOrThrow();
                return new NDList(logits, f, cls);
            }
            NDArray proj = projection.forward(ps, new NDList(f, w), training).singletonOrThrow();
            return new NDList(logits.add(proj), f);
        }

        @Override
        public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape img = inputShapes[0];
            Shape w = inputShapes[1];
            Shape bodyIn = cond == Conditioning.CONCAT ? new Shape(img.get(0), img.get(1) + w.get(1), img.get(2),
                    img.get(3)) : img;
            body.initialize(manager, dataType, bodyIn);
            Shape f = body.getOutputShapes(new Shape[] {bodyIn})[1];
            if (classifier != null) {
                classifier.initialize(manager, dataType, f);
            }
            if (projection != null) {
                projection.initialize(manager, dataType, f, w);
            }
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape img = inputShapes[0];
            Shape w = inputShapes[1];
            Shape bodyIn = cond == Conditioning.CONCAT ? new Shape(img.get(0), img.get(1) + w.get(1), img.get(2),
                    img.get(3)) : img;
            Shape[] b = body.getOutputShapes(new Shape[] {bodyIn});
            return cond == Conditioning.ACGAN ? new Shape[] {b[0], b[1], new Shape(img.get(0), w.get(1))} : b;
        }
    }
}
