package dev.ganlab.objective;

import dev.ganlab.data.Permutations;

/**
 * The seeds of a run's random streams: stream {@code salt} of step {@code t} is seeded with a hash of
 * (run seed, t, salt), so any step's random numbers can be drawn again after a resume. Each user of
 * randomness (a critic update, the generator's pass, a term) has its own salt.
 */
public record StepSeeds(long runSeed) {

    /** The seed of stream {@code salt} at step {@code t}. */
    public long of(long t, long salt) {
        return Permutations.mix(runSeed, t * 64 + salt);
    }
}
