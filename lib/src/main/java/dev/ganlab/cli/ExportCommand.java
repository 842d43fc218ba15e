package dev.ganlab.cli;

import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.train.ReferenceModel;
import dev.ganlab.train.TrainedGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ganlab export}: a run's generators, settings, history and scores as a reference model folder
 * ({@link ReferenceModel}), then a check that the folder samples the same images as the run.
 */
@Command(name = "export", description = {
        "Export a run's newest checkpoint as a reference model folder (lib/zoo/NAME): config.json, generator.ckpt"
                + " (the raw and EMA generators only), metrics.csv, scores.json and README.md. TrainedGenerator.load"
                + " and the sampling commands (sample, interpolate, ...) read the folder like the run.",
        "The scores are reports of ganlab metrics --json on images of ganlab sample (--seed as --sample-seed)."},
        footer = {"", "Example:", "  ganlab export --run build/zoo/dcgan-fmnist/run --out lib/zoo/dcgan-fmnist"
                + " --scores ema=build/zoo/dcgan-fmnist/scores-ema.json --scores raw=build/zoo/dcgan-fmnist/scores-raw.json"})
public final class ExportCommand implements Runnable {

    /** Images per generator compared between the run and the export. */
    static final int CHECKED_IMAGES = 16;

    @Mixin CommonOptions common;

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run folder (with checkpoints/).")
    Path run;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Reference model folder to write (new, empty or an earlier export).")
    Path out;

    @Option(names = "--scores", required = true, paramLabel = "GEN=FILE",
            description = "Score report of a generator, ema or raw (repeatable): ganlab metrics --json output.")
    List<String> scores;

    @Option(names = "--rank-by", paramLabel = "KEY",
            description = "Lower-is-better metric that picks the better generator (default: the FID, else swd_x1e3).")
    String rankBy;

    @Option(names = "--sample-seed", defaultValue = "1", paramLabel = "S",
            description = "The --seed the scored images were sampled with (default ${DEFAULT-VALUE}).")
    long sampleSeed;

    @Option(names = "--reproduce", paramLabel = "CMD",
            description = "Command that reproduces the model (default: environment/zoo/train-reference.sh NAME).")
    String reproduce;

    @Option(names = "--note", paramLabel = "TEXT", description = "A paragraph for the README (provenance, caveats).")
    String note;

    @Option(names = "--no-check", description = "Skip comparing the export's samples with the run's.")
    boolean noCheck;

    @Override
    public void run() {
        Map<String, Path> files = new LinkedHashMap<>();
        for (String s : scores) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new UserError("--scores '" + s + "' must be GEN=FILE (ema=... or raw=...)");
            }
            files.put(s.substring(0, eq).trim(), Path.of(s.substring(eq + 1)));
        }
        String name = out.toAbsolutePath().normalize().getFileName().toString();
        String command = reproduce != null ? reproduce : "environment/zoo/train-reference.sh " + name;
        ReferenceModel ref = ReferenceModel.export(run, out,
                new ReferenceModel.ExportOptions(files, rankBy, sampleSeed, command, note));
        System.out.println("wrote " + out + ": " + ref.summary());
        for (String f : ReferenceModel.FILES) {
            System.out.printf("  %-15s %,d bytes%n", f, size(out.resolve(f)));
        }
        if (!noCheck) {
            common.apply();
            check();
        }
    }

    /** The export must sample what the run samples, pixel for pixel, with each generator it has. */
    private void check() {
        try (TrainedGenerator a = TrainedGenerator.load(run); TrainedGenerator b = TrainedGenerator.load(out)) {
            for (boolean ema : a.hasEma() ? new boolean[] {true, false} : new boolean[] {false}) {
                ImageDataset x = a.sample(CHECKED_IMAGES, ema, sampleSeed);
                ImageDataset y = b.sample(CHECKED_IMAGES, ema, sampleSeed);
                for (int i = 0; i < x.size(); i++) {
                    if (!Arrays.equals(x.pixels(i), y.pixels(i))) {
                        throw new IllegalStateException("export " + out + " samples image " + i + " of the "
                                + (ema ? "EMA" : "raw") + " generator differently from run " + run);
                    }
                }
            }
            System.out.println("checked: the first " + CHECKED_IMAGES + " images of each generator (seed " + sampleSeed
                    + ") are the run's, pixel for pixel");
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the size of " + p, e);
        }
    }
}
