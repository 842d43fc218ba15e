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

import com.google.gson.GsonBuilder;
import dev.ganlab.core.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scores of a class-conditional generator class by class: intra-class FID (Miyato &amp; Koyama 2018, sec. 5.1:
 * the FID between the generated and the real images of each class, and their mean), and, when the feature
 * network is a classifier of the same classes (the Fashion-MNIST network on Fashion-MNIST), the share of
 * generated images of each class that it assigns to that class (ACGAN's "sample quality by classifier",
 * Odena et al. 2017, sec. 4.1, with Inception-v3 there).
 *
 * <p>Each class's FID is an ordinary {@link Evaluator} report (with its setup records: network, sets,
 * counts, seed); with few images per class FID is biased upward (the report's warnings say by how much).
 *
 * <p>The classifier's verdict is matched to the generator's classes by <em>name</em>: a run trained on
 * {@code fashion-mnist?classes=7,9} has labels 0 and 1 (Sneaker, Ankle boot; see {@code Datasets}), and its
 * class 0 counts as right when the ten-class network says "Sneaker". The argmax is over all ten classes, so
 * a sneaker drawn like a sandal is wrong even when sandals were not trained.
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

    /**
     * All classes' scores and what was scored.
     *
     * @param model the generator's name (e.g. {@code dcgan-projection})
     * @param step its training step
     * @param ema whether the EMA generator was scored (else the raw one)
     * @param n generated images per class (and at most as many real ones)
     * @param conditional false for an unconditional generator's baseline (one sample set against every class)
     */
    public record Result(String fidKey, List<ClassScore> classes, String model, long step, boolean ema, int n,
            long seed, boolean conditional) {

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

        /**
         * Pretty JSON: what was scored, the means, and per class its FID, accuracy and its report's setup
         * records (network and SHA-256, both sets and counts, seed) and warnings.
         */
        public String toJson() {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("model", model);
            root.put("step", step);
            root.put("generator", ema ? "ema" : "raw");
            root.put("conditional", conditional);
            root.put("n", n);
            root.put("seed", seed);
            root.put("fid_key", fidKey);
            if (!classes.isEmpty()) {
                EvaluationReport.Setup s = classes.get(0).report().setup();
                root.put("features", s.features());
                root.put("features_sha256", s.featuresSha256());
            }
            root.put("mean_fid", meanFid());
            root.put("mean_accuracy", meanAccuracy());
            List<Map<String, Object>> cls = new ArrayList<>();
            for (ClassScore c : classes) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("label", c.label());
                m.put("name", c.name());
                m.put("fid", c.fid());
                m.put("accuracy", c.accuracy());
                m.put("setup", c.report().setup());
                m.put("warnings", c.report().warnings());
                cls.add(m);
            }
            root.put("classes", cls);
            return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(root);
        }

        /** Writes {@link #toJson()} to a file (temp file, then rename). */
        public void writeJson(Path file) throws IOException {
            byte[] text = (toJson() + "\n").getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(file, out -> out.write(text));
        }
    }

    /**
     * Scores {@code n} generated images per class against up to {@code n} real images of the class.
     *
     * <p>An unconditional generator cannot be asked for a class: it is scored as the <em>baseline</em> that
     * conditioning has to beat, the same {@code n} samples against every class's real images (its intra-class
     * FID is then the distance from its whole output to one class, and its accuracy the share of its samples
     * that fall in the class, about 1/K for a generator that covers the classes evenly).
     *
     * @param real a labelled set with the generator's classes (blank spec: the run's data)
     * @param features feature network spec (null or blank: fmnist)
     * @throws UserError when the real set is unlabelled, or its class count differs from a conditional generator's
     */
    public static Result run(TrainedGenerator g, String realSpec, String features, int n, boolean ema, long seed) {
        ClassConditional cc = g.model() instanceof ClassConditional m ? m : null;
        ImageDataset real = Datasets.load(realSpec == null || realSpec.isBlank() ? g.config().data : realSpec);
        int k = ClassLabels.classCount(real, "intra-class FID");
        if (cc != null && k != cc.classCount()) {
            throw new UserError("intra-class FID: " + real.name() + " has " + k + " classes, the generator "
                    + cc.classCount() + " (trained on " + g.config().data + "; give the real set the same ?classes=)");
        }
        ImageDataset unconditional = cc == null ? g.sample(n, ema, seed) : null;
        long c = g.model().imageShape().get(0);
        long r = g.model().imageShape().get(1);
        if (real.channels() != c || real.height() != r) {
            real = Datasets.resized(real, (int) c, (int) r);
        }
        List<ClassScore> out = new ArrayList<>();
        String fidKey = null;
        for (int label = 0; label < k; label++) {
            ImageDataset realK = real.withLabel(label);
            ImageDataset fakeK = cc == null ? unconditional : g.sampleClass(n, label, ema, seed);
            Evaluator.Builder b = Evaluator.builder().real(realK).n(n).metrics("fid").seed(seed);
            if (features != null && !features.isBlank()) {
                b.features(features);
            }
            try (Evaluator ev = b.build()) {
                EvaluationReport rep = ev.evaluate(fakeK);
                fidKey = Metric.scoreKey("fid", ev.extractor().scoreSuffix());
                // The classifier's classes are Fashion-MNIST's: its verdict means something on that data only,
                // matched by class name (a ?classes= subset renumbers its labels from 0).
                boolean sameClasses = real.name().startsWith("fashion-mnist") && ev.extractor().id().startsWith("fmnist");
                int target = Datasets.FASHION_MNIST_CLASSES.indexOf(real.classNames().get(label));
                double acc = sameClasses && target >= 0
                        ? accuracy(ev.extractor(), fakeK, target, Datasets.FASHION_MNIST_CLASSES.size()) : Double.NaN;
                out.add(new ClassScore(label, real.classNames().get(label), rep.metrics().get(fidKey), acc, rep));
            }
        }
        return new Result(fidKey, out, g.model().name(), g.step(), ema, n, seed, cc != null);
    }

    /**
     * Share of {@code fakes} the network classifies as {@code label} (an index among its own classes); NaN
     * unless it has {@code classes} class logits.
     */
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
