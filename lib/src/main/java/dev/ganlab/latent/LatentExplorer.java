package dev.ganlab.latent;

import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.data.Permutations;
import dev.ganlab.models.ClassConditional;
import dev.ganlab.train.TrainedGenerator;
import dev.ganlab.viz.ImageGrid;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks the latent space of a trained generator (any model, conditional or not): interpolation strips,
 * the DCGAN paper's vector arithmetic, truncated samples. The explorer does not own the generator.
 *
 * <pre>{@code
 * try (TrainedGenerator g = TrainedGenerator.load(Path.of("runs/dcgan"))) {
 *     LatentExplorer x = new LatentExplorer(g, true);          // the EMA generator when the run kept one
 *     Notebook.show(x.strip(1, 2, 9, true));                   // slerp from seed 1's latent to seed 2's
 *     Notebook.show(x.truncationGrid(new double[] {0, 0.5, 1}, 8, 7));
 * }
 * }</pre>
 *
 * <p>Seeds name latents the way {@code ganlab sample --seed S} draws them: the latent of seed S is the
 * first image of {@code sample --seed S}.
 */
public final class LatentExplorer {

    private final TrainedGenerator generator;
    private final boolean ema;
    private final LatentPrior prior;

    /**
     * @param useEma use the run's EMA generator when it kept one
     */
    public LatentExplorer(TrainedGenerator generator, boolean useEma) {
        this.generator = generator;
        this.ema = useEma && generator.hasEma();
        this.prior = LatentPrior.of(generator.config(), generator.model());
    }

    /** The run's latent distribution. */
    public LatentPrior prior() {
        return prior;
    }

    public TrainedGenerator generator() {
        return generator;
    }

    /** Whether the EMA generator is in use. */
    public boolean usesEma() {
        return ema;
    }

    /** The latent of {@code seed} (the first of {@code sample --seed seed}). */
    public float[] latent(long seed) {
        return generator.latents(1, seed)[0];
    }

    /** The latents of several seeds. */
    public float[][] latents(long... seeds) {
        float[][] out = new float[seeds.length][];
        for (int i = 0; i < seeds.length; i++) {
            out[i] = latent(seeds[i]);
        }
        return out;
    }

    /** Images of the given latents. */
    public ImageDataset images(float[][] latents, String name) {
        return generator.generate(latents, ema, name);
    }

    /** {@code steps} images from seed {@code from}'s latent to seed {@code to}'s, ends included. */
    public ImageDataset interpolation(long from, long to, int steps, boolean spherical) {
        float[][] path = Latents.path(latent(from), latent(to), steps, spherical);
        return images(path, (spherical ? "slerp" : "lerp") + " seed " + from + " -> " + to);
    }

    /** {@link #interpolation} as one row of images. */
    public BufferedImage strip(long from, long to, int steps, boolean spherical) {
        ImageDataset s = interpolation(from, to, steps, spherical);
        return ImageGrid.of(s, 0, s.size()).cols(steps).render();
    }

    /**
     * Several interpolations, one row each: row r walks from {@code pairs[r][0]}'s latent to
     * {@code pairs[r][1]}'s.
     */
    public BufferedImage strips(long[][] pairs, int steps, boolean spherical) {
        List<BufferedImage> tiles = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (long[] p : pairs) {
            if (p.length != 2) {
                throw new UserError("an interpolation needs two seeds (from, to), got " + p.length);
            }
            ImageDataset s = interpolation(p[0], p[1], steps, spherical);
            for (int i = 0; i < s.size(); i++) {
                tiles.add(s.image(i));
            }
            labels.add(p[0] + "->" + p[1]);
        }
        return ImageGrid.of(tiles).cols(steps).rowLabels(labels).render();
    }

    /** {@code n} samples of the run drawn with {@code seed}, their latents truncated with {@code psi}. */
    public ImageDataset truncated(int n, long seed, double psi) {
        Latents.checkPsi(psi);
        float[][] z = generator.latents(n, seed);
        int noise = noiseDim(z[0].length);
        float[] mean = new float[noise]; // every prior here is centred on 0 (LatentPrior)
        for (int i = 0; i < n; i++) {
            // A conditional latent's class part is left as it is: only the noise is truncated.
            float[] t = Latents.truncate(java.util.Arrays.copyOf(z[i], noise), mean, psi);
            System.arraycopy(t, 0, z[i], 0, noise);
        }
        return images(z, "psi " + psi);
    }

    /** The noise part's length: the whole latent, or a class-conditional model's z before its class weights. */
    private int noiseDim(int latentLength) {
        return generator.model() instanceof ClassConditional cc ? cc.noiseDim() : latentLength;
    }

    private ClassConditional conditional() {
        if (!(generator.model() instanceof ClassConditional cc)) {
            throw new UserError(generator.model().name() + " is not class-conditional (cond=none): no classes to show");
        }
        return cc;
    }

