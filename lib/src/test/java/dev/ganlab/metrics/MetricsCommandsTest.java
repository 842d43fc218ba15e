package dev.ganlab.metrics;

import dev.ganlab.Slow;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.cli.MainRunner;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metrics, msssim and swd commands, run through {@link Main#run}. */
class MetricsCommandsTest {

    @TempDir static Path dir;
    private static Path fakes;

    @BeforeAll
    static void writeFakePngs() throws IOException {
        fakes = dir.resolve("fakes");
        Files.createDirectories(fakes);
        ImageDataset train = Datasets.load("fashion-mnist:train?limit=60");
        for (int i = 0; i < train.size(); i++) {
            ImageIO.write(train.image(i), "png", fakes.resolve(String.format("%04d.png", i)).toFile());
        }
    }

    /** Runs the command line; returns {exit status, stdout, stderr}. */
    static String[] run(String... args) {
        return MainRunner.run(args);
    }

    @Slow
    @Test
    void metricsWritesJsonAndFeatureDumps() throws IOException {
        Path json = dir.resolve("m.json");
        Path prefix = dir.resolve("dump");
        String[] r = run("metrics", "--real", "fashion-mnist:test", "--fake", fakes.toString(), "--metrics",
                "fid,kid,is,pr,msssim,swd", "--features", "fmnist", "--n", "60", "--seed", "2", "--json",
                json.toString(), "--dump-features", prefix.toString(), "--no-cache");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("fid_fmnist") && r[1].contains("swd_x1e3"), r[1]);
        JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        JsonObject setup = root.getAsJsonObject("setup");
        assertEquals("fashion-mnist:test", setup.get("real").getAsString());
        assertEquals(60, setup.get("fakeCount").getAsInt());
        assertEquals(2, setup.get("seed").getAsLong());
        assertEquals(64, setup.get("featuresSha256").getAsString().length());
        // Scores of the Fashion-MNIST network carry its name; 60 fakes of 128-d features are too few for
        // FID_infinity (smallest subset 6 < 2 x 128), which a warning says.
        for (String k : new String[] {"fid_fmnist", "kid_fmnist", "is_fmnist", "precision_fmnist", "recall_fmnist",
                "msssim_fake", "msssim_real", "swd_x1e3"}) {
            assertTrue(root.getAsJsonObject("metrics").has(k), k);
        }
        assertFalse(root.getAsJsonObject("metrics").has("fid_infinity_fmnist"));
        assertTrue(root.getAsJsonArray("warnings").toString().contains("fid_infinity_fmnist left out"),
                root.getAsJsonArray("warnings").toString());
        assertArrayEquals(new int[] {60, FashionMnistFeatureNet.FEATURES}, Npy.read(Path.of(prefix + "-real.npy")).shape());
        assertArrayEquals(new int[] {60, FashionMnistFeatureNet.FEATURES}, Npy.read(Path.of(prefix + "-fake.npy")).shape());
    }

    @Test
    void badInputEndsWithOneLineAndStatusTwo() {
        String[] unknownMetric = run("metrics", "--real", "fashion-mnist:test", "--fake", fakes.toString(),
                "--metrics", "fid,lpips");
        assertEquals("2", unknownMetric[0]);
        assertTrue(unknownMetric[2].contains("lpips"), unknownMetric[2]);
        String[] unknownFeatures = run("metrics", "--real", "fashion-mnist:test", "--fake", fakes.toString(),
                "--features", "clip");
        assertEquals("2", unknownFeatures[0]);
        assertTrue(unknownFeatures[2].contains("clip"), unknownFeatures[2]);
        String[] missing = run("metrics", "--real", "fashion-mnist:test", "--fake", dir.resolve("nope").toString());
        assertEquals("2", missing[0]);
        assertTrue(missing[2].contains("nope"), missing[2]);
        String[] missingModel = run("metrics", "--real", "fashion-mnist:test", "--fake", fakes.toString(),
                "--features", "inception=" + dir.resolve("inception.pt"));
        assertEquals("2", missingModel[0]);
        assertTrue(missingModel[2].contains("inception.pt"), missingModel[2]);
        String[] tooFew = run("metrics", "--real", "fashion-mnist:test", "--fake", fakes.toString(), "--n", "5",
                "--metrics", "is");
        assertEquals("2", tooFew[0]);
        assertTrue(tooFew[2].contains("at least 10"), tooFew[2]);
    }

    @Test
    void msssimOfAnImageWithItselfIsOneAndSizesMustMatch() throws IOException {
        Path a = fakes.resolve("0000.png");
        Path b = fakes.resolve("0001.png");
        String[] same = run("msssim", a.toString(), a.toString());
        assertEquals("0", same[0], same[2]);
        assertEquals(1.0, Double.parseDouble(same[1].lines().findFirst().orElseThrow()), 1e-12);
        assertTrue(same[1].contains("2 of 5 scales"), same[1]);
        String[] diff = run("msssim", a.toString(), b.toString());
        double v = Double.parseDouble(diff[1].lines().findFirst().orElseThrow());
        assertTrue(v < 1.0 && v >= 0, diff[1]);
        Path big = dir.resolve("big.png");
        ImageIO.write(new java.awt.image.BufferedImage(40, 40, java.awt.image.BufferedImage.TYPE_BYTE_GRAY), "png",
                big.toFile());
        String[] mismatch = run("msssim", a.toString(), big.toString());
        assertEquals("2", mismatch[0]);
        assertTrue(mismatch[2].contains("same size") && mismatch[2].contains("big.png"), mismatch[2]);
    }

    @Test
    void swdPrintsOneLinePerLevelAndTheMean() {
        String[] r = run("swd", "--real", "fashion-mnist:test", "--fake", fakes.toString(), "--n", "60");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("  28 ") && r[1].contains("mean"), r[1]);
        // A bare data set name, as a run's config.json stores it, is a data set, not a missing folder.
        String[] bare = run("swd", "--real", "fashion-mnist?split=test", "--fake", fakes.toString(), "--n", "60");
        assertEquals("0", bare[0], bare[2]);
        String[] typo = run("swd", "--real", "fashon-mnist", "--fake", fakes.toString(), "--n", "60");
        assertEquals("2", typo[0]);
        assertTrue(typo[2].contains("--real: unknown data set 'fashon-mnist'"), typo[2]);
    }
}
