package dev.ganlab.cli;

import dev.ganlab.core.UserError;
import dev.ganlab.latent.ConditionalEvaluation;
import dev.ganlab.train.TrainedGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * {@code ganlab metrics-conditional}: intra-class FID (per class and mean) and per-class classifier accuracy of a
 * class-conditional run ({@link ConditionalEvaluation}).
 */
@Command(name = "metrics-conditional", description = {
        "Score a class-conditional run class by class: intra-class FID (Miyato & Koyama 2018: FID between N"
                + " generated and N real images of each class, and the mean over classes) and, on Fashion-MNIST with"
                + " the fmnist network, the share of each class's generated images the classifier names as that"
                + " class (ACGAN's measure). Each class's FID carries the same setup records as ganlab metrics."},
        footer = {"", "Examples:",
            "  ganlab metrics-conditional --run runs/proj --real fashion-mnist:test --n 1000",
            "  ganlab metrics-conditional --run runs/shoes --real 'fashion-mnist:test?classes=7,9' --raw --json s.json"})
public final class MetricsConditionalCommand implements Runnable {

    @Mixin CommonOptions common;

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run folder of a cond=concat,"
            + " acgan or projection run; an unconditional run is scored as the baseline (its samples against each"
            + " class).")
    Path run;

    @Option(names = "--real", paramLabel = "SPEC", description = "Labelled real images with the run's classes"
            + " (default: the run's training data; the test split is the usual choice, e.g. fashion-mnist:test).")
    String real;

    @Option(names = "--features", paramLabel = "SPEC", description = "fmnist (default), inception=PATH or"
            + " torchscript=PATH.")
    String features;

    @Option(names = "--n", defaultValue = "1000", paramLabel = "N",
            description = "Generated images per class, and at most as many real ones (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--raw", description = "Score the raw generator (default: the EMA generator when the run"
            + " kept one).")
    boolean raw;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
            description = "Seed of the latents and real subsets (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the scores, per class with its setup"
            + " records, as JSON.")
    Path json;

    @Override
    public void run() {
        common.apply();
        if (n < 2) {
            throw new UserError("--n " + n + ": FID needs at least 2 images per class");
        }
        try (TrainedGenerator g = TrainedGenerator.load(run)) {
            boolean ema = !raw && g.hasEma();
            ConditionalEvaluation.Result r = ConditionalEvaluation.run(g, real, features, n, ema, seed);
            System.out.println(r.model() + " step " + r.step() + ", " + (ema ? "EMA" : "raw") + " generator, " + n
                    + " images per class, seed " + seed + (raw || g.hasEma() ? "" : " (the run kept no EMA generator)"));
            if (!r.conditional()) {
                System.out.println("unconditional run: the same " + n + " samples scored against every class (the"
                        + " baseline conditioning has to beat; accuracy = share of the samples in the class)");
            }
            System.out.print(r.table());
            if (!r.classes().isEmpty()) {
                var s = r.classes().get(0).report().setup();
                System.out.println("features " + s.features() + "  sha256 " + s.featuresSha256());
            }
            if (json != null) {
                r.writeJson(json);
                System.out.println("wrote " + json);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + json + ": " + e.getMessage(), e);
        }
    }
}
