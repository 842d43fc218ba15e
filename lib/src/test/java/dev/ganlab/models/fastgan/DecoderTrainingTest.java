package dev.ganlab.models.fastgan;

import dev.ganlab.Slow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.ganlab.core.GanLab;
import dev.ganlab.loss.Params;
import dev.ganlab.models.DiscriminatorOutput;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The discriminator's decoders learn to reconstruct a fixed batch from its features. */
@Slow
class DecoderTrainingTest {

    private static final int STEPS = 40;
    private static final float LEARNING_RATE = 2e-3f;

    @BeforeAll
    static void engine() {
        FastganModelTest.engine();
    }

    @AfterAll
    static void threads() {
        FastganModelTest.threads();
    }

    /** Four smooth 64 px colour images in [-1, 1], different from one another. */
    static NDArray fixedBatch(NDManager m) {
        int n = 4, c = 3, s = 64;
        float[] v = new float[n * c * s * s];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < s; y++) {
                    for (int x = 0; x < s; x++) {
                        double fy = (1 + i) * Math.PI / s;
                        double fx = (1 + (i + ch) % 3) * Math.PI / s;
                        v[((i * c + ch) * s + y) * s + x] = (float) (0.8 * Math.sin(fy * y + ch) * Math.cos(fx * x + i));
                    }
                }
            }
        }
        return m.create(v, new Shape(n, c, s, s));
    }

    /** The reconstruction loss averaged over the four quadrants. */
    static float reconstructionLoss(FastganModel model, NDManager params, NDArray reals) {
        try (NDManager step = params.newSubManager()) {
            ParameterStore ps = new ParameterStore(step, false);
            float sum = 0;
            for (int q = 0; q < 4; q++) {
                Reconstructions r = model.reconstruct(ps, reals, q, true);
                sum += model.reconstructionLoss().distance(r.full(), r.fullTarget()).getFloat()
                        + model.reconstructionLoss().distance(r.part(), r.partTarget()).getFloat();
            }
            return sum / 4;
        }
    }

    @Test
    void aFewAdamStepsOnTheReconstructionLossCutItFourfold() {
        FastganConfig cfg = FastganModelTest.small(c -> {
            c.dWidth = 8;
            c.decoderWidth = 8;
        });
        FastganModel model = new FastganModel(cfg, 3, 64);
        try (NDManager params = GanLab.newManager()) {
            GanLab.seedEngine(1);
            model.initializeDiscriminator(params);
            NDArray reals = fixedBatch(params);
            List<Parameter> trainable = Params.trainable(model.discriminator());
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(LEARNING_RATE)).build();
            float before = reconstructionLoss(model, params, reals);
            for (int i = 0; i < STEPS; i++) {
                try (NDManager step = params.newSubManager()) {
                    ParameterStore ps = new ParameterStore(step, false);
                    try (dev.ganlab.core.StepScope autogradScope = new dev.ganlab.core.StepScope(); GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        DiscriminatorOutput out = model.discriminate(ps, reals, true, true);
                        gc.backward(out.auxLoss());
                    }
                    for (Parameter p : trainable) {
                        PtNDArray g = JniUtils.getGradient((PtNDArray) p.getArray());
                        if (g != null) { // the logit head is not part of this loss
                            adam.update(p.getId(), p.getArray(), g);
                            g.close();
                        }
                    }
                }
            }
            float after = reconstructionLoss(model, params, reals);
            assertTrue(after < 0.25f * before, "reconstruction loss " + before + " -> " + after);
        }
    }
}
