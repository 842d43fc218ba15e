package dev.ganlab.train;

import dev.ganlab.data.ImageDataset;
import dev.ganlab.metrics.EvaluationReport;
import dev.ganlab.metrics.Evaluator;
import dev.ganlab.metrics.Metric;
import dev.ganlab.metrics.MetricRegistry;

import java.util.Locale;

/**
 * Raw generator or its exponential moving average: which of a run's two generators scores better at this point of
 * training, by one metric, on the same latents and against the same real images. Notebooks show the EMA
 * generator's samples only when it is the better one (issue 17, item 5).
 *
 * <p>Why it can go either way: the EMA (Karras et al. 2018; Yazici et al. 2019; see {@link Ema}) averages recent
 * weights and removes the raw weights' step-to-step oscillation, so late in a run it usually wins; early on, or
 * while the generator still improves fast (the few hundred steps of the CPU profiles), the average lags behind
 * the raw weights, and with batch norm its statistics are re-estimated rather than trained, so the raw
 * generator can score better. Only the measurement at that step decides.
 */
public final class GeneratorChoice {

    private GeneratorChoice() {}

    /**
     * Both scores.
     *
     * @param key the metric value compared, e.g. {@code swd_x1e3}, {@code fid_fmnist}
     * @param raw the raw generator's value
     * @param ema the EMA generator's value; NaN when the run keeps no EMA
     * @param lowerIsBetter the metric's direction
     */
    public record Result(String key, double raw, double ema, boolean lowerIsBetter, long step, int n) {

        /** Whether the EMA generator scores strictly better (false without an EMA). */
        public boolean emaBetter() {
            return !Double.isNaN(ema) && (lowerIsBetter ? ema < raw : ema > raw);
        }

        /** "EMA" or "raw": the generator to show. */
        public String chosen() {
            return emaBetter() ? "EMA" : "raw";
        }

        /** One line: both values and the choice. */
        public String summary() {
            if (Double.isNaN(ema)) {
                return String.format(Locale.ROOT, "step %d: %s raw %.4f (no EMA generator in this run)", step, key, raw);
            }
            return String.format(Locale.ROOT, "step %d, %d images each: %s raw %.4f, EMA %.4f (%s is better) -> showing"
                    + " the %s generator", step, n, key, raw, ema, lowerIsBetter ? "lower" : "higher", chosen());
        }
    }

    /**
     * Scores {@code n} images of the raw and of the EMA generator, from the same latents ({@code seed}), with
     * {@code evaluator}.
     *
     * @param key a ranked value the evaluator writes (one with a direction: FID, KID, SWD, IS, precision, recall)
     * @throws IllegalArgumentException when the key has no direction or the evaluator does not write it
     */
    public static Result compare(GanTrainer trainer, Evaluator evaluator, String key, int n, long seed) {
        return compare(trainer::sample, trainer.generators().hasEma(), trainer.step(), evaluator, key, n, seed);
    }

    /**
     * The same comparison for a finished run's checkpoint (a sweep's run, a reference model), loaded with
     * {@link TrainedGenerator#load}.
     */
    public static Result compare(TrainedGenerator generator, Evaluator evaluator, String key, int n, long seed) {
        return compare(generator::sample, generator.hasEma(), generator.step(), evaluator, key, n, seed);
    }

    /** {@code n} images of the raw ({@code false}) or the EMA ({@code true}) generator from latents of {@code seed}. */
    private interface Sampler {
        ImageDataset sample(int n, boolean useEma, long seed);
    }

    private static Result compare(Sampler sampler, boolean hasEma, long step, Evaluator evaluator, String key, int n,
            long seed) {
        boolean lower = lowerIsBetter(key);
        double raw = score(evaluator, sampler.sample(n, false, seed), key);
        double ema = hasEma ? score(evaluator, sampler.sample(n, true, seed), key) : Double.NaN;
        return new Result(key, raw, ema, lower, step, n);
    }

    private static double score(Evaluator evaluator, ImageDataset fakes, String key) {
        EvaluationReport r = evaluator.evaluate(fakes);
        if (!r.has(key)) {
            throw new IllegalArgumentException("the evaluator writes no '" + key + "' (it writes " + r.metrics().keySet()
                    + ")");
        }
        return r.get(key);
    }

    /** The direction of a metric value, from the registry (a feature score's key carries a network suffix). */
    static boolean lowerIsBetter(String key) {
        Metric.Column best = MetricRegistry.columnOf(key, MetricRegistry.all());
        if (best == null || best.better() == Metric.Better.NONE) {
            throw new IllegalArgumentException("'" + key + "' is not a value with a better direction (use e.g."
                    + " fid_fmnist, kid_fmnist, swd_x1e3)");
        }
        return best.better() == Metric.Better.LOWER;
    }
}
