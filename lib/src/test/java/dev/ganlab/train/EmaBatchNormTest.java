package dev.ganlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import dev.ganlab.core.GanLab;
import dev.ganlab.data.Permutations;
import dev.ganlab.nn.BatchNorm;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.Linear;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The EMA generator's batch-norm running statistics are its own: the means, over the recalibration
 * batches, of each layer's batch mean and unbiased batch variance, computed here by hand from the
 * layer's inputs (issue 12, item 4): for a small network layer by layer, and for the first layer of
 * a trained DCGAN's EMA generator in plain Java doubles.
 */
class EmaBatchNormTest {

    @TempDir Path tmp;

    /** Per-batch statistics of each batch-norm layer, from a hand-written forward pass. */
    private static final class HandStatistics {
        final List<double[]> meanSums = new ArrayList<>();
        final List<double[]> varSums = new ArrayList<>();
        int batches;

        /** Runs {@code net}'s children on {@code x}, normalising by hand at each BatchNorm. */
        void add(SequentialBlock net, ParameterStore ps, NDArray x) {
            int layer = 0;
            for (Block child : net.getChildren().values()) {
                if (child instanceof BatchNorm) {
                    x = normaliseAndRecord(child, x, layer++);
                } else {
                    x = child.forward(ps, new NDList(x), false).singletonOrThrow();
                }
            }
            batches++;
        }

        private NDArray normaliseAndRecord(Block bn, NDArray x, int layer) {
            long c = x.getShape().get(1);
            // (N, C, ...) -> (C, N * rest): one row per channel.
            NDArray rows = x.getShape().dimension() == 2 ? x.transpose()
                    : x.swapAxes(0, 1).reshape(c, -1);
            long n = rows.getShape().get(1);
            NDArray mean = rows.sum(new int[] {1}).div(n);                              // (C)
            NDArray centred = rows.sub(mean.reshape(c, 1));
            NDArray sq = centred.square().sum(new int[] {1});                           // (C)
            double[] m = toDoubles(mean);
            double[] unbiased = toDoubles(sq.div(n - 1));
            if (meanSums.size() <= layer) {
                meanSums.add(new double[(int) c]);
                varSums.add(new double[(int) c]);
            }
            for (int i = 0; i < c; i++) {
                meanSums.get(layer)[i] += m[i];
                varSums.get(layer)[i] += unbiased[i];
            }
            Shape bshape = x.getShape().dimension() == 2 ? new Shape(1, c) : new Shape(1, c, 1, 1);
            NDArray gamma = bn.getParameters().get("gamma").getArray().reshape(bshape);
            NDArray beta = bn.getParameters().get("beta").getArray().reshape(bshape);
            NDArray biasedVar = sq.div(n).reshape(bshape);
            return x.sub(mean.reshape(bshape)).div(biasedVar.add(BatchNorm.DEFAULT_EPS).sqrt()).mul(gamma).add(beta);
        }

        void assertMatches(SequentialBlock net, String what) {
            int layer = 0;
            for (Block child : net.getChildren().values()) {
                if (child instanceof BatchNorm) {
                    double[] mean = toDoubles(child.getParameters().get("runningMean").getArray());
                    double[] var = toDoubles(child.getParameters().get("runningVar").getArray());
                    for (int i = 0; i < mean.length; i++) {
                        double em = meanSums.get(layer)[i] / batches;
                        double ev = varSums.get(layer)[i] / batches;
                        assertEquals(em, mean[i], 1e-5 + 1e-4 * Math.abs(em),
                                what + ": running mean of batch norm " + layer + ", channel " + i);
                        assertEquals(ev, var[i], 1e-5 + 1e-4 * Math.abs(ev),
                                what + ": running variance of batch norm " + layer + ", channel " + i);
                    }
                    layer++;
                }
            }
            assertEquals(meanSums.size(), layer, "batch-norm layers");
        }
    }

