package dev.ganlab.cli;

import dev.ganlab.data.ImageDataset;
import dev.ganlab.metrics.SlicedWasserstein;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ganlab swd --real DIR --fake DIR}: ProGAN's sliced Wasserstein distance per pyramid level. */
@Command(name = "swd", description = {
        "Print the sliced Wasserstein distance (ProGAN, Karras et al. 2018) between two image sets, per Laplacian"
                + " pyramid level from full size down to 16x16, and their mean.",
        "Figures are multiplied by 10^3, as ProGAN reports them. Both sets must have one image size."})
public final class SwdCommand implements Runnable {

    @Mixin CommonOptions common;

    @Option(names = "--real", required = true, paramLabel = "SPEC",
            description = "Real images: a data set spec (fashion-mnist:test, emoji, ...) or a folder of PNGs.")
    String real;

    @Option(names = "--fake", required = true, paramLabel = "SPEC", description = "Fake images: a folder or spec.")
    String fake;

    @Option(names = "--n", paramLabel = "N", description = "Images per set (default: all, the smaller count of the two).")
    int n = 0;

    @Option(names = "--seed", paramLabel = "S", description = "Seed for descriptor positions and directions (default: 0).")
    long seed = 0;

    @Override
    public void run() {
        common.apply();
        ImageDataset r = MetricsCommand.load(real, "--real", n, seed);
        ImageDataset f = MetricsCommand.load(fake, "--fake", n, seed);
        SlicedWasserstein.Result res = SlicedWasserstein.compute(r, f, seed);
        System.out.printf("SWD x1e3 (ProGAN), %d images per set, %d descriptors of 7x7x%d per image and level%n",
                res.images(), SlicedWasserstein.NHOODS_PER_IMAGE, r.channels());
        for (int i = 0; i < res.resolutions().length; i++) {
            System.out.printf("  %4d  %10.4f%n", res.resolutions()[i], res.perLevelX1e3()[i]);
        }
        System.out.printf("  mean  %10.4f%n", res.meanX1e3());
    }

}
