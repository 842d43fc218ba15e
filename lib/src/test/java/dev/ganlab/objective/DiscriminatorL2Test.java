package dev.ganlab.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.StepScope;
import dev.ganlab.core.UserError;
import dev.ganlab.loss.Params;
import dev.ganlab.nn.Conv2d;
import dev.ganlab.nn.Init;
import dev.ganlab.nn.Linear;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The L2 regulariser against its closed form, lambda * mean over kernels of sum(W^2) / 2 (compare_gan's
 * {@code l2_penalty}), computed here in double precision from the weights' values; biases excluded.
 */
class DiscriminatorL2Test {

    static SequentialBlock critic(NDManager m) {
        SequentialBlock b = new SequentialBlock();
        b.add(Conv2d.builder().setChannels(4).setKernel(3).optWeightInit(Init.normal(0, 0.3))
                .optBiasInit(Init.normal(0, 0.3)).build());
        b.add(Linear.builder().setUnits(1).optWeightInit(Init.normal(0, 0.3)).optBiasInit(Init.normal(0, 0.3)).build());
        b.initialize(m, DataType.FLOAT32, new Shape(2, 2, 5, 5));
        return b;
    }

    static double sumOfSquares(NDArray a) {
        double s = 0;
        for (float v : a.toFloatArray()) {
            s += (double) v * v;
        }
        return s;
    }

    @Test
    void valueAndGradientMatchTheClosedForm() {
        GanLab.init();
        try (NDManager m = GanLab.newManager()) {
            GanLab.seedEngine(7);
            List<Parameter> params = Params.trainable(critic(m));
            float lambda = 0.25f;
            DiscriminatorL2 l2 = new DiscriminatorL2(lambda, params);
            List<Parameter> kernels = DiscriminatorL2.kernelsOf(params);
            assertEquals(2, kernels.size(), "the conv and linear weights, not their biases");
            double expected = 0;
            for (Parameter p : kernels) {
                expected += sumOfSquares(p.getArray()) / 2;
            }
            expected = lambda * expected / kernels.size();
            Map<String, Float> log = new HashMap<>();
            try (NDManager sm = m.newSubManager(); StepScope scope = new StepScope();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray v = l2.criticLoss(null, log);
                assertEquals(expected, v.getFloat(), 1e-6 * expected);
                gc.backward(v);
            }
            assertEquals(expected, log.get("d_l2"), 1e-6 * expected, "logged with lambda included");
            assertEquals(l2.loggedKeys(), List.copyOf(log.keySet()));
            // d/dW [lambda / n * sum(W^2) / 2] = lambda / n * W; biases get nothing.
            for (Parameter p : params) {
                float[] g = p.getArray().getGradient().toFloatArray();
                float[] w = p.getArray().toFloatArray();
                boolean kernel = p.getType() == Parameter.Type.WEIGHT;
                for (int i = 0; i < g.length; i++) {
                    double want = kernel ? lambda / kernels.size() * w[i] : 0;
                    assertEquals(want, g[i], 1e-6, p.getName() + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void aBadWeightIsRefusedNamingTheSetting() {
        UserError e = assertThrows(UserError.class, () -> new DiscriminatorL2(-1f, List.of()));
        assertTrue(e.getMessage().contains(DiscriminatorL2.KEY), e.getMessage());
        UserError none = assertThrows(UserError.class, () -> new DiscriminatorL2(1f, List.of()));
        assertTrue(none.getMessage().contains("no weight"), none.getMessage());
    }
}
