package dev.ganlab.metrics;

import dev.ganlab.core.UserError;

/**
 * A metric cannot score images this small: SWD's Laplacian pyramid needs 16 px, MS-SSIM's Gaussian window 11 px.
 * A growing model (ProGAN) meets it in every stage below that size; {@link #requirement()} is the same for all of
 * them, so a training loop can say it once rather than once per stage.
 */
public final class ImagesTooSmall extends UserError {
    private static final long serialVersionUID = 1L;

    private final String requirement;

    /**
     * @param requirement what the metric needs, without the size at hand, e.g.
     *     {@code "SWD needs images of at least 16x16 pixels"}
     * @param height the images' height
     * @param width the images' width
     */
    public ImagesTooSmall(String requirement, int height, int width) {
        super(requirement + ", got " + height + "x" + width);
        this.requirement = requirement;
    }

    /** What the metric needs, the same sentence whatever the size at hand. */
    public String requirement() {
        return requirement;
    }
}
