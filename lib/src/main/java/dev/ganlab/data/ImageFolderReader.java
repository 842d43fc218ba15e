package dev.ganlab.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Loads every PNG/JPEG under a folder (recursively, in sorted path order), optionally labelled by
 * their first-level sub-folder ("class folders", as torchvision's ImageFolder).
 *
 * <p>Errors name their cause: an empty or missing folder, an unreadable file (or a count of skipped
 * files under {@link BadImagePolicy#SKIP}), and images of different sizes when no resize was asked
 * for (the message names two files that differ).
 */
public final class ImageFolderReader {

    private ImageFolderReader() {}

    /** Lists the image files under {@code root}, sorted. */
    public static List<Path> listImages(Path root) {
        if (!Files.isDirectory(root)) {
            throw new DatasetException("image folder " + root + " does not exist or is not a folder");
        }
        // The folder itself may be a link to where the images live: the walk starts from its target (started
        // from the link, it visits the link and finds nothing) and names the files under the folder as given.
        // Inside it, links to images count and linked folders are not entered, as before.
        try {
            Path real = root.toRealPath();
            try (Stream<Path> s = Files.walk(real)) {
                return s.filter(Files::isRegularFile).filter(ImageFolderReader::isImageName)
                        .map(f -> root.resolve(real.relativize(f))).sorted().toList();
            }
        } catch (IOException | UncheckedIOException e) {
            throw new DatasetException("cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /**
     * Loads the folder.
     *
     * @param root the folder
     * @param classFolders label images by their first-level sub-folder
     * @param opt size, channels, filter and bad-image policy
     * @param report receives skipped files
     */
    public static ImageDataset load(Path root, boolean classFolders, LoadOptions opt, LoadReport report) {
        List<Path> files = listImages(root);
        if (files.isEmpty()) {
            throw new DatasetException("image folder " + root + " holds no .png, .jpg or .jpeg files");
        }
        List<String> classes = new ArrayList<>();
        int[] fileLabels = null;
        if (classFolders) {
            TreeSet<String> names = new TreeSet<>();
            for (Path f : files) {
                Path rel = root.relativize(f);
                if (rel.getNameCount() < 2) {
                    throw new DatasetException(f + ": with class folders every image must lie in a sub-folder of "
                            + root + " (the sub-folder's name is its class)");
                }
                names.add(rel.getName(0).toString());
            }
            classes.addAll(names);
            fileLabels = new int[files.size()];
            for (int i = 0; i < files.size(); i++) {
                fileLabels[i] = classes.indexOf(root.relativize(files.get(i)).getName(0).toString());
            }
        }
        int n = opt.limit() > 0 ? Math.min(opt.limit(), files.size()) : files.size();
        List<Path> used = files.subList(0, n);
        int[] usedLabels = fileLabels == null ? null : java.util.Arrays.copyOf(fileLabels, n);
        if (useDisk(root, used, opt)) {
            return DiskPixelCache.open(root, used, usedLabels, classes, opt, report).dataset("folder:" + root);
        }
        byte[][] pixels = new byte[n][];
        int[][] shapes = new int[n][];
        // Decode in parallel; results land by index, so the order stays the sorted file order.
        IntStream.range(0, n).parallel().forEach(i -> {
            Prepared p = prepare(files.get(i), opt, report);
            if (p != null) {
                pixels[i] = p.pixels();
                shapes[i] = new int[] {p.channels(), p.height(), p.width()};
            }
        });
        List<byte[]> kept = new ArrayList<>(n);
        List<Integer> keptLabels = new ArrayList<>(n);
        int firstIdx = -1;
        int channels = -1;
        for (int i = 0; i < n; i++) {
            if (pixels[i] == null) {
                continue;
            }
            if (firstIdx < 0) {
                firstIdx = i;
                channels = shapes[i][0];
            }
            if (opt.resolution() == null) {
                int[] a = shapes[firstIdx];
                int[] b = shapes[i];
                if (a[1] != b[1] || a[2] != b[2]) {
                    throw sizeMismatch(root, files.get(firstIdx), a[1], a[2], files.get(i), b[1], b[2]);
                }
            }
            if (shapes[i][0] != channels) {
                // Mixed grey and colour files: bring every image to RGB.
                channels = 3;
            }
            kept.add(pixels[i]);
            keptLabels.add(fileLabels == null ? -1 : fileLabels[i]);
        }
        if (kept.isEmpty()) {
            throw noneReadable(root, report);
        }
        int h = opt.resolution() == null ? shapes[firstIdx][1] : opt.resolution();
        int w = opt.resolution() == null ? shapes[firstIdx][2] : opt.resolution();
        if (channels == 3) {
            for (int i = 0, k = 0; i < n; i++) {
                if (pixels[i] == null) {
                    continue;
                }
                if (shapes[i][0] == 1) {
                    kept.set(k, Images.convertChannels(kept.get(k), 1, 3, h, w));
                }
                k++;
            }
        }
        int[] labels = fileLabels == null ? null : keptLabels.stream().mapToInt(Integer::intValue).toArray();
        return new ImageDataset("folder:" + root, channels, h, w, kept, labels, classes);
    }

    /** Images of different sizes and no resolution asked for: the error names two files that differ. */
    static DatasetException sizeMismatch(Path root, Path a, int ah, int aw, Path b, int bh, int bw) {
        return new DatasetException("images in " + root + " differ in size and no resize was asked for: " + a + " is "
                + aw + "x" + ah + ", " + b + " is " + bw + "x" + bh + ". Set a resolution to resize them all:"
                + " the spec's ?resolution=N (folder:" + root + "?resolution=64), train's --resolution N, or"
                + " LoadOptions.withResolution(N).");
    }

    /** Every file was unreadable and skipped. */
    static DatasetException noneReadable(Path root, LoadReport report) {
        return new DatasetException("no readable image in " + root + " (" + report.skippedCount() + " skipped: "
                + String.join("; ", report.skipped().subList(0, Math.min(3, report.skippedCount()))) + ")");
    }

    /**
     * One decoded and prepared image: planar bytes with the channels of the file (or of the options)
     * at the target size, and the decoded size before preparation.
     */
    public record Prepared(byte[] pixels, int channels, int height, int width) {}

    /**
     * Decodes and prepares one file; null when it is unreadable and the policy skips it (recorded in
     * {@code report}), a {@link ImageDecoder.BadImageException} naming the file when the policy fails.
     */
    public static Prepared prepare(Path f, LoadOptions opt, LoadReport report) {
        BufferedImage img;
        try {
            img = ImageDecoder.decode(f);
        } catch (ImageDecoder.BadImageException e) {
            if (opt.badImagePolicy() == BadImagePolicy.SKIP) {
                report.skip(f.toString(), e.reason());
                return null;
            }
            throw e;
        }
        int c = opt.outChannels(isGrey(img) ? 1 : 3);
        byte[] px = Images.fromBufferedImage(img, c);
        byte[] out = opt.resolution() == null ? px : opt.prepare(px, c, img.getHeight(), img.getWidth());
        return new Prepared(out, c, img.getHeight(), img.getWidth());
    }

    /**
     * Whether the folder goes to disk: as asked, or under {@link DataStorage#AUTO} when its decoded
     * size (at most 3 bytes per pixel at the target size, or at the first file's size) exceeds
     * {@link DataStorage#memoryBudget()}. Says which route it took and why on standard error.
     */
    static boolean useDisk(Path root, List<Path> files, LoadOptions opt) {
        long pixelsPerImage;
        if (opt.resolution() != null) {
            pixelsPerImage = (long) opt.resolution() * opt.resolution();
        } else {
            // The first file with a readable header; unreadable ones are left to the decode pass, which
            // fails or skips them under the bad-image policy (none readable: nothing to hold, memory).
            pixelsPerImage = 0;
            for (Path f : files) {
                try {
                    int[] wh = ImageDecoder.size(f);
                    pixelsPerImage = (long) wh[0] * wh[1];
                    break;
                } catch (ImageDecoder.BadImageException e) {
                    // next file
                }
            }
        }
        long decoded = files.size() * pixelsPerImage * (opt.channels() == null ? 3 : opt.channels());
        long budget = DataStorage.memoryBudget();
        boolean disk = switch (opt.storage()) {
            case MEMORY -> false;
            case DISK -> true;
            case AUTO -> decoded > budget;
        };
        System.err.printf(java.util.Locale.ROOT, "data folder:%s: %d images, at most %.1f MB decoded; in-memory budget"
                + " %.1f MB (%.0f%% of the max heap); dataStorage=%s -> %s%n", root, files.size(), decoded / 1e6,
                budget / 1e6, 100 * DataStorage.MEMORY_BUDGET_FRACTION, opt.storage(),
                disk ? "read from the prepared disk cache" : "held in memory");
        return disk;
    }

    /** True when every pixel has equal R, G and B (a grey picture, whatever its storage type). */
    static boolean isGrey(BufferedImage img) {
        int t = img.getType();
        if (t == BufferedImage.TYPE_BYTE_GRAY || t == BufferedImage.TYPE_USHORT_GRAY) {
            return true;
        }
        if (img.getColorModel().getNumColorComponents() == 1) {
            return true;
        }
        return false;
    }
}
