package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Minibatch standard deviation ("mbstd"; Karras et al., "Progressive Growing of GANs", ICLR 2018,
 * sec. 3): a parameter-free summary of how varied the batch is, appended as one extra feature map so
 * the discriminator can penalise a generator whose samples lack variation. ProGAN puts it before the
 * last 3x3 convolution of the discriminator, at 4x4.
 *
 * <p>The batch is split into groups of {@code G = min(groupSize, N)} samples. As in the official
 * code, sample {@code i} belongs to group {@code i mod M} with {@code M = N / G} (the batch is viewed
 * as {@code (G, M, C, H, W)}). Per group: the (biased) standard deviation over the group of every
 * feature at every pixel, {@code sqrt(var + 1e-8)}, averaged over channels and pixels into one value;
 * that value is broadcast to an {@code (H, W)} map for each sample of the group. This is the official
 * code's variant with one new feature map; the paper's v1 runs used one group for the whole batch
 * (group size 16 = batch size).
 *
 * <p>Input {@code (N, C, H, W)} with N divisible by G; no weights; output {@code (N, C + 1, H, W)}.
 */
public final class MinibatchStdDev extends ShapeCheckedLayer {

    private static final byte VERSION = 1;

    /** Official ProGAN code (networks.py, D_paper): mbstd_group_size = 4. */
    public static final int DEFAULT_GROUP_SIZE = 4;
    /** Official ProGAN code: epsilon 1e-8 added to the variance before the square root. */
    public static final float EPS = 1e-8f;

    private final int groupSize;

    /** Group size 4 (official default). */
    public MinibatchStdDev() {
        this(DEFAULT_GROUP_SIZE);
    }

    public MinibatchStdDev(int groupSize) {
        super(VERSION);
        if (groupSize < 1) {
            throw new IllegalArgumentException("MinibatchStdDev group size must be >= 1, got " + groupSize);
        }
        this.groupSize = groupSize;
    }

    public int groupSize() {
        return groupSize;
    }

    /**
     * The group actually used for a batch of {@code n}: {@code min(groupSize, n)}.
     *
     * @throws IllegalArgumentException when n is larger than the group size and not a multiple of it
     */
    public static int effectiveGroupSize(int groupSize, long n) {
        int g = (int) Math.min(groupSize, n);
        if (g < 1 || n % g != 0) {
            throw new IllegalArgumentException("mbstd: batch size " + n + " must be a multiple of the group size "
                    + groupSize + " (or smaller than it)");
        }
        return g;
    }

    /**
     * The maths: {@code [x, s]} along axis 1, with {@code s (N, 1, H, W)} the group statistic described
     * in the class comment. The result belongs to x's manager.
     */
    public static NDArray minibatchStdDev(NDArray x, int groupSize) {
        Shape s = requireRank(x.getShape(), 4, true, "MinibatchStdDev", "(N, C, H, W)");
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        int g = effectiveGroupSize(groupSize, n);
        long m = n / g;
        NDArray y = x.reshape(g, m, c, h, w);                  // (G, M, C, H, W): sample i -> group i mod M
        y = y.sub(y.mean(new int[] {0}, true));                // deviation from the group mean
        y = y.square().mean(new int[] {0});                    // (M, C, H, W) variance over the group
        y = y.add(EPS).sqrt();                                 // (M, C, H, W) standard deviation
        y = y.sum(new int[] {1, 2, 3}, true).div(c * h * w);   // (M, 1, 1, 1); multi-axis mean is missing
        y = y.tile(new long[] {g, 1, h, w});                   // (N, 1, H, W): row i is group i mod M
        return x.concat(y, 1);                                 // (N, C + 1, H, W)
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(minibatchStdDev(inputs.singletonOrThrow(), groupSize));
    }

    @Override
    protected Shape outputShape(Shape input) {
        Shape s = requireRank(input, 4, true, "MinibatchStdDev", "(N, C, H, W)");
        return new Shape(s.get(0), s.get(1) + 1, s.get(2), s.get(3));
    }

    @Override
    public String toString() {
        return "MinibatchStdDev(group=" + groupSize + ")";
    }
}
