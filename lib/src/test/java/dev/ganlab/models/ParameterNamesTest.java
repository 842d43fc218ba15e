package dev.ganlab.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.ganlab.core.GanLab;
import dev.ganlab.train.TrainConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checkpoints stay loadable: a checkpoint stores each network's parameters by name and shape, in order
 * ({@code train.ParameterIO}), so a refactoring of the model classes must leave every name and shape
 * as it was. {@code models/parameter-names.txt} lists them for one small configuration of each model
 * and layout; it was written by the model classes before issue 13's shared model base and shared
 * discriminator block (commit 7327903) with {@code -Dganlab.writeParameterNames=true}, and is not
 * rewritten after a refactoring: a difference means old checkpoints no longer load.
 */
class ParameterNamesTest {

    private static final Path FIXTURE = Path.of("src/test/resources/models/parameter-names.txt");

    /** Each case: a model and the settings that pick its layout (small widths keep it quick). */
    private static final String[][] CASES = {
        {"dcgan"},
        {"dcgan", "dcgan.generator=pytorchgan", "dcgan.discriminator=pytorchgan"},
        {"dcgan", "dcgan.gNorm=vbn", "dcgan.vbnReference=4"},
        {"dcgan", "mix.dMbstd=1", "mix.gSle=true", "mix.dSpectralNorm=true", "tricks.minibatchDiscrimination=4"},
        {"sndcgan"},
        {"dcgan", "cond=concat", "condClasses=3"},
        {"dcgan", "cond=acgan", "condClasses=3"},
        {"dcgan", "cond=projection", "condClasses=3"},
        {"sndcgan", "cond=projection", "condClasses=3"},
        {"gan"},
        {"gan", "tricks.minibatchDiscrimination=4", "mix.dMbstd=1"},
        {"resnet19"},
        {"resnet19", "resnet19.dNorm=spectral"},
        {"fastgan"},
        {"progan"},
    };

    @Test
    void parameterNamesAndShapesAreThoseOfOldCheckpoints() throws IOException {
        GanLab.init();
        GanLab.noGradOnThisThread();
        List<String> lines = new ArrayList<>();
        try (NDManager manager = GanLab.newManager()) {
            for (String[] c : CASES) {
                TrainConfig cfg = small(c[0]);
                for (int i = 1; i < c.length; i++) {
                    cfg.setAssignment(c[i], "--set");
                }
                TrainConfig r = cfg.resolved();
                GanModel m = Models.create(r, 1, r.resolution, "test images");
                m.initializeGenerator(m.generator(), manager);
                m.initializeDiscriminator(manager);
                String name = String.join(" ", c);
                list(lines, name + " | G", m.generator());
                list(lines, name + " | D", m.discriminator());
                m.close();
            }
        }
        if (Boolean.getBoolean("ganlab.writeParameterNames")) {
            Files.write(FIXTURE, lines, StandardCharsets.UTF_8);
        }
        assertEquals(String.join("\n", Files.readAllLines(FIXTURE, StandardCharsets.UTF_8)), String.join("\n", lines));
    }

    private static void list(List<String> lines, String prefix, Block b) {
        for (Pair<String, Parameter> p : b.getParameters()) {
            lines.add(prefix + " | " + p.getKey() + " " + p.getValue().getArray().getShape());
        }
    }

    private static TrainConfig small(String model) {
        if (!model.equals("resnet19")) {
            return MixedComponentsTest.tiny(model);
        }
        TrainConfig c = new TrainConfig();
        c.model = model;
        c.eval.metrics = "";
        c.resolution = 16;
        c.resnet19.gWidth = 2;
        c.resnet19.dWidth = 2;
        c.resnet19.latentDim = 8;
        return c;
    }
}
