package dev.ganlab.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.ganlab.core.UserError;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * L2 regularisation of the discriminator's weights, the "L2" regulariser of Kurach et al. (2019),
 * "A Large-Scale Study on Regularization and Normalization in GANs" (ICML), sec. 2.2: the critic's
 * loss gains {@code lambda * mean over weight tensors W of ||W||^2 / 2}, added at every critic update.
 *
 * <p><b>As in their code</b> (google/compare_gan, {@code gans/penalty_lib.py}, {@code l2_penalty}):
 * only the kernels of fully connected and (transposed) convolution layers are penalised, not biases
 * nor normalisation scales; each kernel contributes TensorFlow's {@code l2_loss}, {@code sum(W^2) / 2},
 * and the contributions are averaged over kernels (a mean, not a sum), then multiplied by the
 * penalty weight lambda ({@code modular_gan.py}: {@code d_loss += lambda * penalty}). Here "kernel"
 * means a trained parameter of type {@code WEIGHT}: the weights of {@code Linear}/{@code Conv2d} and
 * minibatch discrimination's tensor T. For layers with equalized learning rate (ProGAN) it is the
 * stored, unscaled weight, as compare_gan penalises the stored variable.
 *
 * <p><b>Weight.</b> compare_gan has no default lambda (it is a required parameter of each
 * experiment) and the study sweeps it as a hyper-parameter, so there is no single paper value: the
 * setting {@code dL2} is 0 (off) by default. Logs {@code d_l2} (lambda included).
 */
public final class DiscriminatorL2 implements ObjectiveTerm {

    public static final String KEY = "discriminatorL2";

    private final float weight;
    private final List<Parameter> kernels;

    public DiscriminatorL2(float weight, List<Parameter> discriminatorParams) {
        if (!(weight > 0) || Float.isInfinite(weight)) {
            throw new UserError("config: " + KEY + " " + weight + " must be a finite number > 0 when the L2"
                    + " regulariser is on (0 = off)");
        }
        this.weight = weight;
        this.kernels = kernelsOf(discriminatorParams);
        if (kernels.isEmpty()) {
            throw new UserError("config: " + KEY + " is set but the discriminator has no weight tensors to penalise");
        }
    }

    /** The parameters the regulariser penalises: those of type WEIGHT. */
    public static List<Parameter> kernelsOf(List<Parameter> params) {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : params) {
            if (p.getType() == Parameter.Type.WEIGHT) {
                out.add(p);
            }
        }
        return out;
    }

    /** {@code lambda * mean over kernels of sum(W^2) / 2}, with a graph when the weights record gradients. */
    public NDArray value() {
        NDArray sum = null;
        for (Parameter p : kernels) {
            NDArray s = p.getArray().square().sum();
            sum = sum == null ? s : sum.add(s);
        }
        return sum.mul(weight / (2f * kernels.size()));
    }

    @Override
    public List<String> loggedKeys() {
        return List.of("d_l2");
    }

    @Override
    public NDArray criticLoss(CriticPass pass, Map<String, Float> log) {
        NDArray v = value();
        GanObjective.log(log, "d_l2", v);
        return v;
    }
}