    static double[] toDoubles(NDArray a) {
        float[] f = a.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Test
    void reestimationGivesTheMeanOfEachLayersBatchStatistics() {
        GanLab.init();
        GanLab.noGradOnThisThread();
        try (NDManager m = GanLab.newManager()) {
            SequentialBlock net = new SequentialBlock();
            net.add(Linear.builder().setUnits(6).build());
            net.add(new BatchNorm());
            net.add(Lambda.leakyRelu(0.2f));
            net.add(Linear.builder().setUnits(5).build());
            net.add(new BatchNorm());
            GanLab.seedEngine(3);
            net.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(7, 4));
            ParameterStore ps = new ParameterStore(m, false);
            // Batches far from the initial statistics (0, 1): offset 3, scale 2.
            List<NDArray> batches = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                batches.add(m.randomNormal(new Shape(7, 4)).mul(2).add(3 + i));
            }
            // Old statistics, NaN included, must not leak into the estimate.
            net.getChildren().get(1).getValue().getParameters().get("runningMean").getArray().muli(Float.NaN);
            int layers = BatchNorm.reestimate(net, 3, i -> net.forward(ps, new NDList(batches.get(i)), true));
            assertEquals(2, layers);
            HandStatistics hand = new HandStatistics();
            batches.forEach(b -> hand.add(net, ps, b));
            hand.assertMatches(net, "re-estimated");
            // Afterwards the layers' momentum (0.1) applies again: running = 0.9 running + 0.1 batch.
            NDArray before = net.getChildren().get(1).getValue().getParameters().get("runningMean").getArray().duplicate();
            NDArray h = net.getChildren().get(0).getValue().forward(ps, new NDList(batches.get(0)), false).singletonOrThrow();
            net.forward(ps, new NDList(batches.get(0)), true);
            NDArray expected = before.mul(0.9f).add(h.mean(new int[] {0}).mul(0.1f));
            NDArray after = net.getChildren().get(1).getValue().getParameters().get("runningMean").getArray();
            assertTrue(expected.sub(after).abs().max().getFloat() < 1e-4f, "momentum update after re-estimation");
        }
    }

    @Test
    void theEmaGeneratorsStatisticsAreItsOwnBeforeItSamplesAndInItsCheckpoint() {
        TrainConfig c = GanTrainerTest.tiny(8);
        c.dcgan.generator = "pytorchgan"; // the layout read below: Linear(z) with bias, reshape, batch norm
        c.emaBatchNormLatents = 40; // 3 batches of 16
        try (GanTrainer t = GanTrainer.start(c, tmp.resolve("ema"))) {
            for (int i = 0; i < 8; i++) {
                t.step1();
            }
            SequentialBlock ema = (SequentialBlock) t.samplingGenerator();
            assertEquals(48, t.generators().recalibrationLatents(), "40 latents rounded up to whole batches of 16");
            // The first batch norm's input is Linear(z) reshaped to (N, C, S, S): its statistics in
            // plain Java doubles, from the same latents (the run's recalibration seed, batch by batch).
            var children = ema.getChildren().values();
            float[] weight = children.get(0).getParameters().get("weight").getArray().toFloatArray();
            float[] bias = children.get(0).getParameters().get("bias").getArray().toFloatArray();
            Block bn0 = children.get(2);
            int channels = (int) bn0.getParameters().get("runningMean").getArray().size();
            int features = bias.length;
            int latent = c.dcgan.latentDim;
            int pixels = features / channels;
            double[] meanSum = new double[channels];
            double[] varSum = new double[channels];
            long seed = Ema.recalibrationSeed(c.seed);
            try (NDManager m = t.rootManager().newSubManager()) {
                for (int i = 0; i < 3; i++) {
                    GanLab.seedEngine(Permutations.mix(seed, i));
                    float[] z = t.model().sampleLatent(m, 16).toFloatArray();
                    double[][] h = new double[16][features];
                    for (int n = 0; n < 16; n++) {
                        for (int f = 0; f < features; f++) {
                            double v = bias[f];
                            for (int k = 0; k < latent; k++) {
                                v += (double) weight[f * latent + k] * z[n * latent + k];
                            }
                            h[n][f] = v;
                        }
                    }
                    for (int ch = 0; ch < channels; ch++) {
                        double sum = 0;
                        for (int n = 0; n < 16; n++) {
                            for (int q = 0; q < pixels; q++) {
                                sum += h[n][ch * pixels + q];
                            }
                        }
                        double mean = sum / (16.0 * pixels);
                        double sq = 0;
                        for (int n = 0; n < 16; n++) {
                            for (int q = 0; q < pixels; q++) {
                                sq += Math.pow(h[n][ch * pixels + q] - mean, 2);
                            }
                        }
                        meanSum[ch] += mean;
                        varSum[ch] += sq / (16.0 * pixels - 1);
                    }
                }
            }
            double[] runningMean = toDoubles(bn0.getParameters().get("runningMean").getArray());
            double[] runningVar = toDoubles(bn0.getParameters().get("runningVar").getArray());
            for (int ch = 0; ch < channels; ch++) {
                assertEquals(meanSum[ch] / 3, runningMean[ch], 1e-6 + 1e-4 * Math.abs(meanSum[ch] / 3),
                        "running mean, channel " + ch);
                assertEquals(varSum[ch] / 3, runningVar[ch], 1e-7 + 1e-4 * varSum[ch] / 3, "running variance, channel " + ch);
            }
            // Before the fix the EMA generator carried the raw generator's statistics: they differ.
            var raw = t.model().generator().getChildren().values();
            int compared = 0;
            for (int i = 0; i < raw.size(); i++) {
                if (raw.get(i) instanceof BatchNorm) {
                    double[] a = toDoubles(raw.get(i).getParameters().get("runningVar").getArray());
                    double[] b = toDoubles(children.get(i).getParameters().get("runningVar").getArray());
                    double largest = 0;
                    for (int k = 0; k < a.length; k++) {
                        largest = Math.max(largest, Math.abs(a[k] - b[k]) / a[k]);
                    }
                    assertTrue(largest > 0.01, "batch norm " + i + ": EMA and raw variances should differ, largest"
                            + " relative difference " + largest);
                    compared++;
                }
            }
            assertEquals(3, compared, "DCGAN's generator has three batch norms");
            assertTrue(t.sample(4, true, 5).name().contains("batch-norm statistics from 48 latents"),
                    t.sample(4, true, 5).name());
            t.checkpoint();
        }
        try (TrainedGenerator g = TrainedGenerator.load(tmp.resolve("ema"))) {
            assertEquals(48, g.emaBatchNormLatents(), "the checkpoint records the re-estimation");
        }
    }
}
