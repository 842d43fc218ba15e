package dev.ganlab.models.fastgan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.StepScope;
import dev.ganlab.models.DiscriminatorOutput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * FastGAN's forward passes free what nobody reads as they go (issue 18, item 4): the arrays a
 * forward leaves open in the caller's scope are its outputs (and, for D, the maps its outputs are
 * made from), not every layer's output and temporaries.
 */
class FastganMemoryTest {

    private static final int RES = 256;

    @BeforeAll
    static void engine() {
        GanLab.init();
        GanLab.noGradOnThisThread();
        JniUtils.setNumThreads(1);
    }

    @AfterAll
    static void threads() {
        JniUtils.setNumThreads(GanLab.threads());
    }

    private static long bytes(NDArray a) {
        return a.getShape().size() * a.getDataType().getNumOfBytes();
    }

    @Test
    void aGeneratorForwardWithoutAGraphLeavesOnlyItsImagesOpen() {
        FastganModel model = new FastganModel(FastganModelTest.small(), 3, RES);
        try (NDManager m = GanLab.newManager()) {
            model.initializeGenerator(model.generator(), m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray z = model.sampleLatent(m, 2);
            try (StepScope scope = new StepScope()) {
                NDList views = model.generateViews(model.generator(), ps, z, true);
                long outputs = bytes(views.get(0)) + bytes(views.get(1));
                // Without freeing, every layer's output stays open: the 256 px UpBlock alone holds its
                // phase stack, convolution, batch norm and GLU outputs (several times the image).
                assertEquals(outputs, scope.heldBytes(), "bytes left open besides the two images");
            }
        }
    }

    @Test
    void aDiscriminatorForwardWithAGraphLeavesItsOutputsAndMapsOpenAndBackwardStillWorks() {
        FastganModel model = new FastganModel(FastganModelTest.small(), 3, RES);
        try (NDManager m = GanLab.newManager()) {
            model.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray reals = m.randomUniform(-1, 1, new Shape(2, 3, RES, RES));
            try (StepScope scope = new StepScope();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                DiscriminatorOutput out = model.discriminate(ps, reals, true, true);
                FastganDiscriminator d = model.discriminator();
                int s = d.smallSize();
                long c8 = FastganModelTest.small().dWidth * 8L;
                // map8 (also the features, a view), map16, the small branch's 8x8 map and its input
                // (a strided view of the reals); the logits (with the heads' outputs and their
                // views), the loss and its terms. Not the decoders' outputs, targets or distances.
                long maps = 4L * 2 * (2 * c8 * 64 + c8 / 2 * 256 + c8 * 64 + 3L * s * s);
                long small = 4L * (3 * out.logits().size() + 16);
                long held = scope.heldBytes();
                assertTrue(held <= maps + small, "held " + held + " bytes, outputs and maps " + (maps + small));
                gc.backward(out.logits().mean().add(out.auxLoss()));
            }
            for (Pair<String, Parameter> p : model.discriminator().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    try (NDArray g = p.getValue().getArray().getGradient()) {
                        float[] v = g.toFloatArray();
                        for (float x : v) {
                            assertTrue(Float.isFinite(x), p.getKey() + " has a non-finite gradient");
                        }
                    }
                }
            }
        }
    }
}
