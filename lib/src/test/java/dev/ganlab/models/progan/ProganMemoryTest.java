package dev.ganlab.models.progan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.StepScope;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.models.Mix;
import dev.ganlab.models.progan.ProganSchedule.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

/**
 * ProGAN's forward passes free each block's output once the next block has read it (issue 18, item 4):
 * what a forward leaves open in the caller's scope is its output, not every layer's. Before, a sample-grid
 * chunk at 256 px held 2.1 GB of arrays at its end (lib/BENCHMARKS.md, "Peak memory by model and
 * resolution"). Checked at a stable stage and in a fade-in (which reads the previous block's output
 * twice), with and without skip-layer excitation (whose gates read earlier maps), and with a graph,
 * where the backward must still find everything it reads.
 */
class ProganMemoryTest {

    private static final int RES = 32;
    private static final int N = 4;

    @BeforeAll
    static void engine() {
        GanLab.init();
    }

    private static ProganConfig config() {
        ProganConfig cfg = ProganScheduleTest.smallConfig();
        cfg.targetResolution = RES;
        return cfg;
    }

    private static long bytes(NDArray a) {
        return a.getShape().size() * a.getDataType().getNumOfBytes();
    }

    private static Stage stage(String name) {
        return name.startsWith("fade") ? Stage.fadeIn(RES, 0.3) : Stage.stable(RES);
    }

    @ParameterizedTest
    @ValueSource(strings = {"stable", "fade", "stable+sle", "fade+sle"})
    void aGeneratorForwardWithoutAGraphLeavesOnlyItsImagesOpen(String variant) {
        Mix mix = new Mix(false, 0, 0, 5, variant.endsWith("sle"));
        ProganModel model = new ProganModel(config(), mix);
        try (NDManager m = GanLab.newManager()) {
            model.initializeGenerator(model.generator(), m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray z = model.sampleLatent(m, N);
            try (StepScope scope = new StepScope()) {
                NDArray images = model.generate(model.generator(), ps, z, false, stage(variant));
                assertEquals(new Shape(N, 3, RES, RES), images.getShape());
                // Without the releases every block's output, its activations and pixel norms stay open
                // (many times the image at 32 px, whose maps have 16 channels against the image's 3).
                assertEquals(bytes(images), scope.heldBytes(), "bytes left open besides the images");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stable", "fade"})
    void aDiscriminatorForwardLeavesItsOutputsOpenAndTheBackwardStillReachesEveryWeight(String variant) {
        ProganModel model = new ProganModel(config());
        try (NDManager m = GanLab.newManager()) {
            model.initializeDiscriminator(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray reals = m.randomUniform(-1, 1, new Shape(N, 3, RES, RES));
            List<String> withoutGradient = new ArrayList<>();
            try (StepScope scope = new StepScope();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                DiscriminatorOutput out = model.discriminate(ps, reals, true, stage(variant));
                // The logits (N) and the features (N, F); none of the blocks' maps (one 16-channel
                // 32 px map is 64 KB per image).
                assertEquals(bytes(out.logits()) + bytes(out.features()), scope.heldBytes(),
                        "bytes left open besides the logits and features");
                gc.backward(out.logits().square().mean());
            }
            int expected = 0;
            for (Pair<String, Parameter> p : model.discriminator().getParameters()) {
                String name = p.getKey();
                boolean active = !name.contains("fromRGB") || name.contains("fromRGB" + RES + "_")
                        || (variant.equals("fade") && name.contains("fromRGB" + RES / 2 + "_"));
                if (!active) {
                    continue;
                }
                expected++;
                try (NDArray g = p.getValue().getArray().getGradient()) {
                    if (g.abs().sum().getFloat() == 0f) {
                        withoutGradient.add(name);
                    }
                }
            }
            assertTrue(expected > 10, "parameters checked: " + expected);
            assertTrue(withoutGradient.isEmpty(), "no gradient reached " + withoutGradient);
        }
    }
}
