package dev.ganlab.metrics;

import dev.ganlab.Slow;

import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Slow
class FashionMnistFeatureNetTest {

    @Test
    void committedWeightsReachNinetyPercentOnTheTestSet() {
        ImageDataset test = Datasets.load("fashion-mnist:test");
        assertEquals(10_000, test.size());
        try (FashionMnistFeatureNet net = FashionMnistFeatureNet.load()) {
            double acc = net.accuracy(test, 500);
            System.out.printf("fmnist feature network: test accuracy %.4f, sha256 %s%n", acc, net.weightsSha256());
            assertTrue(acc >= 0.90, "test accuracy " + acc);
            assertEquals(64, net.weightsSha256().length());
            FeatureExtractor.Features f = net.extract(test.head(7), 3);
            assertEquals(7, f.features().rows());
            assertEquals(FashionMnistFeatureNet.FEATURES, f.features().cols());
            assertEquals(FashionMnistFeatureNet.CLASSES, f.logits().cols());
        }
    }
}
