package dev.ganlab.cli;

import dev.ganlab.data.ImageDataset;
import dev.ganlab.metrics.Extractors;
import dev.ganlab.metrics.FeatureExtractor;
import dev.ganlab.metrics.Memorisation;
import dev.ganlab.train.TrainedGenerator;
import dev.ganlab.viz.PngFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code ganlab neighbours}: the memorisation check, nearest training images of generated ones. */
@Command(name = "neighbours", description = {
        "Memorisation check: for N generated images, their nearest training images in a feature space and in pixels"
                + " (a grid), and each space's distance distribution against held-out real images (printed, and"
                + " charted beside the grid as OUT-distances.png).",
        "Fakes much nearer to the training set than held-out real images are point to copying."},
        footer = {"", "Example:", "  ganlab neighbours --run runs/fastgan --data folder:data/100-shot-obama --n 16"
                + " --out build/nn.png"})
public final class NeighboursCommand implements Runnable {

    @Mixin CommonOptions common;

    @Mixin TrainedRunOptions generator;

    @Option(names = "--data", paramLabel = "SPEC", description = "Training set (default: the run's data).")
    String data;

    @Option(names = "--held-out", paramLabel = "SPEC", description = "Real images not trained on (e.g."
            + " fashion-mnist:test); default: a seeded fifth of --data, removed from the reference set.")
    String heldOut;

    @Option(names = "--n", defaultValue = "16", description = "Generated images (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--k", defaultValue = "5", description = "Neighbours per image and space (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--features", defaultValue = "fmnist", paramLabel = "SPEC",
            description = "Feature network (fmnist, inception=PATH, torchscript=PATH) or none for pixels only"
                    + " (default ${DEFAULT-VALUE}).")
    String features;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "PNG file for the grid.")
    Path out;

    @Option(names = "--rows", defaultValue = "16", description = "Generated images shown in the grid (default ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the latents and the held-out split (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public void run() {
        common.apply();
        try (TrainedGenerator g = generator.load()) {
            ImageDataset fakes = g.sample(n, generator.ema, seed);
            ImageDataset train = MetricsCommand.load(data == null ? g.config().data : data, "--data", 0, seed);
            ImageDataset held = heldOut == null ? null : MetricsCommand.load(heldOut, "--held-out", 0, seed);
            FeatureExtractor fx = "none".equals(features) ? null : Extractors.open(features);
            try {
                Memorisation.Report r = Memorisation.check(fakes, train, held, fx, k, seed);
                System.out.print(r.summary());
                PngFiles.write(r.grid(rows), out);
                Path chart = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.png$", "")
                        + "-distances.png");
                PngFiles.write(r.chart(), chart);
                System.out.println("wrote " + out + ", " + chart);
            } finally {
                if (fx != null) {
                    fx.close();
                }
            }
        }
    }
}
