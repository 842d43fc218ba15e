package dev.ganlab.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.cli.MainRunner;
import dev.ganlab.core.GanLab;
import dev.ganlab.models.ModelSummary.Network;
import dev.ganlab.models.ModelSummary.Row;
import dev.ganlab.train.TrainConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ganlab summary} and {@link ModelSummary} against the parameter counts and layer shapes of the
 * reference architectures built in PyTorch by environment/reference/make_model_fixtures.py
 * ({@code /models/summary_reference.json}). Every setting an architecture depends on is pinned with
 * {@code --set}, so a change of a default elsewhere does not move these numbers.
 */
class ModelSummaryTest {

    private static JsonObject reference;

    /** PyTorch-GAN dcgan.py's layout (dcgan's before the paper defaults), pinned. */
    private static final String[] DCGAN_PINNED = {"--set", "dcgan.generator=pytorchgan", "--set", "dcgan.discriminator=pytorchgan", "--set", "dcgan.latentDim=100", "--set", "dcgan.gWidth=128",
        "--set", "dcgan.dWidth=16", "--set", "dcgan.dNorm=batch", "--set", "dcgan.dDropout=0.25",
        "--set", "tricks.minibatchDiscrimination=0"};
    /** ProGAN at the official code's full width (networks.py G_paper / D_paper). */
    private static final String[] PROGAN_PINNED = {"--set", "progan.latentSize=512", "--set", "progan.fmapBase=8192",
        "--set", "progan.fmapDecay=1", "--set", "progan.fmapMax=512", "--set", "progan.fmapScale=1",
        "--set", "progan.mbstdGroupSize=4"};
    /** PyTorch-GAN gan.py's layout, pinned. */
    private static final String[] GAN_PINNED = {"--set", "gan.latentDim=100", "--set", "gan.gHidden=128,256,512,1024",
        "--set", "gan.dHidden=512,256", "--set", "gan.gNorm=batch", "--set", "gan.dNorm=none",
        "--set", "tricks.minibatchDiscrimination=0"};

    /** The paper's MNIST networks as GanConfig's javadoc gives them on the command line. */
    private static final String[] GOODFELLOW_2014 = {"--set", "gan.gHidden=1200,1200", "--set", "gan.gNorm=none",
        "--set", "gan.gActivation=relu", "--set", "gan.dHidden=240,240", "--set", "gan.dActivation=maxout",
        "--set", "gan.maxoutPieces=5", "--set", "gan.dInputDropout=0.2", "--set", "gan.dDropout=0.5",
        "--set", "gan.latentDim=100", "--set", "gan.init=pylearn2",
        "--set", "tricks.minibatchDiscrimination=0"};

