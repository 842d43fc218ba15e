package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Differentiable augmentation, DiffAugment (Zhao et al., NeurIPS 2020, "Differentiable Augmentation
 * for Data-Efficient GAN Training"): the same kinds of random transforms are applied to real and
 * generated images before the discriminator sees them, and because every transform is
 * differentiable the generator still gets gradients through it. The discriminator then cannot
 * memorise a small training set, while the generator is not taught to produce augmented images.
 *
 * <p>Ops, as in the authors' code (each call draws its own parameters per image from the engine's
 * generator, so a seeded step replays the same augmentation):
 * <ul>
 *   <li>{@code color}: brightness {@code x + (u - 0.5)}, then saturation {@code (x - m_c) * 2u + m_c}
 *       around each pixel's channel mean, then contrast {@code (x - m) * (u + 0.5) + m} around the
 *       image mean; a new {@code u ~ U(0, 1)} per image for each of the three.
 *   <li>{@code translation}: shifts each image by whole pixels, up to {@link #TRANSLATION_RATIO} of
 *       its side in each direction, filling with zeros.
 *   <li>{@code cutout}: zeroes a square of side {@link #CUTOUT_RATIO} of the image side at a random
 *       centre per image (clipped at the border).
 * </ul>
 *
 * <p>Arrays are {@code (N, C, H, W)} in [-1, 1]; results belong to the input's manager. Each op has
 * a random form ({@link #brightness(NDArray)}) and a deterministic form taking the draws
 * ({@link #brightness(NDArray, NDArray)}) so the formulas can be checked by hand.
 */
public final class DiffAugment {

    /** Zhao et al., official code: translation of up to 1/8 of the image side. */
    public static final float TRANSLATION_RATIO = 0.125f;
    /** Zhao et al., official code: cutout square of 1/2 the image side. */
    public static final float CUTOUT_RATIO = 0.5f;

    /** One named op of a policy. */
    public enum Op {
        COLOR, TRANSLATION, CUTOUT;

        /** The policy-string name: "color", "translation", "cutout". */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        NDArray apply(NDArray x) {
            switch (this) {
                case COLOR:
                    return contrast(saturation(brightness(x)));
                case TRANSLATION:
                    return translation(x, TRANSLATION_RATIO);
                default:
                    return cutout(x, CUTOUT_RATIO);
            }
        }
    }

    private static final DiffAugment NONE = new DiffAugment(List.of());

    private final List<Op> ops;

    private DiffAugment(List<Op> ops) {
        this.ops = List.copyOf(ops);
    }

    /** The identity policy. */
    public static DiffAugment none() {
        return NONE;
    }

    /**
     * Parses a comma-separated policy such as {@code "color,translation,cutout"}; the order is kept,
     * blanks around names are ignored, and an empty or blank string is the identity.
     *
     * @throws IllegalArgumentException naming an unknown op and the known ones
     */
    public static DiffAugment parse(String policy) {
        if (policy == null || policy.isBlank()) {
            return NONE;
        }
        List<Op> ops = new ArrayList<>();
        for (String token : policy.split(",", -1)) {
            String name = token.trim();
            Op op = Arrays.stream(Op.values()).filter(o -> o.key().equals(name)).findFirst().orElse(null);
            if (op == null) {
                throw new IllegalArgumentException("unknown DiffAugment op '" + name + "' in policy '" + policy
                        + "': known ops are " + Arrays.stream(Op.values()).map(Op::key).collect(Collectors.joining(", ")));
            }
            ops.add(op);
        }
        return new DiffAugment(ops);
    }

    /** The ops in the order they are applied. */
    public List<Op> ops() {
        return ops;
    }

    /** Whether the policy does nothing. */
    public boolean isIdentity() {
        return ops.isEmpty();
    }

    /** The policy string ({@code parse(p.policy())} gives an equal policy). */
    public String policy() {
        return ops.stream().map(Op::key).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return "DiffAugment(" + policy() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DiffAugment && ((DiffAugment) o).ops.equals(ops);
    }

    @Override
    public int hashCode() {
        return ops.hashCode();
    }

    /** Applies the policy's ops in order, with new random draws; the identity returns {@code x} itself. */
    public NDArray apply(NDArray x) {
        check(x);
        if (ops.isEmpty()) {
            return x;
        }
        try (ParamScope scope = ParamScope.of(x, x)) { // intermediates die with the scope
            NDArray y = x;
            for (Op op : ops) {
                y = op.apply(y);
            }
            return scope.keep(y);
        }
    }

    // ---- colour ----

    /** Brightness with a new {@code u ~ U(0, 1)} per image. */
    public static NDArray brightness(NDArray x) {
        return brightness(x, uniformPerImage(x));
    }

    /** {@code x + (u - 0.5)}, {@code u} of shape {@code (N)} or {@code (N, 1, 1, 1)}. */
    public static NDArray brightness(NDArray x, NDArray u) {
        check(x);
        return x.add(perImage(x, u).sub(0.5f));
    }

    /** Saturation with a new {@code u ~ U(0, 1)} per image. */
    public static NDArray saturation(NDArray x) {
        return saturation(x, uniformPerImage(x));
    }

    /** {@code (x - m) * 2u + m}, {@code m} the mean over channels of each pixel. */
    public static NDArray saturation(NDArray x, NDArray u) {
        check(x);
        NDArray m = x.mean(new int[] {1}, true); // (N, 1, H, W)
        return x.sub(m).mul(perImage(x, u).mul(2f)).add(m);
    }

    /** Contrast with a new {@code u ~ U(0, 1)} per image. */
    public static NDArray contrast(NDArray x) {
        return contrast(x, uniformPerImage(x));
    }

    /** {@code (x - m) * (u + 0.5) + m}, {@code m} the mean of each image over channels and pixels. */
    public static NDArray contrast(NDArray x, NDArray u) {
        check(x);
        NDArray m = Ops.meanPerSample(x); // (N, 1, 1, 1)
        return x.sub(m).mul(perImage(x, u).add(0.5f)).add(m);
    }

    // ---- translation ----

    /** The largest shift for a side: {@code round(side * ratio)} as the authors' code computes it. */
    public static int maxShift(long side, float ratio) {
        return (int) (side * ratio + 0.5f);
    }

    /**
     * Translation by whole pixels drawn uniformly from {@code [-s, s]} per image and axis, with
     * {@code s = maxShift(side, ratio)}.
     */
    public static NDArray translation(NDArray x, float ratio) {
        check(x);
        if (!(ratio >= 0 && ratio < 1)) {
            throw new IllegalArgumentException("translation ratio " + ratio + " must be in [0, 1)");
        }
        Shape s = x.getShape();
        int sh = maxShift(s.get(2), ratio);
        int sw = maxShift(s.get(3), ratio);
        NDManager m = x.getManager();
        NDArray dy = m.randomInteger(-sh, sh + 1L, new Shape(s.get(0)), DataType.INT64);
        NDArray dx = m.randomInteger(-sw, sw + 1L, new Shape(s.get(0)), DataType.INT64);
        return translate(x, dy, dx);
    }

    /**
     * Shifts image {@code n} so that {@code out[n, c, i, j] = x[n, c, i + dy[n], j + dx[n]]}, zero where
     * that falls outside the image (the authors' code pads by one zero pixel and gathers with
     * clamped indices, which is the same). Built as one gather over the flattened image with an
     * extra zero slot, since the engine has no pad op; the gather is differentiable in {@code x}.
     *
     * @param dy integer row offsets {@code (N)}
     * @param dx integer column offsets {@code (N)}
     */
    public static NDArray translate(NDArray x, NDArray dy, NDArray dx) {
        check(x);
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        if (dy.size() != n || dx.size() != n) {
            throw new IllegalArgumentException("translate needs one row and one column offset per image: "
                    + n + " images, offsets " + dy.getShape() + " and " + dx.getShape());
        }
        NDManager m = x.getManager();
        NDArray rows = m.arange(0, (int) h, 1, DataType.INT64).reshape(1, h)
                .add(dy.toType(DataType.INT64, false).reshape(n, 1)); // (N, H) source rows
        NDArray cols = m.arange(0, (int) w, 1, DataType.INT64).reshape(1, w)
                .add(dx.toType(DataType.INT64, false).reshape(n, 1)); // (N, W) source columns
        NDArray rowOk = rows.gte(0).logicalAnd(rows.lt(h)).reshape(n, h, 1);
        NDArray colOk = cols.gte(0).logicalAnd(cols.lt(w)).reshape(n, 1, w);
        NDArray inside = rowOk.logicalAnd(colOk).toType(DataType.INT64, false); // (N, H, W)
        NDArray source = rows.reshape(n, h, 1).mul(w).add(cols.reshape(n, 1, w)); // (N, H, W) flat index
        // Outside pixels read slot h*w, the appended zero.
        NDArray index = source.mul(inside).add(inside.sub(1).neg().mul(h * w)).reshape(n, 1, h * w)
                .broadcast(new Shape(n, c, h * w));
        NDArray flat = x.reshape(n, c, h * w).concat(m.zeros(new Shape(n, c, 1), x.getDataType(), x.getDevice()), 2);
        return flat.gather(index, 2).reshape(n, c, h, w);
    }

    // ---- cutout ----

    /** The cutout square's side for an image side: {@code round(side * ratio)} as the authors' code. */
    public static int cutoutSize(long side, float ratio) {
        return (int) (side * ratio + 0.5f);
    }

    /**
     * Cutout of a {@code cutoutSize(H) x cutoutSize(W)} rectangle per image, its centre drawn
     * uniformly as in the authors' code (the rectangle may be clipped by the border).
     */
    public static NDArray cutout(NDArray x, float ratio) {
        check(x);
        if (!(ratio > 0 && ratio <= 1)) {
            throw new IllegalArgumentException("cutout ratio " + ratio + " must be in (0, 1]");
        }
        Shape s = x.getShape();
        int ch = cutoutSize(s.get(2), ratio);
        int cw = cutoutSize(s.get(3), ratio);
        NDManager m = x.getManager();
        NDArray cy = m.randomInteger(0, s.get(2) + (1 - ch % 2), new Shape(s.get(0)), DataType.INT64);
        NDArray cx = m.randomInteger(0, s.get(3) + (1 - cw % 2), new Shape(s.get(0)), DataType.INT64);
        return cutout(x, cy, cx, ch, cw);
    }

    /**
     * Zeroes rows {@code [cy - sizeH/2, cy - sizeH/2 + sizeH)} times columns {@code [cx - sizeW/2, cx -
     * sizeW/2 + sizeW)} of each image (clipped to the image), in every channel.
     *
     * @param cy centre rows {@code (N)}
     * @param cx centre columns {@code (N)}
     */
    public static NDArray cutout(NDArray x, NDArray cy, NDArray cx, int sizeH, int sizeW) {
        check(x);
        Shape s = x.getShape();
        long n = s.get(0);
        long h = s.get(2);
        long w = s.get(3);
        if (cy.size() != n || cx.size() != n || sizeH < 0 || sizeW < 0) {
            throw new IllegalArgumentException("cutout needs one centre per image and sizes >= 0: " + n
                    + " images, centres " + cy.getShape() + " and " + cx.getShape() + ", size " + sizeH + "x" + sizeW);
        }
        NDManager m = x.getManager();
        NDArray top = cy.toType(DataType.INT64, false).reshape(n, 1).sub(sizeH / 2);
        NDArray left = cx.toType(DataType.INT64, false).reshape(n, 1).sub(sizeW / 2);
        NDArray r = m.arange(0, (int) h, 1, DataType.INT64).reshape(1, h);
        NDArray c = m.arange(0, (int) w, 1, DataType.INT64).reshape(1, w);
        NDArray inRows = r.gte(top).logicalAnd(r.lt(top.add(sizeH))).reshape(n, 1, h, 1);
        NDArray inCols = c.gte(left).logicalAnd(c.lt(left.add(sizeW))).reshape(n, 1, 1, w);
        NDArray keep = inRows.logicalAnd(inCols).logicalNot().toType(x.getDataType(), false); // (N, 1, H, W)
        return x.mul(keep);
    }

    // ---- helpers ----

    private static NDArray uniformPerImage(NDArray x) {
        return x.getManager().randomUniform(0f, 1f, new Shape(x.getShape().get(0), 1, 1, 1), x.getDataType(), x.getDevice());
    }

    private static NDArray perImage(NDArray x, NDArray u) {
        long n = x.getShape().get(0);
        if (u.size() != n) {
            throw new IllegalArgumentException("need one draw per image: " + n + " images, draws of shape " + u.getShape());
        }
        return u.reshape(n, 1, 1, 1);
    }

    private static void check(NDArray x) {
        if (x.getShape().dimension() != 4) {
            throw new IllegalArgumentException("DiffAugment expects (N, C, H, W) images, got shape " + x.getShape());
        }
    }
}
