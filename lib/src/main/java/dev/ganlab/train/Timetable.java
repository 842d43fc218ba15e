package dev.ganlab.train;

/**
 * When a run's side work is due, from its settings: every {@code logEvery}, {@code sampleEvery},
 * {@code eval.every} (0 = at the end only) and {@code checkpointEvery} steps, and always after the last
 * step.
 */
public record Timetable(long steps, int logEvery, int sampleEvery, int evalEvery, int checkpointEvery) {

    static Timetable of(TrainConfig cfg) {
        return new Timetable(cfg.steps, cfg.logEvery, cfg.sampleEvery, cfg.eval.every, cfg.checkpointEvery);
    }

    public boolean isLast(long done) {
        return done == steps;
    }

    public boolean logs(long done) {
        return done % logEvery == 0 || isLast(done);
    }

    public boolean samples(long done) {
        return done % sampleEvery == 0 || isLast(done);
    }

    public boolean evaluates(long done) {
        return (evalEvery > 0 && done % evalEvery == 0) || isLast(done);
    }

    public boolean checkpoints(long done) {
        return done % checkpointEvery == 0 || isLast(done);
    }
}
