package dev.ganlab.cli;

import dev.ganlab.latent.LatentExplorer;
import dev.ganlab.latent.TruncationSweep;
import dev.ganlab.metrics.Evaluator;
import dev.ganlab.train.TrainedGenerator;
import dev.ganlab.viz.PngFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code ganlab truncation}: the truncation trick's FID / MS-SSIM trade-off over a list of psi. */
@Command(name = "truncation", description = {
        "Score truncated samples (z' = psi z, the same latents for every psi) with FID and MS-SSIM diversity and"
                + " print one line per psi. With --out, also write chart.png (both scores against psi) and grid.png"
                + " (one row per psi, shared latents).",
        "Uniform latents (the dcgan default) shrink to [-psi, psi]^d; normal latents come from N(0, psi^2 I);"
                + " ProGAN normalises latents onto a sphere, so only psi = 0 changes its images."},
        footer = {"", "Example:", "  ganlab truncation --run runs/dcgan --psi 0.5,0.7,1.0 --n 2000 --out build/trunc"})
public final class TruncationCommand implements Runnable {

    @Mixin CommonOptions common;

    @Mixin TrainedRunOptions generator;

    @Option(names = "--psi", required = true, split = ",", paramLabel = "LIST", description = "psi values in [0, 1].")
    double[] psi;

    @Option(names = "--n", defaultValue = "2000", description = "Images per psi and real images (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--real", paramLabel = "SPEC", description = "Real set (default: the run's eval.real, else its data).")
    String real;

    @Option(names = "--features", paramLabel = "SPEC", description = "Feature network (default: fmnist).")
    String features;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the latents and metric subsets (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for chart.png and grid.png.")
    Path out;

    @Override
    public void run() {
        common.apply();
        try (TrainedGenerator g = generator.load()) {
            LatentExplorer x = new LatentExplorer(g, generator.ema);
            try (Evaluator ev = TruncationSweep.evaluatorFor(g, real, features, n, seed)) {
                TruncationSweep.Result r = TruncationSweep.run(x, ev, psi, n, seed);
                System.out.print(r.table());
                for (String w : r.warnings()) {
                    System.out.println("warning: " + w);
                }
                if (out != null) {
                    PngFiles.write(r.chart(), out.resolve("chart.png"));
                    PngFiles.write(x.truncationGrid(psi, 8, seed), out.resolve("grid.png"));
                    System.out.println("wrote " + out.resolve("chart.png") + ", " + out.resolve("grid.png"));
                }
            }
        }
    }
}
