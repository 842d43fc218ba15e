package dev.ganlab.data;

import java.awt.image.BufferedImage;

/**
 * Pixel conversions between {@link BufferedImage} and planar 8-bit arrays, and the geometric
 * transforms of the data pipeline (resize, center crop, grey/RGB).
 *
 * <p>Planar arrays hold {@code (C, H, W)} in row-major order with values 0..255.
 */
public final class Images {

    /** How {@link #resize} interpolates. */
    public enum Filter {
        /** Box filter weighted by pixel overlap: the right choice for shrinking (no aliasing). */
        AREA,
        /** Bilinear with half-pixel centres (PyTorch's align_corners=False), no anti-aliasing. */
        BILINEAR;

        /** Parses "area" or "bilinear" (any case). */
        public static Filter parse(String s) {
            for (Filter f : values()) {
                if (f.name().equalsIgnoreCase(s.trim())) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown resize filter '" + s + "': use area or bilinear");
        }
    }

    private Images() {}

    /**
     * Reads a picture into planar bytes with {@code channels} channels (1 = luma, 3 = RGB),
     * compositing any transparency onto a white background.
     */
    public static byte[] fromBufferedImage(BufferedImage img, int channels) {
        if (img.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY) {
            return fromGreyRaster(img, channels);
        }
        int h = img.getHeight();
        int w = img.getWidth();
        byte[] out = new byte[channels * h * w];
        int plane = h * w;
        // What ImageIO's PNG and JPEG readers return for 8-bit sRGB files: read the bytes of the raster,
        // (R, G, B[, A]) per pixel; getRGB would convert each pixel through the colour model, several
        // times slower for the same values.
        int type = img.getType();
        boolean bytes = (type == BufferedImage.TYPE_3BYTE_BGR || type == BufferedImage.TYPE_4BYTE_ABGR)
                && img.getColorModel().getColorSpace().isCS_sRGB();
        byte[] raw = bytes ? (byte[]) img.getRaster().getDataElements(0, 0, w, h, null) : null;
        int[] argb = bytes ? null : img.getRGB(0, 0, w, h, null, 0, w);
        boolean alpha = img.getColorModel().hasAlpha();
        int bands = alpha ? 4 : 3;
        for (int i = 0; i < plane; i++) {
            int a;
            int r;
            int g;
            int b;
            if (raw != null) {
                int k = i * bands;
                r = raw[k] & 0xFF;
                g = raw[k + 1] & 0xFF;
                b = raw[k + 2] & 0xFF;
                a = alpha ? raw[k + 3] & 0xFF : 255;
            } else {
                int p = argb[i];
                a = alpha ? (p >>> 24) : 255;
                r = (p >> 16) & 0xFF;
                g = (p >> 8) & 0xFF;
                b = p & 0xFF;
            }
            if (a < 255) {
                // Composite on white: c' = c * a + 255 * (1 - a), rounded.
                r = (r * a + 255 * (255 - a) + 127) / 255;
                g = (g * a + 255 * (255 - a) + 127) / 255;
                b = (b * a + 255 * (255 - a) + 127) / 255;
            }
            if (channels == 1) {
                // ITU-R BT.601 luma, as PIL's convert("L").
                out[i] = (byte) Math.min(255, Math.round(0.299f * r + 0.587f * g + 0.114f * b));
            } else {
                out[i] = (byte) r;
                out[plane + i] = (byte) g;
                out[2 * plane + i] = (byte) b;
            }
        }
        return out;
    }

    /**
     * Grey pictures are read from the raster: {@code getRGB} would convert their linear grey colour
     * space to sRGB and brighten every value (77 becomes 149).
     */
    private static byte[] fromGreyRaster(BufferedImage img, int channels) {
        int h = img.getHeight();
        int w = img.getWidth();
        var raster = img.getRaster();
        int bits = img.getColorModel().getComponentSize(0);
        int max = (1 << bits) - 1;
        boolean alpha = raster.getNumBands() > 1 && img.getColorModel().hasAlpha();
        int alphaMax = alpha ? (1 << img.getColorModel().getComponentSize(1)) - 1 : 1;
        int plane = h * w;
        byte[] out = new byte[channels * plane];
        int[] grey = raster.getSamples(0, 0, w, h, 0, (int[]) null);
        int[] a = alpha ? raster.getSamples(0, 0, w, h, 1, (int[]) null) : null;
        for (int i = 0; i < plane; i++) {
            double v = grey[i] * 255.0 / max;
            if (alpha) {
                double t = a[i] / (double) alphaMax;
                v = v * t + 255 * (1 - t);
            }
            byte b = (byte) Math.min(255, Math.round(v));
            for (int c = 0; c < channels; c++) {
                out[c * plane + i] = b;
            }
        }
        return out;
    }

