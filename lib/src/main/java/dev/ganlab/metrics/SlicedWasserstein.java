package dev.ganlab.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.data.Permutations;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Sliced Wasserstein distance between the local image statistics of two sets, as defined and coded
 * for ProGAN (Karras et al., 2018, "Progressive Growing of GANs", section 5 and their
 * {@code metrics/sliced_wasserstein.py}).
 *
 * <p>Each image is split into a Laplacian pyramid (5 x 5 binomial filter, mirrored borders, decimation
 * by 2) from full size down to 16 x 16; the coarsest level is the low-pass image itself. From every
 * level of every image, {@link #NHOODS_PER_IMAGE} 7 x 7 neighbourhoods at random positions (drawn
 * independently for the real and the fake set, as in ProGAN) become descriptors of {@code 7 * 7 * C}
 * values. Per level and per set, each channel of the descriptors is normalised to mean 0 and standard
 * deviation 1. The distance between the real and fake descriptor
 * sets of a level is the sliced Wasserstein distance: project both onto random unit directions
 * ({@link #DIR_REPEATS} repeats of {@link #DIRS_PER_REPEAT}), sort each projection, and average the
 * absolute differences of the sorted values. Figures are reported multiplied by 10^3 as ProGAN
 * reports them, one per level (named by its resolution) and their mean.
 *
 * <p>Generalisations: grey images give 7 x 7 x 1 descriptors (ProGAN only took RGB); a side that is
 * odd cannot be decimated consistently, so the pyramid stops there (e.g. 28 x 28 has the single level
 * 28, since 14 &lt; 16).
 */
public final class SlicedWasserstein {

    /** Descriptor neighbourhood side (ProGAN: 7). */
    public static final int NHOOD_SIZE = 7;
    /** Descriptors per image per level (ProGAN: 128). */
    public static final int NHOODS_PER_IMAGE = 128;
    /** Repeats of random directions (ProGAN: 4). */
    public static final int DIR_REPEATS = 4;
    /** Random directions per repeat (ProGAN: 128, so 512 in all). */
    public static final int DIRS_PER_REPEAT = 128;
    /** Coarsest pyramid level (ProGAN: 16 x 16). */
    public static final int MIN_RESOLUTION = 16;
    /** ProGAN reports SWD multiplied by this. */
    public static final double REPORT_SCALE = 1e3;

    /** Salts of the two sets' descriptor positions. */
    private static final long SALT_REAL = 0x5EA1;
    private static final long SALT_FAKE = 0xFA4E;
    private static final double[] BINOMIAL = {1 / 16.0, 4 / 16.0, 6 / 16.0, 4 / 16.0, 1 / 16.0};
    /** Directions projected per engine call: bounds memory at descriptors x 32 floats. */
    private static final int DIR_CHUNK = 32;

    private SlicedWasserstein() {}

    /**
     * SWD per pyramid level.
     *
     * @param resolutions each level's size (shorter side), finest first
     * @param perLevelX1e3 SWD x 10^3 per level
     * @param meanX1e3 their mean
     * @param images images per set used
     */
    public record Result(int[] resolutions, double[] perLevelX1e3, double meanX1e3, int images) {}

    /** The pyramid's level sizes for an {@code h x w} image (shorter side), finest first. */
    public static int[] resolutions(int h, int w) {
        List<Integer> out = new ArrayList<>();
        while (Math.min(h, w) >= MIN_RESOLUTION) {
            out.add(Math.min(h, w));
            if (h % 2 != 0 || w % 2 != 0) {
                break;
            }
            h /= 2;
            w /= 2;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * SWD between two sets of the same image size, using the first {@code min(real, fake)} images of
     * each.
     *
     * @throws UserError for mismatched image sizes, images under 16 pixels or fewer than 2 images
     */
    public static Result compute(ImageDataset real, ImageDataset fake, long seed) {
        if (real.channels() != fake.channels() || real.height() != fake.height() || real.width() != fake.width()) {
            throw new UserError("SWD needs real and fake images of the same size: " + real.name() + " is "
                    + real.channels() + "x" + real.height() + "x" + real.width() + ", " + fake.name() + " is "
                    + fake.channels() + "x" + fake.height() + "x" + fake.width()
                    + ". Load both at one resolution (a data set spec takes ?resolution=N, e.g. emoji:smileys?resolution="
                    + fake.height() + ").");
        }
        int[] res = resolutions(real.height(), real.width());
        if (res.length == 0) {
            throw new ImagesTooSmall("SWD needs images of at least " + MIN_RESOLUTION + "x" + MIN_RESOLUTION + " pixels",
                    real.height(), real.width());
        }
        int n = Math.min(real.size(), fake.size());
        if (n < 2) {
            throw new UserError("SWD needs at least 2 real and 2 fake images, got " + real.size() + " and "
                    + fake.size());
        }
        int dim = NHOOD_SIZE * NHOOD_SIZE * real.channels();
        int count = n * NHOODS_PER_IMAGE;
        double[] perLevel = new double[res.length];
        for (int level = 0; level < res.length; level++) {
            int h = real.height() >> level;
            int w = real.width() >> level;
            // Positions are drawn independently for the two sets, as ProGAN does (each set's
            // descriptors come from their own calls to np.random): identical sets do not give identical
            // descriptors, and the distance of a set to itself measures the sampling noise.
            int[] realCorners = randomCorners(count, h, w, Permutations.mix(Permutations.mix(seed, level), SALT_REAL));
            int[] fakeCorners = randomCorners(count, h, w, Permutations.mix(Permutations.mix(seed, level), SALT_FAKE));
            float[][] dirs = randomDirections(dim, Permutations.mix(seed, 1000 + level));
            perLevel[level] = REPORT_SCALE * levelDistance(real, fake, n, level, res.length, realCorners, fakeCorners,
                    dirs);
        }
        double mean = 0;
        for (double v : perLevel) {
            mean += v;
        }
        return new Result(res, perLevel, mean / res.length, n);
    }

    /** SWD (not scaled) of one level for given descriptor corners of each set and given directions. */
    static double levelDistance(ImageDataset real, ImageDataset fake, int n, int level, int levels, int[] realCorners,
            int[] fakeCorners, float[][] dirs) {
        float[] a = descriptors(real, n, level, levels, realCorners);
        float[] b = descriptors(fake, n, level, levels, fakeCorners);
        return slicedDistance(a, b, NHOOD_SIZE * NHOOD_SIZE * real.channels(), dirs);
    }

    /**
     * Top-left corners {@code (y0, x0)} of {@code count} neighbourhoods in an {@code h x w} level, drawn
     * uniformly over the positions where the whole neighbourhood fits (ProGAN draws the centre in
     * {@code [3, side - 3)}), interleaved as {@code y0, x0, y0, x0, ...}.
     */
    static int[] randomCorners(int count, int h, int w, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int span = NHOOD_SIZE - 1;
        int[] out = new int[2 * count];
        for (int i = 0; i < count; i++) {
            out[2 * i] = rng.nextInt(h - span);
            out[2 * i + 1] = rng.nextInt(w - span);
        }
        return out;
    }

    /**
     * Normalised descriptors of one level for the first {@code n} images, row-major (n * 128) x (49 C):
     * descriptor {@code i * 128 + d} is the neighbourhood of image i at corner {@code i * 128 + d}.
     */
    static float[] descriptors(ImageDataset set, int n, int level, int levels, int[] corners) {
        int c = set.channels();
        int dim = NHOOD_SIZE * NHOOD_SIZE * c;
        if (corners.length != 2 * n * NHOODS_PER_IMAGE) {
            throw new IllegalArgumentException("need " + n * NHOODS_PER_IMAGE + " corners, got " + corners.length / 2);
        }
        float[] out = new float[n * NHOODS_PER_IMAGE * dim];
        IntStream.range(0, n).parallel().forEach(i -> {
            byte[] px = set.pixels(i);
            double[] img = new double[px.length];
            for (int k = 0; k < px.length; k++) {
                img[k] = px[k] & 0xFF;
            }
            Level lv = laplacianPyramid(img, c, set.height(), set.width(), levels).get(level);
            for (int d = 0; d < NHOODS_PER_IMAGE; d++) {
                int r = i * NHOODS_PER_IMAGE + d;
                int y0 = corners[2 * r];
                int x0 = corners[2 * r + 1];
                if (y0 < 0 || x0 < 0 || y0 + NHOOD_SIZE > lv.h || x0 + NHOOD_SIZE > lv.w) {
                    throw new IllegalArgumentException("corner (" + y0 + ", " + x0 + ") outside the " + lv.h + "x"
                            + lv.w + " level");
                }
                int base = r * dim;
                int k = 0;
                for (int ch = 0; ch < c; ch++) {
                    for (int dy = 0; dy < NHOOD_SIZE; dy++) {
                        for (int dx = 0; dx < NHOOD_SIZE; dx++) {
                            out[base + k++] = (float) lv.values[(ch * lv.h + y0 + dy) * lv.w + x0 + dx];
                        }
                    }
                }
            }
        });
        normalisePerChannel(out, n * NHOODS_PER_IMAGE, c);
        return out;
    }

    /** Subtracts each channel's mean and divides by its standard deviation (ddof 0) over all descriptors. */
    static void normalisePerChannel(float[] desc, int count, int channels) {
        int per = NHOOD_SIZE * NHOOD_SIZE;
        int dim = per * channels;
        for (int ch = 0; ch < channels; ch++) {
            double sum = 0;
            double sq = 0;
            for (int r = 0; r < count; r++) {
                int base = r * dim + ch * per;
                for (int k = 0; k < per; k++) {
                    double v = desc[base + k];
                    sum += v;
                    sq += v * v;
                }
            }
            double total = (double) count * per;
            double mean = sum / total;
            double std = Math.sqrt(Math.max(sq / total - mean * mean, 0));
            double scale = std > 0 ? 1 / std : 1;
            for (int r = 0; r < count; r++) {
                int base = r * dim + ch * per;
                for (int k = 0; k < per; k++) {
                    desc[base + k] = (float) ((desc[base + k] - mean) * scale);
                }
            }
        }
    }

    /**
     * {@link #DIR_REPEATS} sets of {@link #DIRS_PER_REPEAT} random unit directions in {@code dim}
     * dimensions (normalised Gaussian vectors: uniform on the sphere), each row-major
     * {@code dim x DIRS_PER_REPEAT} as ProGAN's {@code dirs} matrix.
     */
    static float[][] randomDirections(int dim, long seed) {
        Random rng = new Random(seed);
        float[][] out = new float[DIR_REPEATS][dim * DIRS_PER_REPEAT];
        for (int rep = 0; rep < DIR_REPEATS; rep++) {
            for (int j = 0; j < DIRS_PER_REPEAT; j++) {
                double norm = 0;
                double[] v = new double[dim];
                for (int k = 0; k < dim; k++) {
                    v[k] = rng.nextGaussian();
                    norm += v[k] * v[k];
                }
                norm = Math.sqrt(norm);
                for (int k = 0; k < dim; k++) {
                    out[rep][k * DIRS_PER_REPEAT + j] = (float) (v[k] / norm);
                }
            }
        }
        return out;
    }

    /**
     * Sliced Wasserstein distance (not scaled) between two equally sized descriptor sets, row-major
     * {@code rows x dim}, along the given directions (each {@code dim x columns}, row-major): per
     * direction, the mean absolute difference of the sorted projections; averaged over the directions
     * of a repeat, then over repeats.
     */
    static double slicedDistance(float[] a, float[] b, int dim, float[][] dirs) {
        int rows = a.length / dim;
        if (b.length != a.length || a.length % dim != 0) {
            throw new IllegalArgumentException("descriptor sets differ in size or do not hold rows of " + dim + ": "
                    + a.length + " vs " + b.length);
        }
        GanLab.noGradOnThisThread();
        double total = 0;
        try (NDManager m = GanLab.newManager()) {
            NDArray da = m.create(a, new Shape(rows, dim));
            NDArray db = m.create(b, new Shape(rows, dim));
            for (float[] repDirs : dirs) {
                int columns = repDirs.length / dim;
                double repSum = 0;
                for (int j0 = 0; j0 < columns; j0 += DIR_CHUNK) {
                    try (NDManager step = m.newSubManager()) {
                        int cols = Math.min(DIR_CHUNK, columns - j0);
                        float[] chunk = new float[dim * cols];
                        for (int k = 0; k < dim; k++) {
                            System.arraycopy(repDirs, k * columns + j0, chunk, k * cols, cols);
                        }
                        NDArray dir = step.create(chunk, new Shape(dim, cols));
                        // A result belongs to its first input's manager: move the projections into
                        // this step's manager so that what follows is freed with it.
                        NDArray pa = da.matMul(dir);
                        NDArray pb = db.matMul(dir);
                        pa.attach(step);
                        pb.attach(step);
                        repSum += pa.sort(0).sub(pb.sort(0)).abs().sum().getFloat();
                    }
                }
                total += repSum / ((double) rows * columns);
            }
        }
        return total / dirs.length;
    }

    /** One pyramid level: planar (C, h, w) values. */
    record Level(double[] values, int h, int w) {}

    /**
     * The Laplacian pyramid of a planar {@code (C, H, W)} image with {@code levels} levels, finest
     * first: level i is {@code G_i - up(G_{i+1})}, the last is the low-pass {@code G_{levels-1}}.
     */
    static List<Level> laplacianPyramid(double[] img, int c, int h, int w, int levels) {
        List<Level> gauss = new ArrayList<>();
        gauss.add(new Level(img, h, w));
        for (int i = 1; i < levels; i++) {
            gauss.add(pyrDown(gauss.get(i - 1), c));
        }
        List<Level> out = new ArrayList<>();
        for (int i = 0; i < levels - 1; i++) {
            Level g = gauss.get(i);
            Level up = pyrUp(gauss.get(i + 1), c);
            double[] v = g.values.clone();
            for (int k = 0; k < v.length; k++) {
                v[k] -= up.values[k];
            }
            out.add(new Level(v, g.h, g.w));
        }
        out.add(gauss.get(levels - 1));
        return out;
    }

    /** Binomial blur with mirrored borders, then every second row and column (cv2.pyrDown). */
    static Level pyrDown(Level in, int c) {
        double[] blurred = blur(in.values, c, in.h, in.w, 1.0);
        int oh = (in.h + 1) / 2;
        int ow = (in.w + 1) / 2;
        double[] out = new double[c * oh * ow];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    out[(ch * oh + y) * ow + x] = blurred[(ch * in.h + 2 * y) * in.w + 2 * x];
                }
            }
        }
        return new Level(out, oh, ow);
    }

    /** Zeros between samples, then the binomial blur times 4 (cv2.pyrUp). */
    static Level pyrUp(Level in, int c) {
        int oh = in.h * 2;
        int ow = in.w * 2;
        double[] up = new double[c * oh * ow];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < in.h; y++) {
                for (int x = 0; x < in.w; x++) {
                    up[(ch * oh + 2 * y) * ow + 2 * x] = in.values[(ch * in.h + y) * in.w + x];
                }
            }
        }
        return new Level(blur(up, c, oh, ow, 4.0), oh, ow);
    }

    /** Separable 5 x 5 binomial filter scaled by {@code gain}, borders mirrored without repeating the edge. */
    private static double[] blur(double[] v, int c, int h, int w, double gain) {
        double[] tmp = new double[v.length];
        double[] out = new double[v.length];
        for (int ch = 0; ch < c; ch++) {
            int off = ch * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double acc = 0;
                    for (int t = -2; t <= 2; t++) {
                        acc += BINOMIAL[t + 2] * v[off + y * w + mirror(x + t, w)];
                    }
                    tmp[off + y * w + x] = acc;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double acc = 0;
                    for (int t = -2; t <= 2; t++) {
                        acc += BINOMIAL[t + 2] * tmp[off + mirror(y + t, h) * w + x];
                    }
                    out[off + y * w + x] = gain * acc;
                }
            }
        }
        return out;
    }

    /** scipy.ndimage 'mirror' / OpenCV BORDER_REFLECT_101: -1 -> 1, n -> n - 2. */
    private static int mirror(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        i = Math.floorMod(i, period);
        return i < n ? i : period - i;
    }
}
