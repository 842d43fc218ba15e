package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Pixelwise feature vector normalisation (Karras et al., "Progressive Growing of GANs", ICLR 2018,
 * sec. 4.2): {@code b = a / sqrt(mean_c(a^2) + eps)} with eps = 1e-8, i.e. every pixel's feature
 * vector is scaled to unit mean square. ProGAN applies it after each convolution of the generator
 * (after the activation, as the official code does) and to the latent vector, where it puts z on the
 * hypersphere of radius sqrt(latent size). It has no parameters; its purpose is to stop the
 * generator's and discriminator's signal magnitudes escalating against each other.
 *
 * <p>Input {@code (N, C)} or {@code (N, C, H, W)} (any rank >= 2; normalised over axis 1); no
 * weights; output of the same shape.
 */
public final class PixelNorm extends ShapeCheckedLayer {

    private static final byte VERSION = 1;

    /** Karras et al. 2018, sec. 4.2: epsilon = 1e-8. */
    public static final float EPS = 1e-8f;

    private final float eps;

    /** Pixel norm with the paper's epsilon. */
    public PixelNorm() {
        this(EPS);
    }

    public PixelNorm(float eps) {
        super(VERSION);
        if (!(eps > 0)) {
            throw new IllegalArgumentException("PixelNorm eps must be > 0, got " + eps);
        }
        this.eps = eps;
    }

    /**
     * The maths: {@code x / sqrt(mean over axis 1 of x^2 + eps)}; the result belongs to x's manager.
     */
    public static NDArray pixelNorm(NDArray x, float eps) {
        NDArray meanSquare = x.square().mean(new int[] {1}, true); // (N, 1, ...)
        return x.div(meanSquare.add(eps).sqrt());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(pixelNorm(inputs.singletonOrThrow(), eps));
    }

    @Override
    protected Shape outputShape(Shape input) {
        return requireRank(input, 2, false, "PixelNorm", "(N, C, ...)");
    }

    @Override
    public String toString() {
        return "PixelNorm(eps=" + eps + ")";
    }
}
