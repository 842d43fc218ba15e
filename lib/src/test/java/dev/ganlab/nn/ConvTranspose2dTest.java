package dev.ganlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.StepScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@link ConvTranspose2d} against {@code torch.nn.functional.conv_transpose2d} and PyTorch's
 * {@code spectral_norm} (fixtures of {@code environment/reference/make_conv_transpose_fixtures.py},
 * computed in float64).
 */
class ConvTranspose2dTest {

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    static JsonObject fixture(String name) {
        try (InputStream in = ConvTranspose2dTest.class.getResourceAsStream("/nn/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /nn/" + name
                        + " (made by environment/reference/make_conv_transpose_fixtures.py)");
            }
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] floats(JsonObject o, String key) {
        JsonArray a = o.getAsJsonArray(key);
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsFloat();
        }
        return v;
    }

    static Shape shape(JsonObject o, String key) {
        JsonArray a = o.getAsJsonArray(key);
        long[] s = new long[a.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = a.get(i).getAsLong();
        }
        return new Shape(s);
    }

    /** Float32 against a float64 reference: absolute 1e-4 plus 1e-4 relative to the largest value. */
    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " size");
        float scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        float tol = 1e-4f + 1e-4f * scale;
        for (int i = 0; i < expected.length; i++) {
            final int at = i;
            assertEquals(expected[i], actual[i], tol, () -> what + " differs at " + at);
        }
    }

    /** Outputs and the gradients of input, weight and bias for every fixture case. */
    @Test
    void matchesPytorchConvTranspose2dInValuesAndGradients() {
        for (JsonElement e : fixture("conv_transpose.json").getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            String name = c.get("name").getAsString();
            boolean hasBias = !c.get("b").isJsonNull();
            Shape xs = shape(c, "xShape");
            Shape ws = shape(c, "wShape");
            try (NDManager m = GanLab.newManager()) {
                ConvTranspose2d layer = ConvTranspose2d.builder().setChannels(ws.get(1)).setKernel((int) ws.get(2))
                        .optStride(c.get("stride").getAsInt()).optPadding(c.get("padding").getAsInt())
                        .optOutputPadding(c.get("outputPadding").getAsInt()).optBias(hasBias).build();
                layer.initialize(m, DataType.FLOAT32, xs);
                assertEquals(shape(c, "yShape"), layer.getOutputShapes(new Shape[] {xs})[0], name + " output shape");
                assertEquals(ws, layer.weight().getArray().getShape(), name + " weight layout (C_in, C_out, k, k)");
                NDArray w = layer.weight().getArray();
                w.set(floats(c, "w"));
                NDArray b = hasBias ? layer.getParameters().get("bias").getArray() : null;
                if (hasBias) {
                    b.set(floats(c, "b"));
                }
                NDArray x = m.create(floats(c, "x"), xs);
                x.setRequiresGradient(true);
                NDArray g = m.create(floats(c, "g"), shape(c, "yShape"));
                float[] y;
                try (StepScope scope = new StepScope();
                        GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray out = layer.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
                    gc.backward(out.mul(g).sum());
                    y = out.toFloatArray();
                }
                assertClose(floats(c, "y"), y, name + " output");
                assertClose(floats(c, "dx"), x.getGradient().toFloatArray(), name + " input gradient");
                assertClose(floats(c, "dw"), w.getGradient().toFloatArray(), name + " weight gradient");
                if (hasBias) {
                    assertClose(floats(c, "db"), b.getGradient().toFloatArray(), name + " bias gradient");
                }
            }
        }
    }

    /**
     * One training forward of the spectrally normalised layer from PyTorch's start vector u: the
     * output, the updated u and all gradients (including sigma's own) match torch's spectral_norm
     * (dim=1); repeated forwards converge to the largest singular value of the C_out-row matrix.
     */
    @Test
    void spectralNormFollowsPytorchSpectralNormOnTransposedConvs() {
        JsonObject c = fixture("conv_transpose_spectral.json");
        Shape xs = shape(c, "xShape");
        try (NDManager m = GanLab.newManager()) {
            ConvTranspose2d layer = ConvTranspose2d.builder().setChannels(4).setKernel(4).optStride(2).optPadding(1)
                    .optScaling(WeightScaling.SPECTRAL).build();
            layer.initialize(m, DataType.FLOAT32, xs);
            NDArray w = layer.weight().getArray();
            w.set(floats(c, "w"));
            NDArray b = layer.getParameters().get("bias").getArray();
            b.set(floats(c, "b"));
            NDArray u = layer.getParameters().get("sn_u").getArray();
            u.set(floats(c, "u0"));
            NDArray x = m.create(floats(c, "x"), xs);
            x.setRequiresGradient(true);
            NDArray g = m.create(floats(c, "g"), shape(c, "yShape"));
            float[] y;
            try (StepScope scope = new StepScope();
                    GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray out = layer.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
                gc.backward(out.mul(g).sum());
                y = out.toFloatArray();
            }
            assertClose(floats(c, "y"), y, "output");
            assertClose(floats(c, "u"), u.toFloatArray(), "updated u");
            assertEquals(c.get("sigma").getAsFloat(), layer.spectralNorm(), 1e-4, "sigma after one step");
            assertClose(floats(c, "dx"), x.getGradient().toFloatArray(), "input gradient");
            assertClose(floats(c, "dw"), w.getGradient().toFloatArray(), "weight gradient (through sigma too)");
            assertClose(floats(c, "db"), b.getGradient().toFloatArray(), "bias gradient");

            NDArray x2 = m.create(floats(c, "x"), xs);
            for (int i = 0; i < 100; i++) {
                try (NDManager step = m.newSubManager()) {
                    layer.forward(new ParameterStore(step, false), new NDList(x2), true);
                }
            }
            double exact = c.get("sigmaExact").getAsDouble();
            assertEquals(exact, layer.spectralNorm(), 1e-3 * exact, "converges to sigma of the (C_out, C_in k k) matrix");
            double otherRows = c.get("sigmaExactInChannelRows").getAsDouble();
            assertTrue(Math.abs(otherRows - exact) > 0.05 * exact, "the fixture tells the two matricisations apart");
        }
    }

    @Test
    void equalizedScalesByHeConstantOfInChannelsTimesKernelArea() {
        try (NDManager m = GanLab.newManager()) {
            ConvTranspose2d layer = ConvTranspose2d.builder().setChannels(3).setKernel(4).optStride(2).optPadding(1)
                    .optScaling(WeightScaling.EQUALIZED).optBias(false).build();
            layer.initialize(m, DataType.FLOAT32, new Shape(2, 5, 3, 3));
            float expected = (float) (Math.sqrt(2) / Math.sqrt(5 * 4 * 4));
            assertEquals(expected, layer.runtimeScale(), 1e-7f);
            NDArray x = m.randomNormal(new Shape(2, 5, 3, 3));
            NDArray y = layer.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            NDArray plain = dev.ganlab.core.CpuKernels.convTranspose2d(x, layer.weight().getArray(), null, 2, 1, 0);
            assertTrue(y.sub(plain.mul(expected)).abs().max().getFloat() < 1e-5);
        }
    }

    @Test
    void doesNotLeakArraysIntoTheParameterManager() {
        for (WeightScaling scaling : WeightScaling.values()) {
            try (NDManager params = GanLab.newManager()) {
                ConvTranspose2d layer = ConvTranspose2d.builder().setChannels(3).setKernel(5).optStride(2).optPadding(2)
                        .optOutputPadding(1).optScaling(scaling).build();
                layer.initialize(params, DataType.FLOAT32, new Shape(2, 3, 4, 4));
                int before = ((ai.djl.ndarray.BaseNDManager) params).getManagedArrays().size();
                for (int i = 0; i < 3; i++) {
                    try (NDManager step = params.newSubManager()) {
                        layer.forward(new ParameterStore(step, false), new NDList(step.randomNormal(new Shape(2, 3, 4, 4))),
                                true);
                    }
                }
                int after = ((ai.djl.ndarray.BaseNDManager) params).getManagedArrays().size();
                assertEquals(before, after, scaling + " left arrays in the parameter manager");
            }
        }
    }

    @Test
    void badSettingsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvTranspose2d.builder().setChannels(2).setKernel(4).optStride(2).optOutputPadding(2).build());
        assertTrue(e.getMessage().contains("output padding 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConvTranspose2d.builder().setChannels(2).setKernel(3).optPadding(3).build());
        assertTrue(e.getMessage().contains("padding 3"), e.getMessage());
    }
}
