package dev.ganlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.GanLab;
import dev.ganlab.train.GanTrainer;
import dev.ganlab.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ganlab sample} says which generator wrote the images (issue 17 item 5): the raw one unless
 * {@code --ema}, even when the run kept an EMA generator, and the EMA one with {@code --ema}; a run
 * without EMA says so, and {@code --ema} there is refused by name.
 */
class SampleCommandTest {

    @TempDir Path tmp;

    private Path run(String name, float emaDecay) {
        GanLab.init();
        TrainConfig c = new TrainConfig();
        c.data = "synthetic:4?perMode=8";
        c.steps = 1;
        c.batch = 8;
        c.sampleCount = 4;
        c.dcgan.gWidth = 8;
        c.dcgan.dWidth = 4;
        c.dcgan.latentDim = 6;
        c.eval.metrics = "";
        c.emaDecay = emaDecay;
        Path dir = tmp.resolve(name);
        try (GanTrainer t = GanTrainer.start(c, dir)) {
            t.step1();
            t.checkpoint();
        }
        return dir;
    }

    @Test
    void theOutputNamesTheGeneratorThatWroteTheImages() throws Exception {
        Path withEma = run("ema", 0.999f);
        String[] raw = MainRunner.run("sample", "--run", withEma.toString(), "--n", "2", "--out", tmp.resolve("raw").toString());
        assertEquals("0", raw[0], raw[2]);
        assertTrue(raw[1].contains("from the raw generator (--ema for the EMA one)"), raw[1]);
        String[] ema = MainRunner.run("sample", "--run", withEma.toString(), "--n", "2", "--ema", "--out",
                tmp.resolve("emaOut").toString());
        assertEquals("0", ema[0], ema[2]);
        assertTrue(ema[1].contains("EMA") && ema[1].contains("from the EMA generator"), ema[1]);
        try (var files = Files.list(tmp.resolve("emaOut"))) {
            assertEquals(2, files.count());
        }

        Path noEma = run("plain", 0f);
        String[] plain = MainRunner.run("sample", "--run", noEma.toString(), "--n", "2", "--out", tmp.resolve("p").toString());
        assertTrue(plain[1].contains("from the generator (the run kept no EMA)"), plain[1]);
        String[] refused = MainRunner.run("sample", "--run", noEma.toString(), "--n", "2", "--ema", "--out",
                tmp.resolve("q").toString());
        assertTrue(!refused[0].equals("0") && refused[2].contains("--ema") && refused[2].contains("without an EMA generator"),
                refused[2]);
    }
}
