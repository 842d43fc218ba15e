package dev.ganlab.latent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.metrics.Extractors;
import dev.ganlab.metrics.FeatureExtractor;
import org.junit.jupiter.api.Test;

/** The per-class accuracy measure on real Fashion-MNIST test images, where its answer is known to be high. */
class ConditionalEvaluationTest {

    @Test
    void theFashionMnistClassifierNamesRealTestImagesOfAClassMostlyRightAndOtherClassesWrong() {
        assumeTrue(Datasets.catalog().stream().anyMatch(s -> s.name().equals("fashion-mnist") && s.installed()),
                "dataset-fashion-mnist is installed by environment/setup.sh");
        ImageDataset test = Datasets.load("fashion-mnist:test");
        try (FeatureExtractor fx = Extractors.open("fmnist")) {
            ImageDataset trousers = test.withLabel(1).head(200);
            double right = ConditionalEvaluation.accuracy(fx, trousers, 1, 10);
            assertTrue(right > 0.9, "trousers named trousers: " + right);
            double wrong = ConditionalEvaluation.accuracy(fx, trousers, 7, 10);
            assertTrue(wrong < 0.05, "trousers named sneakers: " + wrong);
            assertEquals(Double.NaN, ConditionalEvaluation.accuracy(fx, trousers, 1, 4), "no classifier of 4 classes");
        }
    }
}