    /**
     * One row per class, the same {@code cols} noise vectors in every row (so a column shares its "style"),
     * as class-conditional GAN papers show samples.
     */
    public BufferedImage classGrid(int cols, long seed, List<String> classNames) {
        ClassConditional cc = conditional();
        float[][] z = generator.latents(cols, seed);
        List<BufferedImage> tiles = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int k = 0; k < cc.classCount(); k++) {
            float[][] row = new float[cols][];
            for (int i = 0; i < cols; i++) {
                row[i] = cc.withClass(z[i], k);
            }
            ImageDataset s = images(row, "class " + k);
            for (int i = 0; i < s.size(); i++) {
                tiles.add(s.image(i));
            }
            labels.add(classNames != null && k < classNames.size() ? classNames.get(k) : Integer.toString(k));
        }
        return ImageGrid.of(tiles).cols(cols).rowLabels(labels).render();
    }

    /**
     * Class interpolation (BigGAN, fig. 8; the projection paper's "category morphing", fig. 11): the noise of
     * {@code seed} fixed, the class weights moved linearly from one class's one-hot to the other's.
     */
    public ImageDataset classInterpolation(long seed, int fromClass, int toClass, int steps) {
        ClassConditional cc = conditional();
        float[] z = latent(seed);
        float[][] path = Latents.path(cc.withClass(z, fromClass), cc.withClass(z, toClass), steps, false);
        return images(path, "class " + fromClass + " -> " + toClass);
    }

    /**
     * One row per psi, the same {@code cols} latents in every column, so a column shows one latent
     * pulled towards the mean.
     */
    public BufferedImage truncationGrid(double[] psis, int cols, long seed) {
        List<BufferedImage> tiles = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (double psi : psis) {
            ImageDataset s = truncated(cols, seed, psi);
            for (int i = 0; i < s.size(); i++) {
                tiles.add(s.image(i));
            }
            labels.add("psi " + psi);
        }
        return ImageGrid.of(tiles).cols(cols).rowLabels(labels).render();
    }

    /**
     * The DCGAN paper's vector arithmetic (Radford et al. 2016, sec. 6.3.2, fig. 7): with A, B, C groups
     * of exemplar seeds (three each in the paper), the vector mean(A) - mean(B) + mean(C) and
     * {@code variations} neighbours of it with uniform noise of +-0.25 added.
     *
     * @param noiseSeed seed of the variations' noise
     */
    public Arithmetic arithmetic(long[] a, long[] b, long[] c, int variations, long noiseSeed) {
        if (a.length == 0 || b.length == 0 || c.length == 0) {
            throw new UserError("latent arithmetic needs at least one seed in each of A, B and C");
        }
        if (variations < 0) {
            throw new UserError("variations " + variations + " must be >= 0");
        }
        float[][] za = latents(a);
        float[][] zb = latents(b);
        float[][] zc = latents(c);
        float[] result = Latents.combine(new double[] {1, -1, 1}, za, zb, zc);
        float[][] out = new float[1 + variations][];
        out[0] = result;
        for (int v = 1; v <= variations; v++) {
            out[v] = Latents.jitter(result, Latents.DCGAN_ARITHMETIC_NOISE, Permutations.mix(noiseSeed, v));
        }
        return new Arithmetic(group(za, Latents.mean(za), "A"), group(zb, Latents.mean(zb), "B"),
                group(zc, Latents.mean(zc), "C"), images(out, "A - B + C"), result);
    }

    private ImageDataset group(float[][] members, float[] mean, String name) {
        float[][] all = new float[members.length + 1][];
        System.arraycopy(members, 0, all, 0, members.length);
        all[members.length] = mean;
        return images(all, name);
    }

    /**
     * What {@link #arithmetic} made: each group's exemplars followed by the image of their mean latent,
     * and the result's image followed by its variations.
     */
    public record Arithmetic(ImageDataset a, ImageDataset b, ImageDataset c, ImageDataset result, float[] vector) {

        /** Rows A, B, C (exemplars, then "mean") and the result with its variations. */
        public BufferedImage grid() {
            int cols = Math.max(Math.max(a.size(), b.size()), Math.max(c.size(), result.size()));
            List<BufferedImage> tiles = new ArrayList<>();
            for (ImageDataset row : List.of(a, b, c, result)) {
                for (int i = 0; i < cols; i++) {
                    tiles.add(i < row.size() ? row.image(i) : blank(row));
                }
            }
            return ImageGrid.of(tiles).cols(cols).rowLabels(List.of("A", "B", "C", "A-B+C")).render();
        }

        private static BufferedImage blank(ImageDataset like) {
            BufferedImage b = new BufferedImage(like.width(), like.height(), BufferedImage.TYPE_INT_RGB);
            java.awt.Graphics2D g = b.createGraphics();
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, like.width(), like.height());
            g.dispose();
            return b;
        }
    }
}
