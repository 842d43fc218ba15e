package dev.ganlab.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InceptionScoreTest {

    @Test
    void uniformPredictionsScoreOne() {
        FeatureMatrix logits = new FeatureMatrix(100, 7, new double[700]); // all zero: uniform softmax
        InceptionScore.Result r = InceptionScore.score(logits);
        assertEquals(1.0, r.mean(), 1e-12);
        assertEquals(0.0, r.std(), 1e-12);
        assertEquals(10, r.splits());
    }

    @Test
    void confidentBalancedPredictionsScoreTheClassCount() {
        int classes = 8;
        int n = 400;
        double[] v = new double[n * classes];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < classes; j++) {
                v[i * classes + j] = j == i % classes ? 0 : -1e4;   // softmax is one-hot
            }
        }
        InceptionScore.Result r = InceptionScore.score(new FeatureMatrix(n, classes, v));
        assertEquals(classes, r.mean(), 1e-9);
        assertEquals(0, r.std(), 1e-9);
    }

    @Test
    void handCheckedTwoClassCase() {
        // One split of two samples with p = (0.8, 0.2) and (0.2, 0.8): marginal (0.5, 0.5),
        // KL = 0.8 ln 1.6 + 0.2 ln 0.4 for each, IS = exp(KL).
        double[] v = {Math.log(0.8), Math.log(0.2), Math.log(0.2), Math.log(0.8)};
        double kl = 0.8 * Math.log(1.6) + 0.2 * Math.log(0.4);
        assertEquals(Math.exp(kl), InceptionScore.score(new FeatureMatrix(2, 2, v), 1).mean(), 1e-12);
    }

    @Test
    void tooFewSamplesForTheSplitsIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> InceptionScore.score(new FeatureMatrix(5, 3, new double[15])));
    }
}
