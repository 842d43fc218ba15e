package dev.ganlab.objective;

import ai.djl.ndarray.NDArray;
import dev.ganlab.models.ClassConditional;
import dev.ganlab.models.DiscriminatorOutput;

import java.util.List;
import java.util.Map;

/**
 * ACGAN's class loss (Odena et al., "Conditional Image Synthesis with Auxiliary Classifier GANs",
 * ICML 2017, eq. 2-3): the discriminator's auxiliary classifier is trained to name the class of real
 * and of generated images (L_C on both), and the generator maximises L_C too, i.e. minimises the class
 * loss of its fakes, both with weight 1 as in the paper. The conditional model computes the
 * cross-entropy ({@code DiscriminatorOutput.auxLoss} when it has a classifier); the real side's is
 * added by {@link ReconstructionTerm}, which adds any model's auxiliary loss on real images; this
 * term adds the fakes' side to both players' losses. Logs {@code d_aux_fake} and {@code g_aux} (and
 * the model's own metrics, e.g. the classifier's accuracy on fakes).
 */
public final class ClassLossTerm implements ObjectiveTerm {

    @Override
    public List<String> loggedKeys() {
        return List.of("d_aux_fake", "g_aux");
    }

    @Override
    public NDArray criticLoss(CriticPass pass, Map<String, Float> log) {
        DiscriminatorOutput of = pass.fake();
        if (!(pass.model() instanceof ClassConditional) || of.auxLoss() == null) {
            return null;
        }
        GanObjective.log(log, "d_aux_fake", of.auxLoss());
        for (Map.Entry<String, NDArray> e : of.auxMetrics().entrySet()) {
            GanObjective.log(log, e.getKey(), e.getValue());
        }
        return of.auxLoss();
    }

    @Override
    public NDArray generatorLoss(GeneratorPass pass, Map<String, Float> log) {
        DiscriminatorOutput of = pass.fake();
        if (!(pass.model() instanceof ClassConditional) || of == null || of.auxLoss() == null) {
            return null;
        }
        GanObjective.log(log, "g_aux", of.auxLoss());
        return of.auxLoss();
    }
}
