package dev.ganlab.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ganlab.data.ImageDataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The k-NN search against a naive brute force (sort every distance), and the pixel distance's scale. */
class NearestNeighboursTest {

    private static FeatureMatrix random(int rows, int cols, long seed, double offset) {
        Random r = new Random(seed);
        double[] d = new double[rows * cols];
        for (int i = 0; i < d.length; i++) {
            d[i] = offset + 3 * r.nextGaussian();
        }
        return new FeatureMatrix(rows, cols, d);
    }

    /** Every distance computed on its own, sorted; float32 inputs as the search uses. */
    private static Integer[] naiveOrder(FeatureMatrix q, int i, FeatureMatrix ref, double[] distOut, int skip) {
        float[] qf = q.toFloats();
        float[] rf = ref.toFloats();
        int d = q.cols();
        List<Integer> all = new ArrayList<>();
        for (int j = 0; j < ref.rows(); j++) {
            double s = 0;
            for (int c = 0; c < d; c++) {
                double v = (double) qf[i * d + c] - rf[j * d + c];
                s += v * v;
            }
            distOut[j] = Math.sqrt(s);
            if (j != skip) {
                all.add(j);
            }
        }
        all.sort(Comparator.comparingDouble(j -> distOut[j]));
        return all.toArray(new Integer[0]);
    }

    @Test
    void theSearchFindsWhatSortingEveryDistanceFinds() {
        // An offset far from zero makes |r|^2 - 2 q.r cancel badly; the ranking must still be right.
        for (double offset : new double[] {0, 50}) {
            FeatureMatrix ref = random(500, 24, 1, offset);
            FeatureMatrix q = random(40, 24, 2, offset);
            int k = 7;
            NearestNeighbours.Result r = NearestNeighbours.search(q, ref, k, null);
            for (int i = 0; i < q.rows(); i++) {
                double[] dist = new double[ref.rows()];
                Integer[] order = naiveOrder(q, i, ref, dist, -1);
                for (int rank = 0; rank < k; rank++) {
                    assertEquals(order[rank], r.indices()[i][rank], "offset " + offset + ", query " + i + ", rank " + rank);
                    assertEquals(dist[order[rank]], r.distances()[i][rank], 1e-9);
                }
            }
        }
    }

    @Test
    void anExcludedRowIsSkippedSoASetCanBeSearchedAgainstItself() {
        FeatureMatrix ref = random(100, 8, 3, 0);
        int[] self = new int[ref.rows()];
        Arrays.setAll(self, i -> i);
        NearestNeighbours.Result plain = NearestNeighbours.search(ref, ref, 1, null);
        NearestNeighbours.Result excluded = NearestNeighbours.search(ref, ref, 2, self);
        for (int i = 0; i < ref.rows(); i++) {
            assertEquals(i, plain.indices()[i][0]);
            assertEquals(0, plain.distances()[i][0], 0);
            double[] dist = new double[ref.rows()];
            Integer[] order = naiveOrder(ref, i, ref, dist, i);
            assertEquals(order[0], excluded.indices()[i][0]);
            assertEquals(order[1], excluded.indices()[i][1]);
        }
        assertThrows(IllegalArgumentException.class, () -> NearestNeighbours.search(ref, ref, 100, self));
    }

    @Test
    void pixelDistanceIsTheRootMeanSquareDifferenceInUnitsOfFullScale() {
        int len = 3 * 4 * 4;
        byte[] black = new byte[len];
        byte[] white = new byte[len];
        byte[] grey = new byte[len];
        Arrays.fill(white, (byte) 255);
        Arrays.fill(grey, (byte) 51); // 0.2 of full scale
        ImageDataset ds = new ImageDataset("three", 3, 4, 4, List.of(black, white, grey), null, List.of());
        NearestNeighbours.Rows p = NearestNeighbours.pixels(ds);
        NearestNeighbours.Rows blackOnly = new NearestNeighbours.Rows(1, len, Arrays.copyOf(p.data(), len));
        NearestNeighbours.Result r = NearestNeighbours.search(blackOnly, p, 3, null);
        assertArrayEquals(new int[] {0, 2, 1}, r.indices()[0]);
        assertArrayEquals(new double[] {0, 0.2, 1.0}, r.distances()[0], 1e-6);
    }
}
