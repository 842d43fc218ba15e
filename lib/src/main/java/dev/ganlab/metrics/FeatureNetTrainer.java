package dev.ganlab.metrics;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.ganlab.core.GanLab;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.data.Permutations;

import java.io.DataOutputStream;
import dev.ganlab.core.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Trains {@link FashionMnistFeatureNet} on Fashion-MNIST's 60,000 training images with DJL's Trainer
 * and Adam (step size 1e-3, a tenth of it in the last epoch), and writes its parameters. About 50 s
 * per epoch on 2 CPU cores.
 *
 * <p>Reproducibility: the engine is seeded and the batch order is a seeded permutation per epoch,
 * so two runs with the same seed start and visit the data identically; multi-threaded CPU kernels
 * may still sum in different orders, so the weights of two runs can differ in the last bits and the
 * accuracy by a few hundredths of a percent.
 */
public final class FeatureNetTrainer {

    /** Adam step size (Kingma &amp; Ba, 2015, default). */
    public static final float LEARNING_RATE = 1e-3f;
    /** Images per step. */
    public static final int BATCH_SIZE = 128;
    /** Default number of passes over the training set. */
    public static final int DEFAULT_EPOCHS = 5;
    /** Step-size factor for the last epoch: a short fine-tuning phase at a tenth of the rate. */
    public static final float LAST_EPOCH_FACTOR = 0.1f;

    private FeatureNetTrainer() {}

    /** What a run produced. */
    public record Summary(int epochs, long seed, double testAccuracy, String sha256, double seconds) {}

    /**
     * Trains, evaluates on {@code test} and writes the parameters to {@code out} (atomically).
     *
     * @param log progress lines, one per epoch
     */
    public static Summary train(ImageDataset train, ImageDataset test, int epochs, long seed, Path out,
            PrintStream log) throws IOException {
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs " + epochs + ": must be at least 1");
        }
        long start = System.nanoTime();
        GanLab.seedEngine(seed);
        SequentialBlock net = FashionMnistFeatureNet.newNetwork();
        int len = train.imageLength();
        try (Model model = Model.newInstance("fmnist-features", GanLab.device(), "PyTorch")) {
            model.setBlock(net);
            int stepsPerEpoch = train.size() / BATCH_SIZE;
            int lastEpochStart = epochs == 1 ? Integer.MAX_VALUE : (epochs - 1) * stepsPerEpoch;
            Tracker rate = update -> update < lastEpochStart ? LEARNING_RATE : LEARNING_RATE * LAST_EPOCH_FACTOR;
            DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(rate).build());
            try (Trainer trainer = model.newTrainer(cfg)) {
                trainer.initialize(new Shape(BATCH_SIZE, 1, FashionMnistFeatureNet.SIZE, FashionMnistFeatureNet.SIZE));
                for (int epoch = 0; epoch < epochs; epoch++) {
                    int[] order = Permutations.of(train.size(), Permutations.mix(seed, epoch));
                    double lossSum = 0;
                    int steps = 0;
                    for (int from = 0; from + BATCH_SIZE <= order.length; from += BATCH_SIZE) {
                        float[] x = new float[BATCH_SIZE * len];
                        float[] y = new float[BATCH_SIZE];
                        for (int k = 0; k < BATCH_SIZE; k++) {
                            int i = order[from + k];
                            train.copyScaled(i, x, k * len, false);
                            y[k] = train.label(i);
                        }
                        try (NDManager m = trainer.getManager().newSubManager()) {
                            NDArray xs = m.create(x, new Shape(BATCH_SIZE, 1, train.height(), train.width()));
                            NDArray ys = m.create(y, new Shape(BATCH_SIZE));
                            try (dev.ganlab.core.StepScope autogradScope = new dev.ganlab.core.StepScope(); GradientCollector gc = trainer.newGradientCollector()) {
                                NDList pred = trainer.forward(new NDList(xs));
                                NDArray loss = trainer.getLoss().evaluate(new NDList(ys), pred);
                                lossSum += loss.getFloat();
                                gc.backward(loss);
                            }
                            trainer.step();
                        }
                        steps++;
                    }
                    log.printf("epoch %d/%d  loss %.4f  (%.0f s)%n", epoch + 1, epochs, lossSum / steps,
                            (System.nanoTime() - start) / 1e9);
                }
            }
            write(net, out);
        }
        GanLab.noGradOnThisThread();
        try (FashionMnistFeatureNet trained = FashionMnistFeatureNet.load(out)) {
            double acc = trained.accuracy(test, 500);
            return new Summary(epochs, seed, acc, trained.weightsSha256(), (System.nanoTime() - start) / 1e9);
        }
    }

    private static void write(SequentialBlock net, Path out) throws IOException {
        AtomicFiles.write(out, os -> {
            DataOutputStream d = new DataOutputStream(new java.io.BufferedOutputStream(os));
            net.saveParameters(d);
            d.flush();
        });
    }
}
