package dev.ganlab.cli;

import dev.ganlab.data.ImageDataset;
import dev.ganlab.train.TrainedGenerator;
import dev.ganlab.viz.PngFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code ganlab sample}: writes generated images of a run as PNG files (for metrics or inspection). */
@Command(name = "sample", description = "Write N generated images of a trained run as PNG files.",
        footer = {"", "Example:", "  ganlab sample --run runs/dcgan-ns --n 1000 --out build/samples/dcgan-ns --ema"})
public final class SampleCommand implements Runnable {

    @Mixin CommonOptions common;

    @Mixin TrainedRunOptions generator;

    @Option(names = "--n", defaultValue = "1000", description = "Number of images (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the PNG files.")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the latents (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--class", paramLabel = "K", description = "Class of every image (class-conditional runs).")
    Integer cls;

    @Override
    public void run() {
        common.apply();
        try (TrainedGenerator g = generator.load()) {
            ImageDataset s = cls == null ? g.sample(n, generator.ema, seed) : g.sampleClass(n, cls, generator.ema, seed);
            int digits = Math.max(6, Integer.toString(n - 1).length());
            for (int i = 0; i < s.size(); i++) {
                PngFiles.write(s.image(i), out.resolve(String.format("%0" + digits + "d.png", i)));
            }
            // Say which generator wrote them: without --ema it is the raw one even when the run kept an EMA.
            String which = generator.ema ? "the EMA generator" : g.hasEma() ? "the raw generator (--ema for the EMA one)"
                    : "the generator (the run kept no EMA)";
            System.out.println("wrote " + s.size() + " images of " + s.name() + " from " + which + " to " + out);
        }
    }
}
