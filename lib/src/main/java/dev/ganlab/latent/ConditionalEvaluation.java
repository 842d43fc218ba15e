package dev.ganlab.latent;

import dev.ganlab.core.UserError;
import dev.ganlab.data.ClassLabels;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.metrics.EvaluationReport;
import dev.ganlab.metrics.Evaluator;
import dev.ganlab.metrics.FeatureExtractor;
import dev.ganlab.metrics.FeatureMatrix;
import dev.ganlab.metrics.Metric;
import dev.ganlab.models.ClassConditional;
import dev.ganlab.train.TrainedGenerator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scores of a class-conditional generator class by class: intra-class FID (Miyato &amp; Koyama 2018, sec. 5.1:
 * the FID between the generated and the real images of each class, and their mean), and, when the feature
 * network is a classifier of the same classes (the Fashion-MNIST network on Fashion-MNIST), the share of
 * generated images of each class that it assigns to that class (ACGAN's "sample quality by classifier",
 * Odena et al. 2017, sec. 4.1, with Inception-v3 there).
 *
 * <p>Each class's FID is an ordinary {@link Evaluator} report (with its setup records: network, sets,
 * counts, seed); with few images per class FID is biased upward (the report's warnings say by how much).
 */
public final class ConditionalEvaluation {

    private ConditionalEvaluation() {}

    /**
     * One class's scores.
     *
     * @param accuracy the classifier's share of this class among the fakes; NaN unless the data is Fashion-MNIST
     *     and the features are the fmnist network (the only classifier here whose classes are the data's)
     */
    public record ClassScore(int label, String name, double fid, double accuracy, EvaluationReport report) {}

    /** All classes' scores. */
    public record Result(String fidKey, List<ClassScore> classes) {

        public double meanFid() {
            return classes.stream().mapToDouble(ClassScore::fid).average().orElse(Double.NaN);
        }

        public double meanAccuracy() {
            return classes.stream().mapToDouble(ClassScore::accuracy).average().orElse(Double.NaN);
        }

        /** One line per class and the means. */
        public String table() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-5s %-14s %12s %9s%n", "class", "name",
                    "intra-" + fidKey, "accuracy"));
            for (ClassScore c : classes) {
                b.append(String.format(Locale.ROOT, "%-5d %-14s %12.4f %9.4f%n", c.label(), c.name(), c.fid(),
                        c.accuracy()));
            }
            b.append(String.format(Locale.ROOT, "%-20s %12.4f %9.4f%n", "mean", meanFid(), meanAccuracy()));
            return b.toString();
        }
    }

    /**
     * Scores {@code n} generated images per class against up to {@code n} real images of the class.
     *
     * @param real a labelled set with the generator's classes (blank spec: the run's data)
     * @param features feature network spec (null or blank: fmnist)
     * @throws UserError when the run is not class-conditional, the real set is unlabelled, or class counts differ
     */
    public static Result run(TrainedGenerator g, String realSpec, String features, int n, boolean ema, long seed) {
        if (!(g.model() instanceof ClassConditional cc)) {
            throw new UserError("intra-class FID: " + g.model().name() + " is not class-conditional");
        }
        ImageDataset real = Datasets.load(realSpec == null || realSpec.isBlank() ? g.config().data : realSpec);
        int k = ClassLabels.classCount(real, "intra-class FID");
        if (k != cc.classCount()) {
            throw new UserError("intra-class FID: " + real.name() + " has " + k + " classes, the generator "
                    + cc.classCount());
        }
        long c = g.model().imageShape().get(0);
        long r = g.model().imageShape().get(1);
        if (real.channels() != c || real.height() != r) {
            real = Datasets.resized(real, (int) c, (int) r);
        }
        List<ClassScore> out = new ArrayList<>();
        String fidKey = null;
        for (int label = 0; label < k; label++) {
            ImageDataset realK = real.withLabel(label);
            ImageDataset fakeK = g.sampleClass(n, label, ema, seed);
            Evaluator.Builder b = Evaluator.builder().real(realK).n(n).metrics("fid").seed(seed);
            if (features != null && !features.isBlank()) {
                b.features(features);
            }
            try (Evaluator ev = b.build()) {
                EvaluationReport rep = ev.evaluate(fakeK);
                fidKey = Metric.scoreKey("fid", ev.extractor().scoreSuffix());
                // The classifier's classes are Fashion-MNIST's: its verdict means something on that data only.
                boolean sameClasses = real.name().startsWith("fashion-mnist") && ev.extractor().id().startsWith("fmnist");
                double acc = sameClasses ? accuracy(ev.extractor(), fakeK, label, k) : Double.NaN;
                out.add(new ClassScore(label, real.classNames().get(label), rep.metrics().get(fidKey), acc, rep));
            }
        }
        return new Result(fidKey, out);
    }

    /** Share of {@code fakes} the network classifies as {@code label}; NaN unless it has K class logits. */
    static double accuracy(FeatureExtractor fx, ImageDataset fakes, int label, int classes) {
        if (fx.logitsDim() != classes) {
            return Double.NaN;
        }
        FeatureMatrix logits = fx.extract(fakes, Evaluator.DEFAULT_BATCH, true).logits();
        int hits = 0;
        for (int i = 0; i < logits.rows(); i++) {
            int best = 0;
            for (int j = 1; j < logits.cols(); j++) {
                if (logits.get(i, j) > logits.get(i, best)) {
                    best = j;
                }
            }
            hits += best == label ? 1 : 0;
        }
        return hits / (double) logits.rows();
    }
}
