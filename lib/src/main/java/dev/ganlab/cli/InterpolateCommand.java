package dev.ganlab.cli;

import dev.ganlab.latent.LatentExplorer;
import dev.ganlab.train.TrainedGenerator;
import dev.ganlab.viz.PngFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code ganlab interpolate}: a strip of images on the path between two seeds' latents. */
@Command(name = "interpolate", description = {
        "Write a strip of N images walking from one latent to another (DCGAN's 'walking in the latent space').",
        "The latent of seed S is the first image of 'ganlab sample --seed S'. Linear by default; --slerp walks the"
                + " great circle (constant norm for latents of equal norm)."},
        footer = {"", "Example:", "  ganlab interpolate --run runs/dcgan --from 1 --to 2 --steps 10 --out strip.png --slerp"})
public final class InterpolateCommand implements Runnable {

    @Mixin CommonOptions common;

    @Mixin TrainedRunOptions generator;

    @Option(names = "--from", required = true, paramLabel = "SEED", description = "Seed of the first latent.")
    long from;

    @Option(names = "--to", required = true, paramLabel = "SEED", description = "Seed of the last latent.")
    long to;

    @Option(names = "--steps", defaultValue = "10", description = "Images in the strip, ends included (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "PNG file to write.")
    Path out;

    @Option(names = "--slerp", description = "Spherical instead of linear interpolation.")
    boolean slerp;

    @Override
    public void run() {
        common.apply();
        try (TrainedGenerator g = generator.load()) {
            LatentExplorer x = new LatentExplorer(g, generator.ema);
            PngFiles.write(x.strip(from, to, steps, slerp), out);
            System.out.println("wrote " + out + ": " + steps + " images, " + (slerp ? "slerp" : "lerp") + " from seed "
                    + from + " to seed " + to + " (" + g.model().name() + " step " + g.step() + ", " + x.prior()
                    .name().toLowerCase(java.util.Locale.ROOT) + " latents)");
        }
    }
}
