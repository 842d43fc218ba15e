package dev.ganlab.objective;

import ai.djl.ndarray.NDArray;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * One part of the GAN objective: a loss term, a regulariser, a perturbation of the discriminator's
 * inputs or a constraint applied around an optimiser update. A {@link GanObjective} runs its terms in
 * a fixed order at each phase of a training step (see {@link GanObjective} for the flow); a term
 * overrides only the phases it takes part in.
 *
 * <p>A term owns four things, so adding a trick touches one class (plus its setting and the line
 * that builds it): the check of its settings (a {@link dev.ganlab.core.UserError} naming the key,
 * thrown by its constructor), the keys it writes into a step's log ({@link #loggedKeys}), the random
 * numbers it draws (each term seeds the engine from {@link StepSeeds} with its own salt before it
 * draws, so a resumed run replays them), and the state it checkpoints ({@link #checkpointSections}).
 */
public interface ObjectiveTerm {

    /** Which network an update belongs to. */
    enum Player {
        GENERATOR,
        DISCRIMINATOR
    }

    /** The keys this term may write into a step's log (the columns of {@code metrics.csv} it owns). */
    List<String> loggedKeys();

    /**
     * Perturbs an image batch on its way into the discriminator (instance noise). Applied to reals and
     * fakes alike, in both players' passes, before the augmentation. Default: unchanged.
     */
    default NDArray perturbInput(NDArray images, long step) {
        return images;
    }

    /**
     * This term's part of the discriminator's loss for one critic update, a scalar with a graph, or
     * null for none; logged values go into {@code log}.
     */
    default NDArray criticLoss(CriticPass pass, Map<String, Float> log) {
        return null;
    }

    /**
     * Whether this term's critic loss builds a graph of its own (its own discriminator forward) and
     * reads none of the pass's scores. The trainer then back-propagates it on its own, after the other
     * terms' backward has freed their graphs ({@link GanObjective#criticBackward}), so the two graphs
     * are never held at once; the gradients are the same sum. Default: false.
     */
    default boolean ownCriticGraph() {
        return false;
    }

    /** Called once after the step's critic updates; a term logs values it averaged over them. */
    default void endCriticPhase(Map<String, Float> log) {}

    /**
     * Called before the generator's pass, after its latents are drawn and before the discriminator is
     * frozen (feature matching measures the real features here).
     */
    default void beforeGeneratorPass(GeneratorPass pass) {}

    /** This term's part of the generator's loss, or null for none. */
    default NDArray generatorLoss(GeneratorPass pass, Map<String, Float> log) {
        return null;
    }

    /** Called after the backward pass and before the optimiser step of {@code player}. */
    default void beforeUpdate(Player player) {}

    /** Called after the optimiser step of {@code player}. */
    default void afterUpdate(Player player) {}

    /** Names of the checkpoint sections holding this term's state (none by default). */
    default List<String> checkpointSections() {
        return List.of();
    }

    /** Writes the state of one of {@link #checkpointSections}. */
    default void save(String section, DataOutputStream out) throws IOException {}

    /** Reads the state of one of {@link #checkpointSections}. */
    default void load(String section, DataInputStream in) throws IOException {}
}
