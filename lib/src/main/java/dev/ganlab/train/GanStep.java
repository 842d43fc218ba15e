package dev.ganlab.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.data.BatchSampler;
import dev.ganlab.data.PrefetchingLoader;
import dev.ganlab.loss.Params;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.models.ClassConditional;
import dev.ganlab.models.GanModel;
import dev.ganlab.objective.CriticPass;
import dev.ganlab.objective.GanObjective;
import dev.ganlab.objective.GeneratorPass;
import dev.ganlab.objective.ObjectiveTerm;
import dev.ganlab.objective.StepSeeds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The updates of one training step: {@code nCritic} critic updates, each on a fresh real batch and
 * fresh fakes (generated without a graph; with generatorFakes=reuse the last update's with one, kept
 * for the generator), then one generator update through the frozen discriminator, on new latents or
 * (reuse) on the last critic update's images as that update perturbed and augmented them. The losses
 * come from the run's {@link GanObjective}; images reach the discriminator through the objective's
 * perturbation and then the augmentation. {@link GanTrainer#step1} runs it
 * inside the step's sub-manager and scope.
 *
 * <p>Random streams (see {@link StepSeeds}): critic update k of step t draws from stream k (real batch
 * position aside, which the loader fixes), the replay buffer from a Java generator of (seed, t, 42 +
 * 1000 k), the generator's update from stream 40 (with reuse its images and their augmentation came
 * from the last critic update's stream); the objective's terms seed their own.
 */
final class GanStep {

    private static final long SALT_G = 40;
    private static final long SALT_REPLAY = 42;

    private final TrainConfig cfg;
    private final GanModel model;
    private final ParameterStore ps;
    private final Block generator;
    private final List<Parameter> dParams;
    private final GanOptimizer optG;
    private final GanOptimizer optD;
    private final GanObjective objective;
    private final UnaryOperator<NDArray> augment;
    private final ExperienceReplay replay;
    private final StepSeeds seeds;
    private final boolean reusesFakes;

    GanStep(TrainConfig cfg, GanModel model, ParameterStore ps, List<Parameter> dParams, GanOptimizer optG,
            GanOptimizer optD, GanObjective objective, UnaryOperator<NDArray> augment, ExperienceReplay replay,
            StepSeeds seeds) {
        this.cfg = cfg;
        this.model = DataParallel.wrap(model, cfg); // the model itself unless devices lists replicas
        this.ps = ps;
        this.generator = model.generator();
        this.dParams = dParams;
        this.optG = optG;
        this.optD = optD;
        this.objective = objective;
        this.augment = augment;
        this.replay = replay;
        this.seeds = seeds;
        this.reusesFakes = cfg.reusesFakes();
    }

    /**
     * Runs step {@code t} with batches of {@code batch} images; logged values go into {@code out}.
     * {@code sampler} is the loader's: it names the labels of each real batch, which a class-conditional
     * model takes for that update's real and generated images (issue 14).
     */
    void run(long t, int batch, PrefetchingLoader loader, BatchSampler sampler, NDManager sm, Map<String, Float> out) {
        NDArray lastReals = null;
        NDList reused = null;
        for (int k = 0; k < cfg.nCritic; k++) {
            GanLab.seedEngine(seeds.of(t, k));
            long realsAt = loader.position();
            NDArray reals = model.prepareReals(loader.next(sm, batch));
            if (model instanceof ClassConditional cc) {
                cc.setBatchLabels(sampler.labels(realsAt, batch));
            }
            lastReals = reals;
            NDArray z = model.sampleLatent(sm, batch);
            // With generatorFakes=reuse the last critic update's images are generated once, with a graph that
            // the generator's update back-propagates through after the critic has been updated.
            boolean forGenerator = reusesFakes && k == cfg.nCritic - 1;
            // Phases (PhaseScope): the fakes' forward keeps only the fakes (and with reuse their graph), and
            // each critic update frees its forward and backward before the next phase begins (issue 18, item 4).
            NDList generated = forGenerator
                    ? PhaseScope.keep("G forward", () -> withGraph(() -> model.generateViews(generator, ps, z, true)))
                    : PhaseScope.keep("fakes", () -> detached(model.generateViews(generator, ps, z, true)));
            NDList fakes = generated;
            if (replay != null) {
                if (generated.size() > 1) {
                    throw new UserError("tricks.replayBuffer keeps one generated image per latent, but " + model.name()
                            + " makes " + generated.size() + " (for fastgan set fastgan.smallBranch=false)");
                }
                // (fresh fakes have no graph to detach; reused ones keep theirs for the generator)
                fakes = new NDList(replay.mix(forGenerator ? generated.get(0).stopGradient() : generated.get(0),
                        BatchSampler.rng(cfg.seed, t * 64 + SALT_REPLAY + k * 1000L)));
            }
            NDList critic = fakes;
            int update = k;
            NDList gInputs = forGenerator && replay == null ? generated : null;
            NDList scored = PhaseScope.keep("critic", () -> discriminatorStep(reals, critic, gInputs, t, update, out));
            if (forGenerator) {
                // With a replay buffer the critic scored a mix: the generator's images are augmented later.
                reused = replay == null ? scored : generated;
            }
        }
        objective.endCriticPhase(out);
        NDArray gReals = lastReals;
        NDList gViews = reused;
        PhaseScope.run("generator", () -> generatorStep(gReals, gViews, batch, t, sm, out));
    }

    /** {@code forward}'s arrays with the graph that a later backward follows (grad mode on while it runs). */
    private static NDList withGraph(Supplier<NDList> forward) {
        try (GradientCollector ignored = Engine.getInstance().newGradientCollector()) {
            return forward.get();
        }
    }

    /**
     * Images as the discriminator takes them: perturbed by the objective's terms, then augmented. Only
     * the result stays open: DiffAugment's copies of the batch go at once (those a backward needs are
     * kept by autograd).
     */
    private NDArray discriminatorInput(NDArray x, long t) {
        return PhaseScope.keepOne("augment", () -> {
            NDArray y = objective.perturbInput(x, t);
            return augment == null ? y : augment.apply(y);
        });
    }

    /**
     * The discriminator's outputs of a forward pass, every other array it made closed at once instead of
     * at the end of the phase: autograd keeps what the backward needs; the rest (e.g. a convolution's
     * output once batch norm has normalised it) was held only by its handle (issue 18, item 4).
     */
    private static DiscriminatorOutput scored(String name, Supplier<DiscriminatorOutput> forward) {
        return PhaseScope.keepAll(name, forward, GanStep::arrays);
    }

    private static List<NDArray> arrays(DiscriminatorOutput o) {
        List<NDArray> a = new ArrayList<>(Arrays.asList(o.logits(), o.features(), o.auxLoss()));
        a.addAll(o.auxMetrics().values());
        return a;
    }

    /** Each generated view (FastGAN: image and 128 px image) augmented on its own, as FastGAN's train.py. */
    private NDList discriminatorInputs(NDList views, long t) {
        NDList out = new NDList(views.size());
        for (NDArray v : views) {
            out.add(discriminatorInput(v, t));
        }
        return out;
    }

    private static NDList detached(NDList views) {
        NDList out = new NDList(views.size());
        for (NDArray v : views) {
            out.add(v.stopGradient());
        }
        return out;
    }

    /**
     * Critic update {@code k} of step {@code t}: the discriminator scores the (perturbed, augmented)
     * batches and the objective's terms make its loss, back-propagated by {@link GanObjective#criticBackward}
     * (a penalty with its own graph separately, after the scores' graphs are freed);
     * the terms act around the optimiser step (historical averaging, clipping).
     *
     * <p>{@code generated} (generatorFakes=reuse, last update, no replay buffer) are the fakes with the
     * generator's graph: they are perturbed and augmented once, with a graph, the critic scores that input
     * detached, and it is returned for the generator's update (as FastGAN's train.py). When it is null the
     * critic augments {@code fakes} and an empty list is returned.
     */
    private NDList discriminatorStep(NDArray reals, NDList fakes, NDList generated, long t, int k,
            Map<String, Float> out) {
        NDArray rIn = discriminatorInput(reals, t);
        NDList gIn = generated == null ? new NDList() : withGraph(() -> discriminatorInputs(generated, t));
        NDList fViews = gIn.isEmpty() ? discriminatorInputs(fakes, t) : detached(gIn);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            DiscriminatorOutput or;
            DiscriminatorOutput of;
            if (model.discriminatorUsesBatchStatistics()) {
                DiscriminatorOutput[] both = PhaseScope.keepAll("D forward",
                        () -> model.discriminateJoint(ps, rIn, fViews.get(0), true),
                        b -> { List<NDArray> a = arrays(b[0]); a.addAll(arrays(b[1])); return a; });
                or = both[0];
                of = both[1];
            } else {
                or = scored("D reals", () -> model.discriminate(ps, rIn, true, true));
                of = scored("D fakes", () -> model.discriminateViews(ps, fViews, true, false));
            }
            objective.criticBackward(new CriticPass(t, k, model, ps, rIn, fViews, or, of), out, gc::backward);
        }
        objective.beforeUpdate(ObjectiveTerm.Player.DISCRIMINATOR);
        optD.step();
        objective.afterUpdate(ObjectiveTerm.Player.DISCRIMINATOR);
        return gIn;
    }

    /**
     * The generator's update through the frozen discriminator, its loss made by the objective's terms.
     * With generatorFakes=reuse, {@code reused} holds the last critic update's discriminator inputs with
     * the generator's graph (with a replay buffer: its generated images, not yet augmented); else it is
     * null and the update draws new latents for a forward of its own.
     */
    private void generatorStep(NDArray reals, NDList reused, int batch, long t, NDManager sm, Map<String, Float> out) {
        GanLab.seedEngine(seeds.of(t, SALT_G));
        // Fresh latents are drawn first, before the terms' own draws (feature matching's D pass), as always.
        NDArray z = reused == null ? model.sampleLatent(sm, batch) : null;
        GeneratorPass pass = new GeneratorPass(t, model, ps, reals, x -> discriminatorInput(x, t));
        objective.beforeGeneratorPass(pass);
        Params.setRequiresGradient(dParams, false);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDList fViews;
            if (reused != null && replay == null) {
                fViews = reused;
            } else if (reused != null) {
                // The critic scored a replay mix: the generator's own images (with their graph) get their own draws.
                fViews = discriminatorInputs(reused, t);
            } else {
                fViews = discriminatorInputs(PhaseScope.keep("G forward",
                        () -> model.generateViews(generator, ps, z, true)), t);
            }
            // With batch statistics in D, score fakes next to reals as in D's own step, so both updates
            // see the same normalisation.
            pass.setFake(model.discriminatorUsesBatchStatistics()
                    ? scored("D joint", () -> model.discriminateJoint(ps, discriminatorInput(reals, t), fViews.get(0),
                            true)[1])
                    : scored("D fakes", () -> model.discriminateViews(ps, fViews, true, false)));
            gc.backward(objective.generatorLoss(pass, out));
        } finally {
            Params.setRequiresGradient(dParams, true);
        }
        objective.beforeUpdate(ObjectiveTerm.Player.GENERATOR);
        optG.step();
        objective.afterUpdate(ObjectiveTerm.Player.GENERATOR);
    }
}
