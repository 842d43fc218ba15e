package dev.ganlab.objective;

import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.Map;

/**
 * FastGAN's self-supervised reconstruction (Liu et al., 2021, sec. 3.2): the discriminator decodes its
 * own features of real images back to images (whole, a random quadrant, the small branch) and is
 * trained to reconstruct them with a perceptual distance. The model computes it
 * ({@code models/fastgan/FastganModel}, returned as {@code DiscriminatorOutput.auxLoss} when it scores
 * real images in training) and this term adds it to the critic's loss, as the official
 * {@code train.py} adds {@code rec_all + rec_small + rec_part} to the hinge loss. Any model that returns
 * an auxiliary loss gets it added the same way. Logs {@code d_aux} and the model's own parts
 * ({@code recon_full}, {@code recon_part}, {@code recon_small} for FastGAN).
 */
public final class ReconstructionTerm implements ObjectiveTerm {

    @Override
    public List<String> loggedKeys() {
        return List.of("d_aux", "recon_full", "recon_part", "recon_small");
    }

    @Override
    public NDArray criticLoss(CriticPass pass, Map<String, Float> log) {
        NDArray aux = pass.real().auxLoss();
        if (aux == null) {
            return null;
        }
        GanObjective.log(log, "d_aux", aux);
        for (Map.Entry<String, NDArray> e : pass.real().auxMetrics().entrySet()) {
            GanObjective.log(log, e.getKey(), e.getValue());
        }
        return aux;
    }
}
