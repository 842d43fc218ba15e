package dev.ganlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.GanLab;
import dev.ganlab.models.GanModel;
import dev.ganlab.models.Models;
import dev.ganlab.train.TrainConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The mixed configurations shipped in {@code lib/examples/}: each is read by {@code train --config} as
 * the command reads it, resolves, asks for at least one component from another family, and builds its
 * model at the configured size (which is where a component that cannot apply would be rejected). A
 * ProGAN example must also run long enough to grow to its resolution.
 */
class ExampleConfigsTest {

    static Path examples() {
        Path p = Path.of("examples");
        return Files.isDirectory(p) ? p : Path.of("lib", "examples");
    }

    @Test
    void everyExampleParsesResolvesAndBuildsItsMixedModel() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(examples())) {
            files = s.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        assertTrue(files.size() >= 2, "examples: " + files);
        GanLab.init();
        for (Path f : files) {
            CommandLine cl = new CommandLine(new TrainCommand());
            cl.parseArgs("--config", f.toString(), "--out", "build/unused");
            TrainConfig r = ((TrainCommand) cl.getCommand()).buildConfig().resolved();
            boolean mixed = !r.mix.isEmpty() || r.tricks.minibatchDiscrimination > 0;
            assertTrue(mixed, f + " mixes no component in");
            int channels = r.data.startsWith("fashion-mnist") || r.data.startsWith("mnist") ? 1 : 3;
            int side = r.resolution != null ? r.resolution : 28;
            try (GanModel m = Models.create(r, channels, side, r.data)) {
                assertEquals(r.model, m.name().equals("sndcgan") ? "sndcgan" : m.name(), f.toString());
            }
            assertNull(TrainCommand.growthNote(r), f + ": the run ends before ProGAN has grown");
        }
    }
}
