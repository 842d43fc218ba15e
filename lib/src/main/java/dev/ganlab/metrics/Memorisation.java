package dev.ganlab.metrics;

import dev.ganlab.core.UserError;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.data.Permutations;
import dev.ganlab.viz.ImageGrid;
import dev.ganlab.viz.LineChart;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Does a generator copy its training images? For each generated image, its nearest training images
 * in a feature space (and in pixels), shown as a grid, and the distribution of those nearest distances
 * set against the same distances for held-out real images, which the generator never saw (the
 * argument of the FastGAN paper, Liu et al. 2021, sec. 4.4 and fig. 9, that few-shot training does not
 * just reproduce its 100 images; the nearest-neighbour grid is DCGAN's and BigGAN's check too).
 *
 * <p>How to read it: held-out real images are as close to the training set as new images from the
 * same distribution are. Fakes much closer than that (a fake distance distribution shifted left of the
 * held-out one, many fakes under the held-out 1st percentile) point to memorisation; fakes much
 * further away to a generator that has not reached the data.
 *
 * <p>Without a held-out set, a seeded random fifth of the training set (at most 2,000 images) is held
 * out and removed from the reference set ({@link #splitHeldOut}).
 */
public final class Memorisation {

    /** Neighbours shown per generated image. */
    public static final int DEFAULT_K = 5;
    /** The held-out percentile a fake must fall under to count as suspiciously close. */
    public static final double COPY_PERCENTILE = 1.0;

    private Memorisation() {}

    /**
     * Nearest distances in one space.
     *
     * @param fakes each generated image's k nearest training images
     * @param heldOutNearest each held-out real image's distance to its nearest training image
     */
    public record Space(String name, NearestNeighbours.Result fakes, double[] heldOutNearest) {

        /** The held-out distance under which {@link #COPY_PERCENTILE} percent of held-out images fall. */
        public double copyThreshold() {
            return percentile(heldOutNearest, COPY_PERCENTILE);
        }

        /** Fraction of fakes nearer to a training image than the copy threshold (about 1% when nothing is copied). */
        public double closeFraction() {
            double t = copyThreshold();
            double[] f = fakes.nearest();
            return Arrays.stream(f).filter(v -> v < t).count() / (double) f.length;
        }

        /** One summary line. */
        public String summary() {
            double[] f = fakes.nearest();
            return String.format(Locale.ROOT, "%-10s nearest-training distance: fakes median %.4f (min %.4f),"
                    + " held-out real median %.4f (min %.4f); %.1f%% of fakes under the held-out %.0f%% quantile"
                    + " %.4f", name, percentile(f, 50), percentile(f, 0), percentile(heldOutNearest, 50),
                    percentile(heldOutNearest, 0), 100 * closeFraction(), COPY_PERCENTILE, copyThreshold());
        }
    }

    /** What {@link #check} found. */
    public record Report(ImageDataset fakes, ImageDataset train, String heldOutName, int heldOutCount,
            List<Space> spaces) {

        /** Summary lines, one per space, and the sets compared. */
        public String summary() {
            StringBuilder b = new StringBuilder();
            b.append(fakes.size()).append(" fakes (").append(fakes.name()).append(") against ").append(train.size())
                    .append(" training images (").append(train.name()).append("); held-out: ").append(heldOutCount)
                    .append(" of ").append(heldOutName).append('\n');
            for (Space s : spaces) {
                b.append(s.summary()).append('\n');
            }
            return b.toString();
        }

        /**
         * One row per generated image (the first {@code rows}): the fake, then its nearest training images in
         * each space in turn (features first), nearest first.
         */
        public BufferedImage grid(int rows) {
            List<BufferedImage> tiles = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            int k = spaces.get(0).fakes().indices()[0].length;
            int m = Math.min(rows, fakes.size());
            for (int i = 0; i < m; i++) {
                tiles.add(fakes.image(i));
                for (Space s : spaces) {
                    for (int r = 0; r < k; r++) {
                        tiles.add(train.image(s.fakes().indices()[i][r]));
                    }
                }
                labels.add(String.format(Locale.ROOT, "%.3f", spaces.get(0).fakes().distances()[i][0]));
            }
            String title = "fake | " + String.join(" | ", spaces.stream().map(s -> k + " nearest in " + s.name())
                    .toList()) + " (row label: nearest " + spaces.get(0).name() + " distance)";
            return ImageGrid.of(tiles).cols(1 + k * spaces.size()).rowLabels(labels).title(title).render();
        }

        /** Histograms of nearest distances, fakes against held-out real, one chart per space. */
        public BufferedImage chart() {
            List<BufferedImage> charts = new ArrayList<>();
            for (Space s : spaces) {
                double[] f = s.fakes().nearest();
                double[] h = s.heldOutNearest();
                double lo = Math.min(percentile(f, 0), percentile(h, 0));
                double hi = Math.max(percentile(f, 100), percentile(h, 100));
                int bins = 20;
                double[] x = new double[bins];
                for (int b = 0; b < bins; b++) {
                    x[b] = lo + (b + 0.5) * (hi - lo) / bins;
                }
                charts.add(LineChart.create("Distance to the nearest training image (" + s.name() + ")")
                        .xLabel("distance").yLabel("fraction of images")
                        .series("fakes", x, histogram(f, lo, hi, bins))
                        .series("held-out real", x, histogram(h, lo, hi, bins)).render());
            }
            int w = charts.stream().mapToInt(BufferedImage::getWidth).max().orElseThrow();
            int hTotal = charts.stream().mapToInt(BufferedImage::getHeight).sum();
            BufferedImage out = new BufferedImage(w, hTotal, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = out.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, hTotal);
            int y = 0;
            for (BufferedImage c : charts) {
                g.drawImage(c, 0, y, null);
                y += c.getHeight();
            }
            g.dispose();
            return out;
        }
    }

    /**
     * Holds out a seeded random fifth of {@code train} (at most 2,000 images, at least 1):
     * {training part, held-out part}.
     */
    public static ImageDataset[] splitHeldOut(ImageDataset train, long seed) {
        if (train.size() < 2) {
            throw new UserError("memorisation check: " + train.name() + " has " + train.size() + " image(s); holding"
                    + " some out needs at least 2 (or give a held-out set)");
        }
        int held = Math.max(1, Math.min(2000, train.size() / 5));
        int[] perm = Permutations.of(train.size(), seed);
        int[] h = Arrays.copyOf(perm, held);
        int[] t = Arrays.copyOfRange(perm, held, perm.length);
        Arrays.sort(h);
        Arrays.sort(t);
        return new ImageDataset[] {train.subset(t, train.name()), train.subset(h, train.name() + " (held out)")};
    }

    /**
     * Finds the {@code k} nearest training images of each fake, in the extractor's feature space (when
     * {@code features} is not null) and in pixels, and the nearest training distance of each held-out
     * image. Training and held-out images are brought to the fakes' channels and size first.
     *
     * @param heldOut real images not in {@code train}; null to hold out part of {@code train}
     * @throws UserError on empty sets or k larger than the training set
     */
    public static Report check(ImageDataset fakes, ImageDataset train, ImageDataset heldOut,
            FeatureExtractor features, int k, long seed) {
        if (fakes.size() == 0) {
            throw new UserError("memorisation check: no generated images");
        }
        if (heldOut == null) {
            ImageDataset[] split = splitHeldOut(train, seed);
            train = split[0];
            heldOut = split[1];
        }
        if (heldOut.size() == 0) {
            throw new UserError("memorisation check: the held-out set " + heldOut.name() + " is empty");
        }
        if (k < 1 || k > train.size()) {
            throw new UserError("memorisation check: k " + k + " must be in 1.." + train.size() + " (the size of "
                    + train.name() + ")");
        }
        train = like(train, fakes);
        heldOut = like(heldOut, fakes);
        List<Space> spaces = new ArrayList<>();
        if (features != null) {
            NearestNeighbours.Rows tf = NearestNeighbours.of(features.extract(train, Evaluator.DEFAULT_BATCH, false)
                    .features());
            NearestNeighbours.Rows ff = NearestNeighbours.of(features.extract(fakes, Evaluator.DEFAULT_BATCH, false)
                    .features());
            NearestNeighbours.Rows hf = NearestNeighbours.of(features.extract(heldOut, Evaluator.DEFAULT_BATCH, false)
                    .features());
            spaces.add(new Space(features.id(), NearestNeighbours.search(ff, tf, k, null),
                    NearestNeighbours.search(hf, tf, 1, null).nearest()));
        }
        NearestNeighbours.Rows tp = NearestNeighbours.pixels(train);
        spaces.add(new Space("pixels", NearestNeighbours.search(NearestNeighbours.pixels(fakes), tp, k, null),
                NearestNeighbours.search(NearestNeighbours.pixels(heldOut), tp, 1, null).nearest()));
        return new Report(fakes, train, heldOut.name(), heldOut.size(), spaces);
    }

    private static ImageDataset like(ImageDataset ds, ImageDataset fakes) {
        if (ds.channels() == fakes.channels() && ds.height() == fakes.height() && ds.width() == fakes.width()) {
            return ds;
        }
        if (fakes.height() != fakes.width()) {
            throw new UserError("memorisation check: generated images are " + fakes.width() + "x" + fakes.height()
                    + "; only square images can be matched to " + ds.name());
        }
        return Datasets.resized(ds, fakes.channels(), fakes.height());
    }

    /** The p-th percentile (0..100) by linear interpolation between order statistics. */
    static double percentile(double[] values, double p) {
        double[] s = values.clone();
        Arrays.sort(s);
        double pos = p / 100 * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(s.length - 1, lo + 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    private static double[] histogram(double[] v, double lo, double hi, int bins) {
        double[] h = new double[bins];
        double width = hi > lo ? (hi - lo) / bins : 1;
        for (double x : v) {
            int b = (int) Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / width)));
            h[b] += 1.0 / v.length;
        }
        return h;
    }
}
