package dev.ganlab.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * A metric added from outside the library's metric list - one class and one {@link MetricRegistry#register}
 * call, as a notebook would - is parsed, computed by the evaluator, reported, logged and tabled like the
 * built-in ones, without any other file knowing it.
 */
class MetricRegistryTest {

    /**
     * A toy pixel metric: the gap between the mean 8-bit pixel value of the fakes and of the reals.
     * Its value is known in closed form for constant images.
     */
    static final class MeanGap implements Metric {
        @Override
        public String name() {
            return "meangap";
        }

        @Override
        public Set<Input> needs() {
            return EnumSet.of(Input.PIXELS);
        }

        @Override
        public List<Column> columns() {
            return List.of(new Column("mean_gap", false, Better.LOWER, true));
        }

        @Override
        public void measure(Inputs in, Output out) {
            out.put("mean_gap", Math.abs(mean(in.fake()) - in.memo("meangap.real", () -> mean(in.real()))));
            out.setup("meangap", Map.of("scale", "8-bit pixel values"));
        }

        private static double mean(ImageDataset d) {
            double sum = 0;
            for (int i = 0; i < d.size(); i++) {
                for (byte b : d.pixels(i)) {
                    sum += b & 0xff;
                }
            }
            return sum / ((double) d.size() * d.imageLength());
        }
    }

    @TempDir Path tmp;

    @BeforeEach
    void register() {
        MetricRegistry.register(new MeanGap());
    }

    @AfterEach
    void unregister() {
        assertTrue(MetricRegistry.unregister("meangap"));
    }

    /** {@code n} 1-channel 4x4 images whose every pixel is {@code value}. */
    static ImageDataset constant(String name, int n, int value) {
        List<byte[]> px = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[16];
            java.util.Arrays.fill(b, (byte) value);
            px.add(b);
        }
        return new ImageDataset(name, 1, 4, 4, px, null, List.of());
    }

    @Test
    void aRegisteredMetricIsEvaluatedReportedLoggedAndTabled() {
        ImageDataset real = constant("grey", 6, 100);
        try (Evaluator ev = Evaluator.builder().real(real).n(6).metrics("meangap").cacheDir(null).build()) {
            assertEquals(null, ev.extractor(), "a pixel metric loads no feature network");
            EvaluationReport r = ev.evaluate(constant("light", 6, 130));
            // Closed form: every fake pixel is 130, every real one 100.
            assertEquals(30.0, r.get("mean_gap"), 1e-12);
            assertEquals(Map.of("scale", "8-bit pixel values"), r.details().get("meangap"));
            assertTrue(r.tableLine().startsWith("mean_gap 30.00"), r.tableLine());
            EvaluationReport again = ev.evaluate(constant("dark", 6, 40));
            assertEquals(60.0, again.get("mean_gap"), 1e-12);

            Table t = new EvaluationTable().add("light", r).add("dark", again).table("toy");
            assertEquals(List.of(30.0, 60.0), t.doubleColumn("mean_gap").asList());
            assertEquals("none", t.stringColumn("features").get(0));

            Path log = tmp.resolve(EvaluationLog.FILE);
            EvaluationLog.append(log, 10, 60, r);
            assertEquals(30.0, EvaluationLog.read(log).get(0).metrics().get("mean_gap"));
        }
    }

    @Test
    void theRegistryListsItAfterTheBuiltInsAndRefusesDuplicates() {
        List<String> all = MetricRegistry.parseList("all").stream().map(Metric::name).toList();
        assertEquals(List.of("fid", "kid", "is", "pr", "msssim", "swd", "meangap"), all);
        // Registry order, whatever the order written.
        assertEquals(List.of("swd", "meangap"),
                MetricRegistry.parseList("meangap, SWD").stream().map(Metric::name).toList());
        UserError unknown = assertThrows(UserError.class, () -> MetricRegistry.parseList("fid,meangapp"));
        assertTrue(unknown.getMessage().contains("'meangapp'") && unknown.getMessage().contains("meangap"),
                unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MetricRegistry.register(new MeanGap()));
        assertFalse(MetricRegistry.featureScores().contains("mean_gap"), "a pixel value keeps its name");
    }

    @Test
    void builtInFeatureScoresAreTheNetworkDependentValues() {
        assertEquals(List.of("fid", "fid_infinity", "kid", "kid_std", "is", "is_std", "precision", "recall"),
                MetricRegistry.featureScores());
    }
}
