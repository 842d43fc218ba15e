package dev.ganlab.viz;

import ai.djl.ndarray.NDArray;
import dev.ganlab.data.ImageDataset;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiles images into one picture: sample grids, real-versus-fake panels, reconstructions beside their
 * inputs. Small images are enlarged by an integer factor (nearest neighbour, so pixels stay sharp)
 * until a tile is at least {@link #MIN_TILE} pixels wide, unless a scale is given. Tiles of different sizes
 * (a 16 px run beside a 64 px one) share the largest tile's cell: each is enlarged by the largest integer
 * factor that fits it and centred, so a small image is as readable as its neighbours.
 */
public final class ImageGrid {

    /** Tiles narrower than this are enlarged by default: a 28 px digit is hard to see at 1x. */
    public static final int MIN_TILE = 56;

    private final List<BufferedImage> images = new ArrayList<>();
    private int cols = 8;
    private int pad = 2;
    private int scale = 0;
    private Color background = Color.WHITE;
    private final List<String> rowLabels = new ArrayList<>();
    private String title;

    private ImageGrid() {}

    /** A grid of the given pictures. */
    public static ImageGrid of(List<BufferedImage> images) {
        ImageGrid g = new ImageGrid();
        g.images.addAll(images);
        return g;
    }

    /** A grid of a batch {@code (N, C, H, W)} with values in [-1, 1] (generator output). */
    public static ImageGrid of(NDArray batch) {
        ImageDataset ds = ImageDataset.fromTensor(batch, "batch");
        return of(ds, 0, ds.size());
    }

    /** A grid of images {@code from} (inclusive) to {@code to} (exclusive) of a data set. */
    public static ImageGrid of(ImageDataset ds, int from, int to) {
        List<BufferedImage> list = new ArrayList<>();
        for (int i = from; i < Math.min(to, ds.size()); i++) {
            list.add(ds.image(i));
        }
        return of(list);
    }

    /**
     * One row per class: the first {@code perClass} images of each label, captioned with the class
     * name.
     */
    public static ImageGrid perClass(ImageDataset ds, int perClass) {
        if (!ds.hasLabels()) {
            throw new IllegalArgumentException(ds.name() + " has no labels");
        }
        int classes = ds.classNames().size();
        List<BufferedImage> list = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            int found = 0;
            List<BufferedImage> row = new ArrayList<>();
            for (int i = 0; i < ds.size() && found < perClass; i++) {
                if (ds.label(i) == c) {
                    row.add(ds.image(i));
                    found++;
                }
            }
            if (row.isEmpty()) {
                continue;
            }
            while (row.size() < perClass) {
                row.add(blank(ds.width(), ds.height()));
            }
            list.addAll(row);
            labels.add(ds.classNames().get(c));
        }
        return of(list).cols(perClass).rowLabels(labels);
    }

    private static BufferedImage blank(int w, int h) {
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = b.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return b;
    }

    /** Images per row (default 8). */
    public ImageGrid cols(int c) {
        if (c < 1) {
            throw new IllegalArgumentException("cols " + c + " must be >= 1");
        }
        this.cols = c;
        return this;
    }

    /** Pixels between tiles (default 2). */
    public ImageGrid pad(int p) {
        if (p < 0) {
            throw new IllegalArgumentException("pad " + p + " must be >= 0");
        }
        this.pad = p;
        return this;
    }

    /** Integer enlargement of each tile; 0 (default) picks one so tiles are at least {@link #MIN_TILE} wide. */
    public ImageGrid scale(int s) {
        if (s < 0) {
            throw new IllegalArgumentException("scale " + s + " must be >= 0");
        }
        this.scale = s;
        return this;
    }

    public ImageGrid background(Color c) {
        this.background = c;
        return this;
    }

    /** A caption per row, drawn to the left of the row. */
    public ImageGrid rowLabels(List<String> labels) {
        rowLabels.clear();
        rowLabels.addAll(labels);
        return this;
    }

    /** A title drawn above the grid. */
    public ImageGrid title(String t) {
        this.title = t;
        return this;
    }

    /** Renders the grid. */
    public BufferedImage render() {
        if (images.isEmpty()) {
            throw new IllegalStateException("image grid has no images");
        }
        int tw = 0;
        int th = 0;
        for (BufferedImage im : images) {
            tw = Math.max(tw, im.getWidth());
            th = Math.max(th, im.getHeight());
        }
        int s = scale > 0 ? scale : Math.max(1, (MIN_TILE + tw - 1) / tw);
        int c = Math.min(cols, images.size());
        int r = (images.size() + c - 1) / c;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        int labelW = 0;
        int titleH = title == null ? 0 : 20;
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        for (String l : rowLabels) {
            labelW = Math.max(labelW, fm.stringWidth(l) + 8);
        }
        pg.dispose();
        int w = labelW + c * (tw * s + pad) + pad;
        int h = titleH + r * (th * s + pad) + pad;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(background);
        g.fillRect(0, 0, w, h);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(font);
        Color ink = (background.getRed() + background.getGreen() + background.getBlue()) > 384 ? Color.BLACK : Color.WHITE;
        g.setColor(ink);
        if (title != null) {
            g.drawString(title, pad + labelW, 15);
        }
        for (int i = 0; i < images.size(); i++) {
            int row = i / c;
            int col = i % c;
            int x = labelW + pad + col * (tw * s + pad);
            int y = titleH + pad + row * (th * s + pad);
            BufferedImage im = images.get(i);
            int k = Math.max(1, Math.min(tw * s / im.getWidth(), th * s / im.getHeight()));
            int dx = (tw * s - im.getWidth() * k) / 2;
            int dy = (th * s - im.getHeight() * k) / 2;
            g.drawImage(im, x + dx, y + dy, im.getWidth() * k, im.getHeight() * k, null);
        }
        for (int row = 0; row < Math.min(r, rowLabels.size()); row++) {
            int y = titleH + pad + row * (th * s + pad) + th * s / 2 + fm.getAscent() / 2;
            g.drawString(rowLabels.get(row), 4, y);
        }
        g.dispose();
        return out;
    }
}
