package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.ganlab.core.UserError;
import dev.ganlab.loss.AdversarialLoss;
import dev.ganlab.loss.GradientPenalty;
import dev.ganlab.objective.AdversarialTerm;
import dev.ganlab.objective.ClassLossTerm;
import dev.ganlab.objective.DiscriminatorL2;
import dev.ganlab.objective.DriftTerm;
import dev.ganlab.objective.FeatureMatching;
import dev.ganlab.objective.GanObjective;
import dev.ganlab.objective.GradientPenaltyTerm;
import dev.ganlab.objective.HistoricalAveraging;
import dev.ganlab.objective.InstanceNoise;
import dev.ganlab.objective.LabelSmoothing;
import dev.ganlab.objective.ObjectiveTerm;
import dev.ganlab.objective.ReconstructionTerm;
import dev.ganlab.objective.StepSeeds;
import dev.ganlab.nn.DiffAugment;
import dev.ganlab.objective.WeightClipping;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Builds a run's {@link GanObjective} from its settings: one line per term, in the order the terms
 * run (which is part of the numerics, see {@link GanObjective}). A new term goes here with the
 * setting that turns it on.
 */
final class Objectives {

    private Objectives() {}

    /**
     * The DiffAugment policy ({@code augment}) applied to the discriminator's inputs after the terms'
     * perturbation, or null for none; an unknown op is a UserError naming the key.
     */
    static UnaryOperator<NDArray> augmentation(TrainConfig cfg) {
        DiffAugment policy;
        try {
            policy = DiffAugment.parse(cfg.augment);
        } catch (IllegalArgumentException e) {
            throw new UserError("augment: " + e.getMessage(), e);
        }
        return cfg.augment.isBlank() ? null : policy::apply;
    }

    static GanObjective of(TrainConfig cfg, StepSeeds seeds, List<Parameter> gParams, List<Parameter> dParams,
            NDManager stateManager) {
        TrainConfig.Tricks t = cfg.tricks;
        AdversarialLoss loss = cfg.adversarialLoss();
        FeatureMatching.checkOnly(t.featureMatching, t.featureMatchingOnly);
        List<ObjectiveTerm> terms = new ArrayList<>();
        if (t.instanceNoise > 0) {
            terms.add(new InstanceNoise(t.instanceNoise, t.instanceNoiseSteps));
        }
        terms.add(new AdversarialTerm(loss, LabelSmoothing.of(t.labelSmoothing, loss), cfg.hingeMargin,
                !t.featureMatchingOnly, seeds));
        if (cfg.drift > 0) {
            terms.add(new DriftTerm(cfg.drift));
        }
        terms.add(new ReconstructionTerm());
        if (dev.ganlab.models.Conditioning.parse(cfg.cond) == dev.ganlab.models.Conditioning.ACGAN) {
            terms.add(new ClassLossTerm()); // ACGAN's class loss of the fakes (the reals' comes with the model's aux loss)
        }
        GradientPenalty.Kind kind = cfg.penaltyKind();
        if (kind != null) {
            terms.add(new GradientPenaltyTerm(kind, cfg.penaltyWeight, cfg.penaltyEvery, cfg.nCritic, seeds));
        }
        if (cfg.discriminatorL2 != 0) { // a negative or NaN weight is refused by the term, naming the key
            terms.add(new DiscriminatorL2(cfg.discriminatorL2, dParams));
        }
        if (t.featureMatching > 0) {
            terms.add(new FeatureMatching(t.featureMatching));
        }
        if (t.historicalAveraging > 0) {
            terms.add(new HistoricalAveraging(t.historicalAveraging, gParams, dParams, stateManager));
        }
        if (cfg.clip > 0) {
            terms.add(new WeightClipping(cfg.clip, dParams));
        }
        return new GanObjective(terms);
    }
}