    /** Builds a grey or RGB picture from planar bytes. */
    public static BufferedImage toBufferedImage(byte[] px, int channels, int h, int w) {
        int plane = h * w;
        if (channels == 1) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, w, h, px);
            return img;
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            rgb[i] = ((px[i] & 0xFF) << 16) | ((px[plane + i] & 0xFF) << 8) | (px[2 * plane + i] & 0xFF);
        }
        img.setRGB(0, 0, w, h, rgb, 0, w);
        return img;
    }

    /** Converts between 1 and 3 channels (grey replicated to RGB, RGB to BT.601 luma). */
    public static byte[] convertChannels(byte[] px, int from, int to, int h, int w) {
        if (from == to) {
            return px;
        }
        int plane = h * w;
        if (from == 1 && to == 3) {
            byte[] out = new byte[3 * plane];
            System.arraycopy(px, 0, out, 0, plane);
            System.arraycopy(px, 0, out, plane, plane);
            System.arraycopy(px, 0, out, 2 * plane, plane);
            return out;
        }
        if (from == 3 && to == 1) {
            byte[] out = new byte[plane];
            for (int i = 0; i < plane; i++) {
                float v = 0.299f * (px[i] & 0xFF) + 0.587f * (px[plane + i] & 0xFF) + 0.114f * (px[2 * plane + i] & 0xFF);
                out[i] = (byte) Math.min(255, Math.round(v));
            }
            return out;
        }
        throw new IllegalArgumentException("channel conversion " + from + " -> " + to + " is not supported");
    }

    /** Crops the largest centred square, or the given size, from planar bytes. */
    public static byte[] centerCrop(byte[] px, int c, int h, int w, int cropH, int cropW) {
        if (cropH > h || cropW > w || cropH < 1 || cropW < 1) {
            throw new IllegalArgumentException("center crop " + cropH + "x" + cropW + " does not fit a " + h + "x" + w
                    + " image");
        }
        int y0 = (h - cropH) / 2;
        int x0 = (w - cropW) / 2;
        byte[] out = new byte[c * cropH * cropW];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < cropH; y++) {
                System.arraycopy(px, (ch * h + y0 + y) * w + x0, out, (ch * cropH + y) * cropW, cropW);
            }
        }
        return out;
    }

    /** Resizes planar bytes to {@code outH x outW}, rounding to the nearest integer. */
    public static byte[] resize(byte[] px, int c, int h, int w, int outH, int outW, Filter filter) {
        if (outH == h && outW == w) {
            return px;
        }
        float[] src = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            src[i] = px[i] & 0xFF;
        }
        float[] dst = resize(src, c, h, w, outH, outW, filter);
        byte[] out = new byte[dst.length];
        for (int i = 0; i < dst.length; i++) {
            out[i] = (byte) Math.max(0, Math.min(255, Math.round(dst[i])));
        }
        return out;
    }

    /** Resizes planar floats to {@code outH x outW}. */
    public static float[] resize(float[] src, int c, int h, int w, int outH, int outW, Filter filter) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("resize target " + outH + "x" + outW + " must be positive");
        }
        float[] tmp = new float[c * h * outW];
        float[] out = new float[c * outH * outW];
        // Separable: rows first (W -> outW), then columns (H -> outH).
        Weights wx = filter == Filter.AREA ? Weights.area(w, outW) : Weights.bilinear(w, outW);
        Weights wy = filter == Filter.AREA ? Weights.area(h, outH) : Weights.bilinear(h, outH);
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                int srcRow = (ch * h + y) * w;
                int dstRow = (ch * h + y) * outW;
                for (int x = 0; x < outW; x++) {
                    float acc = 0;
                    for (int k = wx.start[x], j = 0; j < wx.weights[x].length; k++, j++) {
                        acc += wx.weights[x][j] * src[srcRow + k];
                    }
                    tmp[dstRow + x] = acc;
                }
            }
            for (int y = 0; y < outH; y++) {
                int dstRow = (ch * outH + y) * outW;
                for (int x = 0; x < outW; x++) {
                    float acc = 0;
                    for (int k = wy.start[y], j = 0; j < wy.weights[y].length; k++, j++) {
                        acc += wy.weights[y][j] * tmp[(ch * h + k) * outW + x];
                    }
                    out[dstRow + x] = acc;
                }
            }
        }
        return out;
    }

    /** 1-D resampling weights: output i = sum_j weights[i][j] * input[start[i] + j]. */
    private static final class Weights {
        final int[] start;
        final float[][] weights;

        Weights(int n) {
            start = new int[n];
            weights = new float[n][];
        }

        static Weights area(int in, int out) {
            Weights r = new Weights(out);
            double scale = (double) in / out;
            for (int i = 0; i < out; i++) {
                double a = i * scale;
                double b = (i + 1) * scale;
                int j0 = (int) Math.floor(a);
                int j1 = Math.min(in, (int) Math.ceil(b));
                float[] wts = new float[j1 - j0];
                double sum = 0;
                for (int j = j0; j < j1; j++) {
                    double overlap = Math.min(b, j + 1) - Math.max(a, j);
                    wts[j - j0] = (float) Math.max(0, overlap);
                    sum += wts[j - j0];
                }
                for (int k = 0; k < wts.length; k++) {
                    wts[k] /= sum;
                }
                r.start[i] = j0;
                r.weights[i] = wts;
            }
            return r;
        }

        static Weights bilinear(int in, int out) {
            Weights r = new Weights(out);
            double scale = (double) in / out;
            for (int i = 0; i < out; i++) {
                double x = (i + 0.5) * scale - 0.5;
                x = Math.max(0, Math.min(in - 1, x));
                int j0 = (int) Math.floor(x);
                int j1 = Math.min(in - 1, j0 + 1);
                float t = (float) (x - j0);
                r.start[i] = j0;
                r.weights[i] = j1 == j0 ? new float[] {1f} : new float[] {1 - t, t};
            }
            return r;
        }
    }
}
