package dev.ganlab.objective;

import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The objective of a GAN run as an ordered list of {@link ObjectiveTerm}s, in the spirit of
 * stylegan2-ada-pytorch's {@code training/loss.py}: the training step asks the objective for the
 * discriminator's and the generator's losses and calls it around each optimiser update; what those
 * losses are made of (adversarial loss, gradient penalty, drift, reconstruction, feature matching,
 * L2, ...) is the terms' business.
 *
 * <p><b>A step's flow</b> (see {@code lib/ARCHITECTURE.md}): for each critic update, images go
 * through {@link #perturbInput} (then the trainer's augmentation) into the discriminator;
 * {@link #criticBackward} sums the contributions of the terms that read the scores, in list order, and
 * back-propagates the sum, then each term with a graph of its own (a gradient penalty) on its own;
 * {@link #beforeUpdate}/{@link #afterUpdate} wrap the optimiser step. After the critic
 * updates, {@link #endCriticPhase}; then {@link #beforeGeneratorPass}, the generator's forward,
 * {@link #generatorLoss} and its update, wrapped the same way.
 *
 * <p>The order of the list is part of the numerics (float sums are not associative, and terms that
 * draw random numbers after others keep their streams only in order): {@code Objectives} in the
 * training package builds it in the order of the loop before this refactoring. Since the penalty has
 * its own backward (2026-12-01) its gradient is added in a second pass, so runs with a penalty differ
 * from earlier versions in the last bits; a resumed run still replays its own steps exactly.
 */
public final class GanObjective {

    private final List<ObjectiveTerm> terms;

    public GanObjective(List<ObjectiveTerm> terms) {
        this.terms = List.copyOf(terms);
    }

    public List<ObjectiveTerm> terms() {
        return terms;
    }

    /** The term of type {@code type}, if the objective has one. */
    public <T extends ObjectiveTerm> Optional<T> term(Class<T> type) {
        return terms.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** Every key the terms may log, in term order. */
    public Set<String> loggedKeys() {
        Set<String> keys = new LinkedHashSet<>();
        terms.forEach(t -> keys.addAll(t.loggedKeys()));
        return keys;
    }

    public NDArray perturbInput(NDArray images, long step) {
        NDArray x = images;
        for (ObjectiveTerm t : terms) {
            x = t.perturbInput(x, step);
        }
        return x;
    }

    /**
     * Back-propagates the discriminator's loss for one critic update: first the sum of the terms that
     * read the pass's scores, then each term with a graph of its own ({@link ObjectiveTerm#ownCriticGraph},
     * a gradient penalty) separately, after the first backward has freed the scores' graphs. The
     * gradients accumulate to those of the terms' sum in one backward (up to the order of float additions);
     * the peak memory is the larger graph instead of both (ProGAN at 1024 px: the penalty's double
     * backward on top of D's graphs on reals and fakes; lib/BENCHMARKS.md).
     */
    public void criticBackward(CriticPass pass, Map<String, Float> log, Consumer<NDArray> backward) {
        List<NDArray> parts = new ArrayList<>();
        List<ObjectiveTerm> separate = new ArrayList<>();
        for (ObjectiveTerm t : terms) {
            if (t.ownCriticGraph()) {
                separate.add(t);
            } else {
                parts.add(t.criticLoss(pass, log));
            }
        }
        backward.accept(sum(parts, "discriminator"));
        for (ObjectiveTerm t : separate) {
            NDArray part = t.criticLoss(pass, log);
            if (part != null) {
                backward.accept(part);
            }
        }
    }

    public void endCriticPhase(Map<String, Float> log) {
        terms.forEach(t -> t.endCriticPhase(log));
    }

    public void beforeGeneratorPass(GeneratorPass pass) {
        terms.forEach(t -> t.beforeGeneratorPass(pass));
    }

    /** The generator's loss: the sum of the terms' contributions, in order. */
    public NDArray generatorLoss(GeneratorPass pass, Map<String, Float> log) {
        List<NDArray> parts = new ArrayList<>();
        for (ObjectiveTerm t : terms) {
            parts.add(t.generatorLoss(pass, log));
        }
        return sum(parts, "generator");
    }

    public void beforeUpdate(ObjectiveTerm.Player player) {
        terms.forEach(t -> t.beforeUpdate(player));
    }

    public void afterUpdate(ObjectiveTerm.Player player) {
        terms.forEach(t -> t.afterUpdate(player));
    }

    private static NDArray sum(List<NDArray> parts, String who) {
        NDArray total = null;
        for (NDArray p : parts) {
            if (p != null) {
                total = total == null ? p : total.add(p);
            }
        }
        if (total == null) {
            throw new IllegalStateException("the objective has no term for the " + who + "'s loss");
        }
        return total;
    }

    /** Puts a scalar's value into a step's log. */
    static void log(Map<String, Float> log, String key, NDArray scalar) {
        log.put(key, scalar.getFloat());
    }
}
