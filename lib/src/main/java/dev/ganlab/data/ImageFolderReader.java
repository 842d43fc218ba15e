package dev.ganlab.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
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
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).filter(ImageFolderReader::isImageName).sorted().toList();
        } catch (IOException e) {
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
        byte[][] pixels = new byte[n][];
        int[][] shapes = new int[n][];
        // Decode in parallel; results land by index, so the order stays the sorted file order.
        IntStream.range(0, n).parallel().forEach(i -> {
            Path f = files.get(i);
            BufferedImage img;
            try {
                img = ImageDecoder.decode(f);
            } catch (ImageDecoder.BadImageException e) {
                if (opt.badImagePolicy() == BadImagePolicy.SKIP) {
                    report.skip(f.toString(), e.reason());
                    return;
                }
                throw e;
            }
            int c = opt.outChannels(isGrey(img) ? 1 : 3);
            byte[] px = Images.fromBufferedImage(img, c);
            shapes[i] = new int[] {c, img.getHeight(), img.getWidth()};
            pixels[i] = opt.resolution() == null ? px : opt.prepare(px, c, img.getHeight(), img.getWidth());
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
                    throw new DatasetException("images in " + root + " differ in size and no resize was asked for: "
                            + files.get(firstIdx) + " is " + a[2] + "x" + a[1] + ", " + files.get(i) + " is "
                            + b[2] + "x" + b[1] + ". Set a resolution (--resolution N or"
                            + " LoadOptions.withResolution(N)) to resize them all.");
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
            throw new DatasetException("no readable image in " + root + " (" + report.skippedCount() + " skipped: "
                    + String.join("; ", report.skipped().subList(0, Math.min(3, report.skippedCount()))) + ")");
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
