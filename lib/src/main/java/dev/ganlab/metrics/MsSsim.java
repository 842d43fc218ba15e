package dev.ganlab.metrics;

import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.data.Permutations;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Multi-scale SSIM (Wang, Simoncelli &amp; Bovik, 2003) with the semantics of TensorFlow's
 * {@code tf.image.ssim_multiscale}, and the diversity score built on it by ProGAN (Karras et al.,
 * 2018) after Odena et al. (2017): the mean MS-SSIM of random pairs of images from one set. Lower
 * means more diverse; compare the fakes' figure with the same figure for the real images.
 *
 * <p>Per channel, on pixel values 0..255 ({@code max_val = 255}):
 * <ul>
 *   <li>Gaussian window of {@link #FILTER_SIZE} taps, sigma {@link #FILTER_SIGMA}, made as TF makes
 *       it (softmax of {@code -x^2 / (2 sigma^2)} over the 11 x 11 offsets, which is separable), applied
 *       in 'VALID' mode (no padding), compensation 1;
 *   <li>luminance {@code (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1)}, contrast-structure
 *       {@code (2 sigma_xy + C2) / (sigma_x^2 + sigma_y^2 + C2)}, {@code C_i = (K_i * 255)^2};
 *   <li>at every scale but the last, the spatial mean of contrast-structure; at the last, the
 *       spatial mean of luminance x contrast-structure (SSIM); each clipped at 0 (TF's relu);
 *   <li>between scales, 2 x 2 average pooling after padding an odd side by repeating its last row or
 *       column (TF's SYMMETRIC pad);
 *   <li>the product of the terms raised to the scale weights, then the mean over channels.
 * </ul>
 *
 * <p><b>Small images.</b> TF refuses images under 161 pixels (every scale must hold the 11-tap
 * window). GAN Lab's policy instead: use the largest number of scales S (1..5) for which every scale
 * is at least 11 pixels on its shorter side, with the first S weights renormalised to sum to 1. With
 * five scales the weights are TF's own, unchanged. So 28 x 28 Fashion-MNIST gets 2 scales (28, 14:
 * weights 0.1356, 0.8644) and 64 x 64 emoji 3 (64, 32, 16); every result records the scale count.
 * Why not upsample instead: enlarged images are smooth by construction, which inflates the similarity
 * at the fine scales and measures the interpolation rather than the images.
 */
public final class MsSsim {

    /** Gaussian window size (Wang et al., 2003; TF default). */
    public static final int FILTER_SIZE = 11;
    /** Gaussian window sigma (Wang et al., 2003; TF default). */
    public static final double FILTER_SIGMA = 1.5;
    /** Luminance stabiliser K1 (Wang et al., 2004). */
    public static final double K1 = 0.01;
    /** Contrast stabiliser K2 (Wang et al., 2004). */
    public static final double K2 = 0.03;
    /** Dynamic range of 8-bit pixels. */
    public static final double MAX_VAL = 255.0;
    /** Per-scale exponents, finest first (Wang et al., 2003, as in TF's _MSSSIM_WEIGHTS). */
    public static final double[] WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
    /** Random pairs for the diversity score when not given (ProGAN: half the image count). */
    public static final int DEFAULT_PAIRS = 5000;

    private static final double[] WINDOW = gaussianWindow();

    private MsSsim() {}

    /**
     * MS-SSIM of one image pair.
     *
     * @param value the MS-SSIM in [0, 1]
     * @param scales scales used (5 unless the image is small, see the class comment)
     */
    public record Result(double value, int scales) {}

    /**
     * The diversity score of one set.
     *
     * @param mean mean MS-SSIM over the pairs
     * @param std standard deviation over the pairs
     * @param pairs number of random pairs
     * @param scales scales used
     */
    public record Diversity(double mean, double std, int pairs, int scales) {}

    /** Number of scales used for an {@code h x w} image under GAN Lab's small-image policy (0 if none). */
    public static int scalesFor(int h, int w) {
        int s = 0;
        while (s < WEIGHTS.length && Math.min(h, w) >= FILTER_SIZE) {
            s++;
            h = (h + 1) / 2;
            w = (w + 1) / 2;
        }
        return s;
    }

    /** The weights for {@code scales} scales: TF's five, or the first ones renormalised to sum to 1. */
    public static double[] weightsFor(int scales) {
        if (scales == WEIGHTS.length) {
            return WEIGHTS.clone();
        }
        double[] w = Arrays.copyOf(WEIGHTS, scales);
        double sum = Arrays.stream(w).sum();
        for (int i = 0; i < w.length; i++) {
            w[i] /= sum;
        }
        return w;
    }

    /** MS-SSIM of images {@code i} of {@code a} and {@code j} of {@code b}. */
    public static Result compute(ImageDataset a, int i, ImageDataset b, int j) {
        if (a.channels() != b.channels() || a.height() != b.height() || a.width() != b.width()) {
            throw new UserError("MS-SSIM needs images of the same size: " + a.name() + " is " + a.channels() + "x"
                    + a.height() + "x" + a.width() + ", " + b.name() + " is " + b.channels() + "x" + b.height() + "x"
                    + b.width() + ". Resize one set (e.g. load it with ?resolution or the same loader options).");
        }
        return compute(a.pixels(i), b.pixels(j), a.channels(), a.height(), a.width());
    }

    /**
     * MS-SSIM of two planar 8-bit images of the same shape.
     *
     * @throws UserError when the image is smaller than the 11-pixel window
     */
    public static Result compute(byte[] x, byte[] y, int channels, int h, int w) {
        int scales = scalesFor(h, w);
        if (scales == 0) {
            throw new ImagesTooSmall("MS-SSIM needs images of at least " + FILTER_SIZE + "x" + FILTER_SIZE
                    + " pixels (the Gaussian window)", h, w);
        }
        double[] weights = weightsFor(scales);
        int plane = h * w;
        double total = 0;
        for (int c = 0; c < channels; c++) {
            double[] px = new double[plane];
            double[] py = new double[plane];
            for (int k = 0; k < plane; k++) {
                px[k] = x[c * plane + k] & 0xFF;
                py[k] = y[c * plane + k] & 0xFF;
            }
            total += channelMsSsim(px, py, h, w, scales, weights);
        }
        return new Result(total / channels, scales);
    }

    private static double channelMsSsim(double[] x, double[] y, int h, int w, int scales, double[] weights) {
        double product = 1;
        for (int s = 0; s < scales; s++) {
            if (s > 0) {
                x = downsample(x, h, w);
                y = downsample(y, h, w);
                h = (h + 1) / 2;
                w = (w + 1) / 2;
            }
            double[] ssimAndCs = ssim(x, y, h, w);
            double term = s < scales - 1 ? ssimAndCs[1] : ssimAndCs[0];
            product *= Math.pow(Math.max(term, 0), weights[s]);
        }
        return product;
    }

    /** Spatial means of SSIM and of contrast-structure over the 'VALID' window positions. */
    static double[] ssim(double[] x, double[] y, int h, int w) {
        int plane = h * w;
        double[] xy = new double[plane];
        double[] sq = new double[plane];
        for (int k = 0; k < plane; k++) {
            xy[k] = x[k] * y[k];
            sq[k] = x[k] * x[k] + y[k] * y[k];
        }
        double[] muX = filterValid(x, h, w);
        double[] muY = filterValid(y, h, w);
        double[] fXy = filterValid(xy, h, w);
        double[] fSq = filterValid(sq, h, w);
        double c1 = (K1 * MAX_VAL) * (K1 * MAX_VAL);
        double c2 = (K2 * MAX_VAL) * (K2 * MAX_VAL);
        double ssimSum = 0;
        double csSum = 0;
        for (int k = 0; k < muX.length; k++) {
            double num0 = 2 * muX[k] * muY[k];
            double den0 = muX[k] * muX[k] + muY[k] * muY[k];
            double luminance = (num0 + c1) / (den0 + c1);
            double cs = (2 * fXy[k] - num0 + c2) / (fSq[k] - den0 + c2);
            ssimSum += luminance * cs;
            csSum += cs;
        }
        return new double[] {ssimSum / muX.length, csSum / muX.length};
    }

    /** Separable Gaussian filtering without padding: output {@code (h - 10) x (w - 10)}. */
    static double[] filterValid(double[] img, int h, int w) {
        int oh = h - FILTER_SIZE + 1;
        int ow = w - FILTER_SIZE + 1;
        double[] rows = new double[h * ow];
        for (int yy = 0; yy < h; yy++) {
            for (int xx = 0; xx < ow; xx++) {
                double acc = 0;
                int base = yy * w + xx;
                for (int t = 0; t < FILTER_SIZE; t++) {
                    acc += WINDOW[t] * img[base + t];
                }
                rows[yy * ow + xx] = acc;
            }
        }
        double[] out = new double[oh * ow];
        for (int yy = 0; yy < oh; yy++) {
            for (int xx = 0; xx < ow; xx++) {
                double acc = 0;
                for (int t = 0; t < FILTER_SIZE; t++) {
                    acc += WINDOW[t] * rows[(yy + t) * ow + xx];
                }
                out[yy * ow + xx] = acc;
            }
        }
        return out;
    }

    /** 2 x 2 mean after repeating the last row / column of an odd side. */
    static double[] downsample(double[] img, int h, int w) {
        int oh = (h + 1) / 2;
        int ow = (w + 1) / 2;
        double[] out = new double[oh * ow];
        for (int yy = 0; yy < oh; yy++) {
            int y0 = 2 * yy;
            int y1 = Math.min(2 * yy + 1, h - 1);
            for (int xx = 0; xx < ow; xx++) {
                int x0 = 2 * xx;
                int x1 = Math.min(2 * xx + 1, w - 1);
                out[yy * ow + xx] = 0.25 * (img[y0 * w + x0] + img[y0 * w + x1] + img[y1 * w + x0] + img[y1 * w + x1]);
            }
        }
        return out;
    }

    /** TF's window: softmax over the 2-D squared offsets, which factors into this normalised 1-D Gaussian. */
    private static double[] gaussianWindow() {
        double[] g = new double[FILTER_SIZE];
        double sum = 0;
        for (int i = 0; i < FILTER_SIZE; i++) {
            double c = i - (FILTER_SIZE - 1) / 2.0;
            g[i] = Math.exp(-0.5 * c * c / (FILTER_SIGMA * FILTER_SIGMA));
            sum += g[i];
        }
        for (int i = 0; i < FILTER_SIZE; i++) {
            g[i] /= sum;
        }
        return g;
    }

    /**
     * The diversity score: mean MS-SSIM over {@code pairs} random pairs of distinct images of the set,
     * drawn with {@code seed}.
     *
     * @throws UserError with fewer than 2 images
     */
    public static Diversity diversity(ImageDataset images, int pairs, long seed) {
        int n = images.size();
        if (n < 2) {
            throw new UserError("MS-SSIM diversity needs at least 2 images in " + images.name() + ", got " + n);
        }
        if (pairs < 1) {
            throw new IllegalArgumentException("MS-SSIM pairs " + pairs + " must be at least 1");
        }
        int scales = scalesFor(images.height(), images.width());
        long[] pairSeeds = new long[pairs];
        for (int p = 0; p < pairs; p++) {
            pairSeeds[p] = Permutations.mix(seed, p);
        }
        double[] values = IntStream.range(0, pairs).parallel().mapToDouble(p -> {
            java.util.SplittableRandom r = new java.util.SplittableRandom(pairSeeds[p]);
            int i = r.nextInt(n);
            int j = r.nextInt(n - 1);
            if (j >= i) {
                j++;
            }
            return compute(images.pixels(i), images.pixels(j), images.channels(), images.height(),
                    images.width()).value();
        }).toArray();
        double mean = Arrays.stream(values).average().orElseThrow();
        double var = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / pairs;
        return new Diversity(mean, Math.sqrt(var), pairs, scales);
    }
}
