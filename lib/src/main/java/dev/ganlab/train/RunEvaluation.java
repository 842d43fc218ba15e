package dev.ganlab.train;

import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.ganlab.core.Stoppable;
import dev.ganlab.core.UserError;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.data.Permutations;
import dev.ganlab.metrics.EvaluationLog;
import dev.ganlab.metrics.EvaluationReport;
import dev.ganlab.metrics.Evaluator;
import dev.ganlab.metrics.ImagesTooSmall;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Scores the generator with the configured metrics every {@code eval.every} steps and after the last
 * ({@code eval.metrics}; nothing when empty). The scores join the next history row, and
 * {@code evaluations.jsonl} records the setup each was measured with. A metric that cannot run at the
 * current stage (SWD below 16 px while ProGAN is small) is skipped with a warning said once per reason;
 * an interrupt during scoring abandons that evaluation. With {@code eval.keepBest} the generator of the best
 * evaluation so far is kept ({@link BestGenerator}). The evaluator (and its engine) is kept between
 * evaluations and rebuilt when the image size changes.
 */
final class RunEvaluation implements TrainingListener {

    /** History columns that are not metric scores (for {@link #finalMetrics}). */
    private static final Set<String> NOT_SCORES = Set.of("step", "images", "seconds", "penalty", "grad_norm",
            "drift", "feature_matching", "diversity", CollapseDetector.PRECISION_KEY, "coverage", "resolution", "alpha",
            "lod", "recon_full", "recon_part");

    private final GanTrainer trainer;
    private Evaluator evaluator;
    private Shape evaluatorShape;
    private EvaluationReport lastEvaluation;
    private String evaluationWarning;
    private String lastSkipReason;
    private final BestGenerator bestGenerator;

    RunEvaluation(GanTrainer trainer) {
        this.trainer = trainer;
        String keepBest = trainer.config().eval.keepBest;
        this.bestGenerator = keepBest.isBlank() ? null : new BestGenerator(keepBest);
    }

    /** The best evaluation so far for a checkpoint's header ({@link BestGenerator}), or null. */
    JsonObject bestState() {
        return bestGenerator == null ? null : bestGenerator.state();
    }

    /** From a checkpoint being resumed: the best evaluation so far it recorded (null: none). */
    void restoreBest(JsonObject state) {
        if (bestGenerator != null) {
            bestGenerator.restore(state, trainer.dir());
        }
    }

    @Override
    public void onStepEnd(GanTrainer t, long done, Map<String, Float> values) {
        if (t.timetable().evaluates(done)) {
            evaluateIntoHistory();
        }
    }

    /**
     * Scores the generator with the configured metrics (nothing when {@code eval.metrics} is empty) and
     * returns the report; the values join the next history row. For a staged model the reference
     * images are brought to the current stage's resolution.
     */
    EvaluationReport evaluate() {
        TrainConfig cfg = trainer.config();
        if (cfg.eval.metrics.isBlank()) {
            return null;
        }
        int n = evalCount();
        ImageDataset fakes = trainer.sample(n, cfg.eval.ema, Permutations.mix(cfg.seed, 0x5EEDL));
        Shape shape = new Shape(fakes.channels(), fakes.height(), fakes.width());
        if (evaluator == null || !shape.equals(evaluatorShape)) {
            if (evaluator != null) {
                evaluator.close();
            }
            ImageDataset real = cfg.eval.real.isBlank() ? trainer.data() : Datasets.load(cfg.eval.real);
            if (real.height() != fakes.height() || real.channels() != fakes.channels()) {
                real = Datasets.resized(real, fakes.channels(), fakes.height());
            }
            Evaluator.Builder b = Evaluator.builder().real(real).n(n).metrics(cfg.eval.metrics).seed(cfg.seed);
            if (!cfg.eval.features.isBlank()) {
                b.features(cfg.eval.features);
            }
            evaluator = b.build();
            evaluatorShape = shape;
        }
        EvaluationReport r = evaluator.evaluate(fakes);
        lastEvaluation = r;
        trainer.historyRecorder().pend(r.metrics());
        // metrics.csv holds the numbers; evaluations.jsonl the setup each was measured with.
        EvaluationLog.append(trainer.dir().resolve(EvaluationLog.FILE), trainer.step(), trainer.imagesShown(), r);
        if (bestGenerator != null && fakes.height() == trainer.data().height()) { // a growing model: from its final size on, fade-in included
            bestGenerator.offer(trainer, r.metrics());
        }
        return r;
    }

    /** Images per evaluation: the configured count, or for "auto" the training set's size in 256..2000. */
    int evalCount() {
        TrainConfig cfg = trainer.config();
        return cfg.eval.n > 0 ? cfg.eval.n : Math.max(256, Math.min(2000, trainer.data().size()));
    }

    private void evaluateIntoHistory() {
        if (trainer.config().eval.metrics.isBlank()) {
            return;
        }
        long step = trainer.step();
        try {
            evaluate(); // its values join the next history row
        } catch (Stoppable.StoppedException e) {
            // Interrupted while scoring: the step is done, so the loop checkpoints and stops next.
            evaluationWarning = "evaluation at step " + step + " abandoned: " + e.getMessage();
        } catch (BestGenerator.MissingValue e) {
            // The scores are in the history; only the ranking failed. Said at every evaluation it happens.
            evaluationWarning = e.getMessage();
            System.err.println(evaluationWarning);
        } catch (UserError e) {
            // A metric that cannot run at this stage must not stop training: say so and go on, once
            // per reason (a ProGAN run evaluating every k steps would repeat it for its first stages; its 4 px and
            // 8 px stages are one reason, "SWD needs 16 px").
            evaluationWarning = "evaluation at step " + step + " skipped: " + e.getMessage();
            String reason = e instanceof ImagesTooSmall small ? small.requirement() : e.getMessage();
            if (!reason.equals(lastSkipReason)) {
                System.err.println(evaluationWarning + " (said once; later skips for this reason are silent)");
                lastSkipReason = reason;
            }
        }
    }

    String evaluationWarning() {
        return evaluationWarning;
    }

    EvaluationReport lastEvaluation() {
        return lastEvaluation;
    }

    /** See {@link GanTrainer#finalMetrics()}. */
    Map<String, Double> finalMetrics(TrainingHistory history) {
        if (lastEvaluation != null) {
            return lastEvaluation.metrics();
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (String c : history.table("h").columnNames()) {
            if (!NOT_SCORES.contains(c) && !c.startsWith("d_") && !c.startsWith("g_")) {
                double v = history.last(c);
                if (!Double.isNaN(v)) {
                    out.put(c, v);
                }
            }
        }
        return out;
    }

    @Override
    public void onStop(GanTrainer t) {
        close();
    }

    @Override
    public void close() {
        if (evaluator != null) {
            evaluator.close();
            evaluator = null;
            evaluatorShape = null;
        }
    }
}
