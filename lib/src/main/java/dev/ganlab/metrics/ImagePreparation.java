package dev.ganlab.metrics;

import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.data.Images;

import java.util.stream.IntStream;

/**
 * How a feature network wants its images, and the conversion from 8-bit planar images to its input.
 *
 * <ol>
 *   <li>Channels: grey is replicated to RGB when the network takes 3 channels; RGB becomes BT.601
 *       luma when it takes 1.
 *   <li>Size: when the network has a fixed input size, larger images are shrunk with the area filter
 *       (anti-aliased, every source pixel weighted by overlap) and smaller ones enlarged bilinearly
 *       (half-pixel centres), both in float without rounding back to 8 bits. When
 *       {@code networkEnlarges} is set, smaller images go in at their own size and the network
 *       enlarges them itself (the StyleGAN2-ADA Inception-v3 does, bilinearly, to 299).
 *   <li>Range: 8-bit values v become {@code v} (0..255), {@code v / 255} (0..1) or
 *       {@code v / 127.5 - 1} (-1..1).
 * </ol>
 *
 * @param channels channels the network takes (1 or 3), or 0 to keep the images' own
 * @param size the network's square input side, or 0 to feed images at their own size
 * @param networkEnlarges whether images smaller than {@code size} are left for the network to enlarge
 * @param range the value range the network expects
 * @param layer which output is used, in words (for the record)
 */
public record ImagePreparation(int channels, int size, boolean networkEnlarges, Range range, String layer) {

    /** Value ranges networks expect. */
    public enum Range {
        UINT8("0..255"), UNIT("0..1"), SYMMETRIC("-1..1");

        private final String text;

        Range(String text) {
            this.text = text;
        }

        /** Parses "0..255" / "uint8", "0..1" / "unit", "-1..1" / "symmetric" (any case). */
        public static Range parse(String s) {
            String t = s.trim().toLowerCase(java.util.Locale.ROOT);
            for (Range r : values()) {
                if (t.equals(r.text) || t.equals(r.name().toLowerCase(java.util.Locale.ROOT))) {
                    return r;
                }
            }
            throw new UserError("unknown value range '" + s + "': use 0..255, 0..1 or -1..1");
        }

        float map(int v) {
            return switch (this) {
                case UINT8 -> v;
                case UNIT -> v / 255f;
                case SYMMETRIC -> v / 127.5f - 1f;
            };
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Channels after preparation for images with {@code c} channels. */
    public int outChannels(int c) {
        return channels == 0 ? c : channels;
    }

    /** Side lengths after preparation for {@code h x w} images: {out h, out w}. */
    public int[] outSize(int h, int w) {
        if (size == 0 || (h == size && w == size)) {
            return new int[] {h, w};
        }
        if (networkEnlarges && h <= size && w <= size) {
            return new int[] {h, w};
        }
        return new int[] {size, size};
    }

    /** The filter used for {@code h x w} images, or "none". */
    public String filterFor(int h, int w) {
        int[] o = outSize(h, w);
        if (o[0] == h && o[1] == w) {
            return size > 0 && networkEnlarges && (h < size || w < size) ? "bilinear, inside the network" : "none";
        }
        return h >= size && w >= size ? "area" : "bilinear";
    }

    /** One line for reports, e.g. "3x299x299 from 1x28x28, resize bilinear, inside the network, range 0..255". */
    public String describe(ImageDataset images) {
        int[] o = outSize(images.height(), images.width());
        int target = size == 0 ? images.height() : size;
        return outChannels(images.channels()) + "x" + target + "x" + (size == 0 ? images.width() : size) + " from "
                + images.channels() + "x" + images.height() + "x" + images.width()
                + (o[0] != images.height() || size > 0 ? ", resize " + filterFor(images.height(), images.width()) : "")
                + ", range " + range + ", " + layer;
    }

    /**
     * Images {@code from..to-1} as one float batch {@code (N, C', H', W')}, row-major.
     *
     * @return the values; {@code shape} receives {N, C', H', W'}
     */
    public float[] batch(ImageDataset images, int from, int to, long[] shape) {
        int c = images.channels();
        int h = images.height();
        int w = images.width();
        int oc = outChannels(c);
        if (oc != 1 && oc != 3) {
            throw new UserError("cannot prepare " + c + "-channel images for a " + oc + "-channel network");
        }
        int[] o = outSize(h, w);
        int len = oc * o[0] * o[1];
        float[] out = new float[(to - from) * len];
        Images.Filter filter = h >= o[0] && w >= o[1] ? Images.Filter.AREA : Images.Filter.BILINEAR;
        IntStream.range(from, to).parallel().forEach(i -> {
            byte[] px = Images.convertChannels(images.pixels(i), c, oc, h, w);
            float[] v = new float[px.length];
            for (int k = 0; k < px.length; k++) {
                v[k] = range.map(px[k] & 0xFF);
            }
            if (o[0] != h || o[1] != w) {
                v = Images.resize(v, oc, h, w, o[0], o[1], filter);
            }
            System.arraycopy(v, 0, out, (i - from) * len, len);
        });
        shape[0] = to - from;
        shape[1] = oc;
        shape[2] = o[0];
        shape[3] = o[1];
        return out;
    }
}
