package dev.ganlab.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic image distribution with known modes, the image-space version of the "ring of 8
 * Gaussians" used to study mode collapse (Metz et al., 2017): each image is a bright Gaussian blob on
 * a dark background, centred on one of {@code k} points evenly spaced on a circle, with a little
 * positional jitter. Which mode an image belongs to is read back from its brightness centroid
 * ({@link #modeOf}), so a generator's mode coverage can be counted exactly.
 */
public final class SyntheticModes {

    /** Radius of the ring as a fraction of the image size. */
    public static final double RING = 0.3;
    /** Blob standard deviation as a fraction of the image size. */
    public static final double BLOB = 0.06;
    /** Positional jitter (std) as a fraction of the image size. */
    public static final double JITTER = 0.01;

    private final int modes;
    private final int size;

    public SyntheticModes(int modes, int size) {
        if (modes < 2 || size < 8) {
            throw new IllegalArgumentException("synthetic modes need k >= 2 and size >= 8, got " + modes + ", " + size);
        }
        this.modes = modes;
        this.size = size;
    }

    public int modes() {
        return modes;
    }

    /** Centre (x, y) in pixels of mode {@code k}. */
    public double[] centre(int k) {
        double a = 2 * Math.PI * k / modes;
        double c = (size - 1) / 2.0;
        return new double[] {c + RING * size * Math.cos(a), c + RING * size * Math.sin(a)};
    }

    /** {@code perMode} images of every mode, labelled by mode, grey, in mode order. */
    public ImageDataset generate(int perMode, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<byte[]> px = new ArrayList<>();
        int[] labels = new int[modes * perMode];
        List<String> names = new ArrayList<>();
        for (int k = 0; k < modes; k++) {
            names.add("mode " + k);
            double[] c = centre(k);
            for (int i = 0; i < perMode; i++) {
                double cx = c[0] + gaussian(rng) * JITTER * size;
                double cy = c[1] + gaussian(rng) * JITTER * size;
                px.add(blob(cx, cy));
                labels[k * perMode + i] = k;
            }
        }
        return new ImageDataset("synthetic:" + modes + " modes " + size + "px", 1, size, size, px, labels, names);
    }

    private byte[] blob(double cx, double cy) {
        byte[] out = new byte[size * size];
        double s = BLOB * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                out[y * size + x] = (byte) Math.round(255 * Math.exp(-d2 / (2 * s * s)));
            }
        }
        return out;
    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * The mode of an image by its brightness centroid, or -1 when the image is not a clean single blob
     * (centroid farther than a quarter of the spacing between modes from every mode centre, or a
     * total brightness far from a real blob's).
     */
    public int modeOf(byte[] image) {
        double sum = 0;
        double sx = 0;
        double sy = 0;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double v = image[y * size + x] & 0xFF;
                sum += v;
                sx += v * x;
                sy += v * y;
            }
        }
        double blobMass = 255 * 2 * Math.PI * Math.pow(BLOB * size, 2);
        if (sum < 0.5 * blobMass || sum > 1.5 * blobMass) {
            return -1;
        }
        double cx = sx / sum;
        double cy = sy / sum;
        double spacing = 2 * Math.PI * RING * size / modes;
        int best = -1;
        double bestD = Double.MAX_VALUE;
        for (int k = 0; k < modes; k++) {
            double[] c = centre(k);
            double d = Math.hypot(cx - c[0], cy - c[1]);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return bestD <= spacing / 4 ? best : -1;
    }
}
