package dev.ganlab.cli;

import dev.ganlab.core.UserError;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.metrics.EvaluationReport;
import dev.ganlab.metrics.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@code ganlab metrics}: FID, KID, IS, precision/recall, MS-SSIM and SWD of a folder of fakes. */
@Command(name = "metrics", description = {
        "Score generated images against a real set. Every result names the feature network (with its SHA-256),"
                + " the image preparation, both sets and counts, and the seed.",
        "Feature networks: fmnist (GAN Lab's Fashion-MNIST CNN, committed), inception=PATH (StyleGAN2-ADA's"
                + " inception-2015-12-05.pt), torchscript=PATH[?size=N&channels=1|3&range=-1..1|0..1|0..255]."})
public final class MetricsCommand implements Runnable {

    @Mixin CommonOptions common;

    @Option(names = "--real", required = true, paramLabel = "SPEC",
            description = "Real images: fashion-mnist:test, emoji, any data set spec, or a folder.")
    String real;

    @Option(names = "--fake", required = true, paramLabel = "DIR",
            description = "Fake images: a folder of PNGs (e.g. what ganlab sample writes) or a data set spec.")
    String fake;

    @Option(names = "--metrics", paramLabel = "LIST", description = "Comma-separated: fid,kid,is,pr,msssim,swd or all"
            + " (default: fid,kid,is,pr).")
    String metrics = "fid,kid,is,pr";

    @Option(names = "--features", paramLabel = "SPEC", description = "fmnist (default), inception=PATH or"
            + " torchscript=PATH.")
    String features = "fmnist";

    @Option(names = "--n", paramLabel = "N", description = "Images per side (default: 10000).")
    int n = Evaluator.DEFAULT_N;

    @Option(names = "--seed", paramLabel = "S", description = "Seed for subsets, pairs and projections (default: 0).")
    long seed = 0;

    @Option(names = "--batch", paramLabel = "B", description = "Images per forward pass (default: 200).")
    int batch = Evaluator.DEFAULT_BATCH;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the full report as JSON.")
    Path json;

    @Option(names = "--dump-features", paramLabel = "PREFIX",
            description = "Write PREFIX-real.npy and PREFIX-fake.npy (float32, N x D) to recompute elsewhere.")
    Path dumpFeatures;

    @Option(names = "--no-cache", description = "Do not read or write cached real-set features.")
    boolean noCache;

    @Override
    public void run() {
        common.apply();
        ImageDataset fakes = load(fake, "--fake", 0, seed);
        Evaluator.Builder b = Evaluator.builder().features(features).real(realSpec(real)).n(n).metrics(metrics)
                .seed(seed).batchSize(batch);
        if (noCache) {
            b.cacheDir(null);
        }
        if (dumpFeatures != null) {
            b.dumpFeatures(dumpFeatures);
        }
        try (Evaluator ev = b.build()) {
            EvaluationReport r = ev.evaluate(fakes);
            print(r);
            if (json != null) {
                r.writeJson(json);
                System.out.println("wrote " + json);
            }
            if (dumpFeatures != null) {
                System.out.println("wrote " + dumpFeatures + "-real.npy, " + dumpFeatures + "-fake.npy");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + json + ": " + e.getMessage(), e);
        }
    }

    private static void print(EvaluationReport r) {
        EvaluationReport.Setup s = r.setup();
        System.out.println("features  " + s.features() + "  sha256 " + s.featuresSha256());
        System.out.println("real      " + s.real() + "  x" + s.realCount() + "  (" + s.realPreparation() + ")");
        System.out.println("fake      " + s.fake() + "  x" + s.fakeCount() + "  (" + s.fakePreparation() + ")");
        System.out.println("seed      " + s.seed() + "   real-feature cache: " + s.realCache());
        for (Map.Entry<String, Double> e : r.metrics().entrySet()) {
            System.out.printf("  %-14s %.6f%n", e.getKey(), e.getValue());
        }
        for (String w : r.warnings()) {
            System.out.println("warning: " + w);
        }
        System.out.println(r.tableLine());
    }

    /** A bare existing folder becomes {@code folder:DIR}; anything else is a data set spec. */
    static String realSpec(String spec) {
        if (!spec.contains(":") && Files.isDirectory(Path.of(spec))) {
            return "folder:" + spec;
        }
        return spec;
    }

    /**
     * Loads a set from a spec or folder; {@code n > 0} keeps a seeded random subset of that size.
     *
     * @throws UserError naming the flag and the spec when nothing is there
     */
    static ImageDataset load(String spec, String flag, int n, long seed) {
        String s = realSpec(spec);
        try {
            // A bare name (fashion-mnist, emoji?limit=100) is a data set like fashion-mnist:test is.
            Datasets.checkSpec(s);
        } catch (UserError e) {
            throw new UserError(flag + ": " + e.getMessage(), e);
        }
        ImageDataset ds = Datasets.load(s);
        return n > 0 && ds.size() > n ? ds.sample(n, seed) : ds;
    }
}
