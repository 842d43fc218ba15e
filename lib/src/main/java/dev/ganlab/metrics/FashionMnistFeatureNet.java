package dev.ganlab.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * GAN Lab's domain feature network for Fashion-MNIST: a small CNN classifier trained by this project
 * ({@code ganlab train-features}), whose penultimate layer gives the features for FID, KID and
 * precision/recall and whose 10 class logits give the Inception Score on Fashion-MNIST, offline.
 *
 * <p>Why not Inception-v3 here: its weights cannot be fetched on this machine, and ImageNet features
 * of 28 x 28 grey clothes upsampled to 299 x 299 describe the upsampling about as much as the clothes.
 * Scores from this network are comparable only with scores from the same weights (the SHA-256 is in
 * every result), not with published FIDs.
 *
 * <p>Architecture (input {@code (N, 1, 28, 28)} in -1..1):
 * three blocks of 3x3 convolution (32, 64, 64 filters, padding 1) + batch norm + ReLU + 2x2 max pool
 * (28 -> 14 -> 7 -> 3), flatten (576), dense 128 + ReLU = <b>the features</b> (128-d), dropout 0.3
 * (training only), dense 10 = <b>the logits</b>. 131k parameters, 0.5 MB.
 *
 * <p>Preparation: RGB images become BT.601 luma; other sizes are resized to 28 x 28 (area filter when
 * shrinking, bilinear when enlarging); 8-bit values v map to {@code v / 127.5 - 1}.
 *
 * <p>The committed weights ({@code dev/ganlab/metrics/fmnist-features.params}, README.md beside them)
 * were made by:
 * <pre>  java -jar lib/target/ganlab.jar train-features --out lib/src/main/resources/dev/ganlab/metrics/fmnist-features.params --epochs 5 --seed 1</pre>
 */
public final class FashionMnistFeatureNet implements FeatureExtractor {

    /**
     * Suffix of the names of scores measured with this network ({@code fid_fmnist}, {@code is_fmnist},
     * ...): they are on this network's scale, not comparable with Inception-based FID or IS.
     */
    public static final String SCORE_SUFFIX = "fmnist";

    /** Classpath location of the committed weights. */
    public static final String WEIGHTS_RESOURCE = "/dev/ganlab/metrics/fmnist-features.params";
    /** Input side. */
    public static final int SIZE = 28;
    /** Feature length (the penultimate dense layer). */
    public static final int FEATURES = 128;
    /** Fashion-MNIST classes. */
    public static final int CLASSES = 10;
    /** Dropout before the classifier, training only. */
    static final float DROPOUT = 0.3f;

    private static final ImagePreparation PREPARATION = new ImagePreparation(1, SIZE, false,
            ImagePreparation.Range.SYMMETRIC, "penultimate dense layer (128, after ReLU); logits: last layer (10)");

    private final NDManager manager;
    private final SequentialBlock net;
    private final String sha256;
    private final String source;

    private FashionMnistFeatureNet(NDManager manager, SequentialBlock net, String sha256, String source) {
        this.manager = manager;
        this.net = net;
        this.sha256 = sha256;
        this.source = source;
    }

    /** The untrained network: {@code trunk} (to the features), dropout, {@code head} (logits). */
    public static SequentialBlock newNetwork() {
        SequentialBlock trunk = new SequentialBlock();
        for (int filters : new int[] {32, 64, 64}) {
            trunk.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
                            .setFilters(filters).build())
                    .add(BatchNorm.builder().build())
                    .add(Activation::relu)
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        trunk.add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(FEATURES).build())
                .add(Activation::relu);
        SequentialBlock net = new SequentialBlock();
        net.add(trunk)
                .add(Dropout.builder().optRate(DROPOUT).build())
                .add(Linear.builder().setUnits(CLASSES).build());
        return net;
    }

    /** The network with the committed weights. */
    public static FashionMnistFeatureNet load() {
        try (InputStream in = FashionMnistFeatureNet.class.getResourceAsStream(WEIGHTS_RESOURCE)) {
            if (in == null) {
                throw new UserError("the Fashion-MNIST feature weights " + WEIGHTS_RESOURCE + " are missing from the"
                        + " class path; rebuild with mvn package, or train them with ganlab train-features");
            }
            return load(in.readAllBytes(), "classpath:" + WEIGHTS_RESOURCE);
        } catch (IOException e) {
            throw new UserError("cannot read " + WEIGHTS_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** The network with weights from a file written by {@code train-features}. */
    public static FashionMnistFeatureNet load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError("feature network weights " + file + " do not exist; train them with ganlab"
                    + " train-features --out " + file);
        }
        try {
            return load(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static FashionMnistFeatureNet load(byte[] bytes, String source) {
        GanLab.noGradOnThisThread();
        NDManager m = GanLab.newManager();
        try {
            SequentialBlock net = newNetwork();
            net.initialize(m, DataType.FLOAT32, new Shape(1, 1, SIZE, SIZE));
            net.loadParameters(m, new DataInputStream(new ByteArrayInputStream(bytes)));
            return new FashionMnistFeatureNet(m, net, Hashing.sha256(bytes), source);
        } catch (IOException | ai.djl.MalformedModelException | RuntimeException e) {
            m.close();
            throw new UserError(source + " is not a Fashion-MNIST feature network saved by ganlab train-features: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String id() {
        return "fmnist";
    }

    @Override
    public String scoreSuffix() {
        return SCORE_SUFFIX;
    }

    @Override
    public String weightsSha256() {
        return sha256;
    }

    /** Where the weights came from. */
    public String source() {
        return source;
    }

    @Override
    public int featureDim() {
        return FEATURES;
    }

    @Override
    public int logitsDim() {
        return CLASSES;
    }

    @Override
    public ImagePreparation preparation() {
        return PREPARATION;
    }

    @Override
    public Features extract(ImageDataset images, int batchSize, boolean withLogits) {
        SequentialBlock trunk = (SequentialBlock) net.getChildren().get(0).getValue();
        var head = net.getChildren().get(2).getValue();
        return BatchedForward.run(manager, PREPARATION, images, batchSize, withLogits, (m, x, logits) -> {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray f = trunk.forward(ps, new NDList(x), false).singletonOrThrow();
            NDArray l = logits ? head.forward(ps, new NDList(f), false).singletonOrThrow() : null;
            return new NDArray[] {f, l};
        });
    }

    /** Fraction of labelled images whose arg-max logit is their label. */
    public double accuracy(ImageDataset labelled, int batchSize) {
        if (!labelled.hasLabels()) {
            throw new UserError(labelled.name() + " has no labels to measure accuracy against");
        }
        FeatureMatrix l = extract(labelled, batchSize, true).logits();
        int correct = 0;
        for (int i = 0; i < l.rows(); i++) {
            int best = 0;
            for (int j = 1; j < l.cols(); j++) {
                if (l.get(i, j) > l.get(i, best)) {
                    best = j;
                }
            }
            if (best == labelled.label(i)) {
                correct++;
            }
        }
        return (double) correct / l.rows();
    }

    @Override
    public void close() {
        manager.close();
    }
}
