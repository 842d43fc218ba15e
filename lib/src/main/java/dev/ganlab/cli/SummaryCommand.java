package dev.ganlab.cli;

import dev.ganlab.core.UserError;
import dev.ganlab.models.GanModel;
import dev.ganlab.models.ModelSummary;
import dev.ganlab.models.Models;
import dev.ganlab.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code ganlab summary}: each block of a model's generator and discriminator with its output shape
 * and parameter count, then {@code generator parameters N} and {@code discriminator parameters N}
 * (trainable values; see {@link ModelSummary}). The model is built from the same settings as
 * {@code ganlab train} resolves them, for images of the given size; no data is read.
 */
@Command(name = "summary", description = "Print the blocks, output shapes and parameter counts of a model's G and D.",
        footer = {"", "Examples:",
            "  ganlab summary --model gan --resolution 28 --channels 1",
            "  ganlab summary --model progan --resolution 1024 --channels 3 --depth 1",
            "  ganlab summary --model dcgan --resolution 32 --channels 3 --set dcgan.dNorm=spectral",
            "  ganlab summary --model resnet19 --resolution 128 --channels 3 --set resnet19.dNorm=layer"})
public final class SummaryCommand implements Runnable {

    @Mixin CommonOptions common;

    @Option(names = "--model", required = true, description = "dcgan, sndcgan, resnet19, progan, fastgan or gan.")
    String model;

    @Option(names = "--resolution", required = true, description = "Square image size (ProGAN: its final resolution).")
    int resolution;

    @Option(names = "--channels", required = true, description = "Image channels (1 or 3).")
    int channels;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any training setting, e.g. dcgan.dWidth=32 (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--depth", defaultValue = "" + ModelSummary.DEFAULT_DEPTH,
            description = "Levels of blocks to list (default: ${DEFAULT-VALUE}; 0 = totals only).")
    int depth;

    @Override
    public void run() {
        if (depth < 0) {
            throw new UserError("--depth " + depth + " must be >= 0");
        }
        TrainConfig cfg = new TrainConfig();
        cfg.model = model;
        cfg.resolution = resolution;
        cfg.channels = channels;
        for (String kv : sets) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new UserError("--set '" + kv + "' must be KEY=VALUE");
            }
            cfg.set(kv.substring(0, eq).trim(), kv.substring(eq + 1));
        }
        TrainConfig resolved = cfg.resolved();
        common.apply();
        GanModel m = Models.create(resolved, channels, resolution, resolution + " px, " + channels + " channel(s)");
        System.out.print(ModelSummary.of(m, depth));
    }
}
