package dev.ganlab.models.fastgan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.ganlab.core.GanLab;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReconstructionLossTest {

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    @Test
    void pixelDistancesMatchHandComputations() {
        try (NDManager m = GanLab.newManager()) {
            float[] a = {0.5f, -1f, 0.25f, 1f, 0f, -0.5f};
            float[] b = {0f, -0.5f, 1f, 1f, 0.5f, 0.5f};
            // per image (3 values each): mean |d| and mean d^2
            double[] l1 = new double[2];
            double[] mse = new double[2];
            for (int i = 0; i < a.length; i++) {
                l1[i / 3] += Math.abs(a[i] - b[i]) / 3;
                mse[i / 3] += (a[i] - b[i]) * (a[i] - b[i]) / 3;
            }
            NDArray x = m.create(a, new Shape(2, 1, 1, 3));
            NDArray y = m.create(b, new Shape(2, 1, 1, 3));
            // default reduction "sum": per-image values summed over the batch (official percept(...).sum());
            // mse is put on LPIPS's scale by MSE_TO_LPIPS
            float k = ReconstructionLoss.MSE_TO_LPIPS;
            assertEquals(l1[0] + l1[1], ReconstructionLoss.parse("l1").distance(x, y).getFloat(), 1e-6);
            assertEquals(k * (mse[0] + mse[1]), ReconstructionLoss.parse("mse").distance(x, y).getFloat(), 1e-6);
            assertEquals(l1[0] + l1[1] + mse[0] + mse[1], ReconstructionLoss.parse("l1+mse").distance(x, y).getFloat(), 1e-6);
            assertArrayEquals(new float[] {(float) (k * mse[0]), (float) (k * mse[1])},
                    ReconstructionLoss.parse("mse").perImage(x, y).toFloatArray(), 1e-6f);
            // reduction "mean": averaged over the batch instead
            assertEquals((l1[0] + l1[1]) / 2, ReconstructionLoss.parse("l1", "mean").distance(x, y).getFloat(), 1e-6);
            assertEquals(k * (mse[0] + mse[1]) / 2, ReconstructionLoss.parse("mse", "mean").distance(x, y).getFloat(), 1e-6);
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> ReconstructionLoss.parse("mse", "median"));
            assertTrue(bad.getMessage().contains("median"), bad.getMessage());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ReconstructionLoss.parse("l1").distance(x, m.zeros(new Shape(2, 1, 3, 1))));
            assertTrue(e.getMessage().contains("(2, 1, 3, 1)"), e.getMessage());
        }
    }

    @Test
    void unknownOrMissingDistancesAreRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReconstructionLoss.parse("l2"));
        assertTrue(e.getMessage().contains("'l2'") && e.getMessage().contains("lpips=PATH"), e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ReconstructionLoss.parse("lpips=/no/such/net.pt"));
        assertTrue(missing.getMessage().contains("/no/such/net.pt"), missing.getMessage());
    }

    @Test
    void aTorchScriptPerceptualNetworkIsCalledOnBothBatchesAndPassesGradients(@TempDir Path dir) throws IOException {
        Path net = writeMeanAbsoluteDistanceModule(dir.resolve("mad.pt"));
        try (ReconstructionLoss loss = ReconstructionLoss.parse("lpips=" + net); NDManager m = GanLab.newManager()) {
            NDArray a = m.randomUniform(-1f, 1f, new Shape(3, 2, 4, 4));
            NDArray b = m.randomUniform(-1f, 1f, new Shape(3, 2, 4, 4));
            // The module returns each image's mean |a - b|; the loss is their sum over the 3 images
            // (official percept(...).sum()).
            float expected = 3 * a.sub(b).abs().mean().getFloat();
            assertEquals(expected, loss.distance(a, b).getFloat(), 1e-6f);
            NDArray ag = a.duplicate();
            ag.setRequiresGradient(true);
            try (dev.ganlab.core.StepScope autogradScope = new dev.ganlab.core.StepScope(); GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(loss.distance(ag, b));
            }
            float[] g = ag.getGradient().toFloatArray();
            float[] sign = a.sub(b).sign().div(a.size() / 3).toFloatArray();
            assertArrayEquals(sign, g, 1e-7f, "gradient reaches the reconstruction through the module");
        }
    }

    /**
     * With {@code lpips=PATH} and the defaults (reduction "sum", reconWeight 1) the discriminator's
     * auxiliary loss on a real batch is the official one: for the full, part and small decoders,
     * {@code percept(rec, target).sum()} over the batch, added with weight 1 (FastGAN's train.py). The
     * module here is a stand-in distance (mean |a - b| per image); the expected value is computed from
     * the decoders' outputs by hand for each of the four quadrants, since the part decoder's quadrant is
     * drawn at random. The per-image mean instead of the sum would be a third of it.
     */
    @Test
    void withAPerceptualNetworkTheAuxiliaryLossIsTheOfficialSumOverDecodersAndImages(@TempDir Path dir)
            throws IOException {
        Path net = writeMeanAbsoluteDistanceModule(dir.resolve("mad.pt"));
        FastganConfig cfg = FastganModelTest.small(c -> c.reconLoss = "lpips=" + net);
        assertEquals("sum", cfg.reconReduction);
        assertEquals(1f, cfg.reconWeight);
        FastganModel model = new FastganModel(cfg, 3, 64);
        try (NDManager m = GanLab.newManager()) {
            model.initializeDiscriminator(m);
            ai.djl.training.ParameterStore ps = new ai.djl.training.ParameterStore(m, false);
            NDArray images = m.randomUniform(-1f, 1f, new Shape(3, 3, 64, 64));
            // Each training forward takes one power-iteration step of D's spectral norms, in place: every
            // forward below starts from the same vectors, so all of them divide by the same sigma.
            java.util.Map<NDArray, float[]> vectors = new java.util.HashMap<>();
            for (var p : model.discriminator().getParameters()) {
                if (p.getKey().endsWith("sn_u") || p.getKey().endsWith("sn_v")) {
                    vectors.put(p.getValue().getArray(), p.getValue().getArray().toFloatArray());
                }
            }
            assertTrue(!vectors.isEmpty(), "FastGAN's D has spectral norm");
            float aux = model.discriminate(ps, images, true, true).auxLoss().getFloat();
            StringBuilder seen = new StringBuilder();
            boolean matched = false;
            for (int q = 0; q < 4; q++) {
                vectors.forEach(NDArray::set);
                Reconstructions r = model.reconstruct(ps, images, q, true);
                float expected = perImageSum(r.full(), r.fullTarget()) + perImageSum(r.part(), r.partTarget())
                        + perImageSum(r.small(), r.smallTarget());
                seen.append(' ').append(expected);
                matched |= Math.abs(expected - aux) <= 1e-4f * Math.max(1f, expected);
            }
            assertTrue(matched, "aux loss " + aux + " is none of the quadrants' official sums:" + seen);
        } finally {
            model.close();
        }
    }

    /** Sum over the batch of each image's mean |rec - target|, from plain arrays. */
    private static float perImageSum(NDArray rec, NDArray target) {
        float[] a = rec.toFloatArray();
        float[] b = target.toFloatArray();
        int n = (int) rec.getShape().get(0);
        int per = a.length / n;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < per; j++) {
                s += Math.abs(a[i * per + j] - b[i * per + j]);
            }
            total += s / per;
        }
        return (float) total;
    }

    /**
     * Writes a parameter-free TorchScript module, {@code forward(a, b) = mean(|a - b|, [1, 2, 3])}, in
     * the archive layout torch.jit.save produces (code, pickled module object, constants, version),
     * so the test needs no Python.
     */
    static Path writeMeanAbsoluteDistanceModule(Path file) throws IOException {
        String code = String.join("\n",
                "class MeanAbsoluteDistance(Module):",
                "  __parameters__ = []",
                "  __buffers__ = []",
                "  training : bool",
                "  _is_full_backward_hook : NoneType",
                "  def forward(self: __torch__.MeanAbsoluteDistance,",
                "    a: Tensor,",
                "    b: Tensor) -> Tensor:",
                "    return torch.mean(torch.abs(torch.sub(a, b)), [1, 2, 3])",
                "");
        ByteArrayOutputStream pkl = new ByteArrayOutputStream();
        pkl.write(new byte[] {(byte) 0x80, 2}); // PROTO 2
        pkl.writeBytes("c__torch__\nMeanAbsoluteDistance\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        pkl.write(new byte[] {')', (byte) 0x81, '}', '('}); // EMPTY_TUPLE NEWOBJ EMPTY_DICT MARK
        writeUnicode(pkl, "training");
        pkl.write(0x89); // NEWFALSE
        writeUnicode(pkl, "_is_full_backward_hook");
        pkl.write(new byte[] {'N', 'u', 'b', '.'}); // NONE SETITEMS BUILD STOP
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            stored(zip, "mad/data.pkl", pkl.toByteArray());
            stored(zip, "mad/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            stored(zip, "mad/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(zip, "mad/version", "4\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    private static void writeUnicode(ByteArrayOutputStream pkl, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        pkl.write('X'); // BINUNICODE, 4-byte little-endian length
        pkl.write(b.length);
        pkl.write(0);
        pkl.write(0);
        pkl.write(0);
        pkl.writeBytes(b);
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
