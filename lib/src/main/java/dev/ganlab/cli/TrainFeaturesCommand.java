package dev.ganlab.cli;

import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.metrics.FeatureNetTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** {@code ganlab train-features}: trains the Fashion-MNIST feature network used by {@code --features fmnist}. */
@Command(name = "train-features", description = {
        "Train the Fashion-MNIST feature network (a small CNN) whose penultimate layer serves FID/KID/PR and whose"
                + " logits serve IS on Fashion-MNIST.",
        "The committed weights were made with: train-features --out"
                + " lib/src/main/resources/dev/ganlab/metrics/fmnist-features.params --epochs 5 --seed 1"})
public final class TrainFeaturesCommand implements Runnable {

    @Mixin CommonOptions common;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the parameters.")
    Path out;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the 60,000 training images (default: 5).")
    int epochs = FeatureNetTrainer.DEFAULT_EPOCHS;

    @Option(names = "--seed", paramLabel = "S", description = "Seed for initialisation and batch order (default: 1).")
    long seed = 1;

    @Override
    public void run() {
        common.apply();
        ImageDataset train = Datasets.load("fashion-mnist:train");
        ImageDataset test = Datasets.load("fashion-mnist:test");
        try {
            FeatureNetTrainer.Summary s = FeatureNetTrainer.train(train, test, epochs, seed, out, System.out);
            System.out.printf("wrote %s%n  test accuracy %.4f on %s (%d images)%n  sha256 %s%n  %d epochs, seed %d,"
                    + " %.0f s%n", out, s.testAccuracy(), test.name(), test.size(), s.sha256(), s.epochs(), s.seed(),
                    s.seconds());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }
}
