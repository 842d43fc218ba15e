package dev.ganlab.nn;

import static dev.ganlab.nn.ConvTranspose2dTest.assertClose;
import static dev.ganlab.nn.ConvTranspose2dTest.floats;
import static dev.ganlab.nn.ConvTranspose2dTest.shape;
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
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.StepScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Virtual batch normalisation against the closed form of Salimans et al.'s code, computed in float64
 * by {@code environment/reference/make_resnet19_fixtures.py} ({@code /nn/vbn.json}), and the
 * {@link ReferenceBatch} wrapper's contract: a minibatch's outputs do not depend on its other
 * examples, and the reference input is fixed and saved.
 */
class VirtualBatchNormTest {

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
    }

    /** Values and the gradients of input, gamma and beta for a conv-shaped and a dense-shaped input. */
    @Test
    void matchesTheClosedFormInValuesAndGradients() {
        JsonObject all = ConvTranspose2dTest.fixture("vbn.json");
        for (String name : new String[] {"conv", "dense"}) {
            JsonObject c = all.getAsJsonObject(name);
            Shape xs = shape(c, "shape");
            int r = c.get("reference").getAsInt();
            try (NDManager m = GanLab.newManager()) {
                VirtualBatchNorm vbn = new VirtualBatchNorm(r, VirtualBatchNorm.EPS, Init.ones());
                vbn.initialize(m, DataType.FLOAT32, xs);
                NDArray gamma = vbn.getParameters().get("gamma").getArray();
                NDArray beta = vbn.getParameters().get("beta").getArray();
                gamma.set(floats(c, "gamma"));
                beta.set(floats(c, "beta"));
                NDArray x = m.create(floats(c, "x"), xs);
                x.setRequiresGradient(true);
                NDArray w = m.create(floats(c, "w"), xs);
                float[] y;
                try (StepScope scope = new StepScope();
                        GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray out = vbn.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
                    assertEquals(xs, out.getShape(), name + " output shape");
                    gc.backward(out.mul(w).sum());
                    y = out.toFloatArray();
                }
                assertClose(floats(c, "y"), y, name + " output");
                assertClose(floats(c, "dx"), x.getGradient().toFloatArray(), name + " input gradient (through the reference statistics too)");
                assertClose(floats(c, "dgamma"), gamma.getGradient().toFloatArray(), name + " gamma gradient");
                assertClose(floats(c, "dbeta"), beta.getGradient().toFloatArray(), name + " beta gradient");
            }
        }
    }

    /**
     * Through {@link ReferenceBatch}, an example's output is the same whatever else is in its
     * minibatch (batch norm would change it), and in training and inference mode alike; the reference
     * input keeps its drawn values across calls and is a non-trainable parameter.
     */
    @Test
    void anExampleIsNormalisedIndependentlyOfItsMinibatch() {
        try (NDManager m = GanLab.newManager()) {
            SequentialBlock net = new SequentialBlock();
            net.add(Linear.builder().setUnits(6).build());
            net.add(new VirtualBatchNorm(5, VirtualBatchNorm.EPS, Init.normal(1, Init.DCGAN_STD)));
            net.add(Lambda.relu());
            net.add(Linear.builder().setUnits(3).build());
            ReferenceBatch g = new ReferenceBatch(net, 5, (mm, s, t) -> mm.randomUniform(-1f, 1f, s, t));
            g.initialize(m, DataType.FLOAT32, new Shape(2, 4));
            NDArray ref = g.getParameters().get("reference").getArray();
            assertEquals(new Shape(5, 4), ref.getShape());
            assertTrue(!g.getParameters().get("reference").requiresGradient(), "reference input is not trained");
            float[] refBefore = ref.toFloatArray();
            ParameterStore ps = new ParameterStore(m, false);
            NDArray a = m.randomNormal(new Shape(1, 4));
            NDArray b = m.randomNormal(new Shape(3, 4)).mul(5).add(2);
            NDArray alone = g.forward(ps, new NDList(a), true).singletonOrThrow();
            NDArray mixed = g.forward(ps, new NDList(a.concat(b, 0)), true).singletonOrThrow();
            NDArray inference = g.forward(ps, new NDList(a.concat(b, 0)), false).singletonOrThrow();
            assertEquals(new Shape(4, 3), mixed.getShape());
            assertArrayEquals(alone.toFloatArray(), mixed.get("0:1").toFloatArray(), 1e-5f);
            assertArrayEquals(mixed.toFloatArray(), inference.toFloatArray(), 1e-6f);
            assertArrayEquals(refBefore, ref.toFloatArray(), 0f);
            // Batch norm in the same place does depend on the minibatch: the check above can fail.
            SequentialBlock bnNet = new SequentialBlock();
            bnNet.add(Linear.builder().setUnits(6).build());
            bnNet.add(new BatchNorm());
            bnNet.add(Linear.builder().setUnits(3).build());
            bnNet.initialize(m, DataType.FLOAT32, new Shape(2, 4));
            NDArray bnAlone = bnNet.forward(ps, new NDList(a.concat(a, 0)), true).singletonOrThrow();
            NDArray bnMixed = bnNet.forward(ps, new NDList(a.concat(b, 0)), true).singletonOrThrow();
            assertTrue(bnAlone.get("0:1").sub(bnMixed.get("0:1")).abs().max().getFloat() > 1e-3f);
        }
    }

    @Test
    void aBatchWithoutRoomForTheReferenceIsRejected() {
        try (NDManager m = GanLab.newManager()) {
            VirtualBatchNorm vbn = new VirtualBatchNorm(4, VirtualBatchNorm.EPS, Init.ones());
            vbn.initialize(m, DataType.FLOAT32, new Shape(6, 3));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> vbn.forward(new ParameterStore(m, false), new NDList(m.ones(new Shape(4, 3))), true));
            assertTrue(e.getMessage().contains("4 reference rows"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new VirtualBatchNorm(0, 1e-5f, Init.ones()));
        }
    }
}