    @BeforeAll
    static void load() throws IOException {
        GanLab.init();
        try (InputStream in = ModelSummaryTest.class.getResourceAsStream("/models/summary_reference.json")) {
            if (in == null) {
                throw new IllegalStateException("missing /models/summary_reference.json (made by"
                        + " environment/reference/make_model_fixtures.py)");
            }
            reference = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    private static String[] args(String model, int r, int c, String[] pinned, String... more) {
        List<String> a = new ArrayList<>(List.of("summary", "--model", model, "--resolution", Integer.toString(r),
                "--channels", Integer.toString(c)));
        a.addAll(List.of(pinned));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** Runs the command and returns its output; fails on a non-zero status. */
    private static String summary(String... args) {
        String[] r = MainRunner.run(args);
        assertEquals("0", r[0], "ganlab " + String.join(" ", args) + " failed: " + r[2]);
        return r[1];
    }

    private static long total(String out, String network) {
        Matcher m = Pattern.compile("(?m)^" + network + " parameters (\\d+)$").matcher(out);
        assertTrue(m.find(), "no '" + network + " parameters N' line in:\n" + out);
        return Long.parseLong(m.group(1));
    }

    private static void assertTotals(String key, String out) {
        JsonObject ref = reference.getAsJsonObject(key);
        assertEquals(ref.getAsJsonObject("generator").get("parameters").getAsLong(), total(out, "generator"),
                key + " generator");
        assertEquals(ref.getAsJsonObject("discriminator").get("parameters").getAsLong(), total(out, "discriminator"),
                key + " discriminator");
        String[] lines = out.strip().split("\n");
        assertTrue(lines[lines.length - 2].startsWith("generator parameters ")
                && lines[lines.length - 1].startsWith("discriminator parameters "), "totals are the last two lines");
    }

    @Test
    void ganTotalsMatchTheReferenceBuiltInPytorch() {
        assertTotals("gan_1x28", summary(args("gan", 28, 1, GAN_PINNED)));
        assertTotals("gan_3x32", summary(args("gan", 32, 3, GAN_PINNED)));
        // Spectral norm: the same trainable values; u and v are state.
        assertTotals("gan_1x28_spectral", summary(args("gan", 28, 1, GAN_PINNED, "--set", "gan.dNorm=spectral")));
    }

    @Test
    void thePapersMaxoutNetworksMatchTheReference() {
        assertTotals("gan_1x28_goodfellow2014", summary(args("gan", 28, 1, GOODFELLOW_2014)));
        ModelSummary s = ModelSummary.of(model("gan", 1, 28, GOODFELLOW_2014));
        JsonObject ref = reference.getAsJsonObject("gan_1x28_goodfellow2014");
        assertEquals(referenceLayers(ref.getAsJsonObject("generator")), leafLayers(s.generator()));
        assertEquals(referenceLayers(ref.getAsJsonObject("discriminator")), leafLayers(s.discriminator()));
        // GanConfig.goodfellow2014() is the same network.
        ModelSummary f = ModelSummary.of(new dev.ganlab.models.gan.MlpGanModel(
                dev.ganlab.models.gan.GanConfig.goodfellow2014(), 1, 28));
        assertEquals(s.toString(), f.toString());
    }

    @Test
    void dcganTotalsMatchTheReferenceBuiltInPytorch() {
        assertTotals("dcgan_1x28", summary(args("dcgan", 28, 1, DCGAN_PINNED)));
        assertTotals("dcgan_3x32", summary(args("dcgan", 32, 3, DCGAN_PINNED)));
    }

    /**
     * {@code ganlab summary --model dcgan} shows the DCGAN paper's discriminator, dcgan's default: its
     * total and one row per 5x5 convolution (output shape and C_out C_in 25 weights, no bias) equal the
     * PyTorch build of environment/reference/make_dcgan_discriminator_fixtures.py. Batch and layer norm
     * have the same trainable values, so the total holds whichever "auto" picks.
     */
    @Test
    void dcganSummaryShowsThePaperDiscriminatorByDefault() throws IOException {
        JsonObject paperD;
        try (InputStream in = ModelSummaryTest.class.getResourceAsStream("/models/dcgan_paper_d_reference.json")) {
            paperD = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
        String[] defaults = {"--set", "tricks.minibatchDiscrimination=0"};
        for (int[] cr : new int[][] {{1, 28}, {3, 64}}) {
            JsonObject ref = paperD.getAsJsonObject("batch_" + cr[0] + "x" + cr[1]);
            String out = summary(args("dcgan", cr[1], cr[0], defaults));
            assertEquals(ref.get("trainable").getAsLong(), total(out, "discriminator"), "dcgan D at " + cr[1] + " px");
            List<String> rows = leafLayers(ModelSummary.of(model("dcgan", cr[0], cr[1], defaults)).discriminator());
            long in = cr[0];
            for (JsonElement e : ref.getAsJsonArray("conv_shapes")) {
                JsonArray shape = e.getAsJsonArray();
                long outC = shape.get(0).getAsLong();
                String row = "(N, " + outC + ", " + shape.get(1).getAsLong() + ", " + shape.get(2).getAsLong() + ") "
                        + (outC * in * 25);
                assertTrue(rows.contains(row), row + " in " + rows);
                in = outC;
            }
        }
    }

    @Test
    void proganTotalsMatchTheOfficialArchitectureAt32AndAt1024Pixels() {
        assertTotals("progan_3x32", summary(args("progan", 32, 3, PROGAN_PINNED, "--depth", "1")));
        // The paper's table 2 gives 23.1M for each network at 1024x1024.
        String out = summary(args("progan", 1024, 3, PROGAN_PINNED, "--depth", "0"));
        assertTotals("progan_3x1024", out);
        assertEquals(23.1e6, total(out, "generator"), 0.05e6);
        assertEquals(23.1e6, total(out, "discriminator"), 0.05e6);
    }

    /** Rows that hold trainable values, in order, as {output shape, parameters}. */
    private static List<String> leafLayers(Network n) {
        List<String> out = new ArrayList<>();
        List<Row> rows = n.rows();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            boolean leaf = i + 1 == rows.size() || rows.get(i + 1).depth() <= r.depth();
            if (leaf && r.parameters() > 0) {
                out.add(r.outputShape() + " " + r.parameters());
            }
        }
        return out;
    }

    private static List<String> referenceLayers(JsonObject net) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : net.getAsJsonArray("layers")) {
            JsonObject l = e.getAsJsonObject();
            if (l.get("parameters").getAsLong() == 0) {
                continue;
            }
            StringBuilder s = new StringBuilder("(N");
            for (JsonElement d : (JsonArray) l.get("output")) {
                s.append(", ").append(d.getAsLong());
            }
            out.add(s.append(") ").append(l.get("parameters").getAsLong()).toString());
        }
        return out;
    }

    private static GanModel model(String name, int c, int r, String[] pinned) {
        TrainConfig cfg = new TrainConfig();
        cfg.model = name;
        cfg.resolution = r;
        for (int i = 0; i < pinned.length; i += 2) {
            String kv = pinned[i + 1];
            cfg.set(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        return Models.create(cfg.resolved(), c, r, "test");
    }

    @Test
    void everyLayerHasTheReferenceOutputShapeAndParameterCount() {
        for (String key : List.of("gan_1x28", "gan_3x32", "dcgan_1x28", "dcgan_3x32")) {
            String name = key.substring(0, key.indexOf('_'));
            int c = key.contains("1x28") ? 1 : 3;
            int r = c == 1 ? 28 : 32;
            ModelSummary s = ModelSummary.of(model(name, c, r, name.equals("gan") ? GAN_PINNED : DCGAN_PINNED));
            JsonObject ref = reference.getAsJsonObject(key);
            assertEquals(referenceLayers(ref.getAsJsonObject("generator")), leafLayers(s.generator()), key + " G");
            assertEquals(referenceLayers(ref.getAsJsonObject("discriminator")), leafLayers(s.discriminator()),
                    key + " D");
            // Batch-norm running mean and variance are state, not parameters (as torch's buffers).
            assertEquals(ref.getAsJsonObject("generator").get("nonTrainable").getAsLong(), s.generator().nonTrainable(),
                    key + " G state");
            assertEquals(ref.getAsJsonObject("discriminator").get("nonTrainable").getAsLong(),
                    s.discriminator().nonTrainable(), key + " D state");
        }
    }

    @Test
    void spectralNormVectorsAreCountedAsStateNotParameters() {
        String[] sn = GAN_PINNED.clone();
        sn[9] = "gan.dNorm=spectral";
        ModelSummary s = ModelSummary.of(model("gan", 1, 28, sn));
        JsonObject ref = reference.getAsJsonObject("gan_1x28_spectral").getAsJsonObject("discriminator");
        // torch's spectral_norm buffers: u (out) and v (in) per Linear: 512 + 784, 256 + 512, 1 + 256.
        assertEquals(2321, ref.get("nonTrainable").getAsLong());
        assertEquals(ref.get("nonTrainable").getAsLong(), s.discriminator().nonTrainable());
        assertEquals(ref.get("parameters").getAsLong(), s.discriminatorParameters());
    }

    @Test
    void aSummaryLeavesAnUninitialisedModelUninitialisedAndAnInitialisedOneAsItWas() {
        GanModel m = model("gan", 1, 28, GAN_PINNED);
        ModelSummary first = ModelSummary.of(m);
        assertFalse(m.generator().isInitialized(), "the summary must not initialise the model for the trainer");
        assertFalse(m.discriminator().isInitialized());
        try (var manager = GanLab.newManager()) {
            m.initializeGenerator(m.generator(), manager);
            m.initializeDiscriminator(manager);
            var w = m.generator().getParameters().get(0).getValue().getArray();
            float before = w.sum().getFloat();
            ModelSummary again = ModelSummary.of(m);
            assertTrue(m.generator().isInitialized());
            assertEquals(before, m.generator().getParameters().get(0).getValue().getArray().sum().getFloat());
            assertEquals(first.toString(), again.toString());
            var t = again.table();
            List<Long> totals = new ArrayList<>();
            for (int i = 0; i < t.rowCount(); i++) {
                if (t.stringColumn("block").get(i).equals("total")) {
                    totals.add(t.longColumn("parameters").get(i));
                }
            }
            assertEquals(List.of(first.generatorParameters(), first.discriminatorParameters()), totals);
        }
    }

    @Test
    void badInputIsRejectedNamingWhatIsWrong() {
        String[] r = MainRunner.run("summary", "--model", "gan", "--resolution", "28", "--channels", "1",
                "--set", "gan.nosuch=1");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("gan.nosuch"), r[2]);
        r = MainRunner.run("summary", "--model", "nosuch", "--resolution", "28", "--channels", "1");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("nosuch"), r[2]);
        r = MainRunner.run("summary", "--model", "gan", "--resolution", "28");
        assertEquals("2", r[0], "--channels is required");
        assertTrue(r[2].contains("--channels"), r[2]);
    }
}
