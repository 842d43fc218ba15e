package dev.ganlab.data;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.ganlab.core.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

/**
 * An image folder decoded once into a file of prepared 8-bit pixels, read back one image at a time:
 * training on a folder larger than the heap with the heap bounded by a batch.
 *
 * <p>ProGAN's dataset tool (Karras et al., 2018, {@code dataset_tool.py}) likewise prepares the images
 * once into uncompressed records, one file per level of detail. Here one file at the training
 * resolution suffices: ProGAN in GAN Lab loads its data at the target resolution and the model
 * shrinks each batch to the stage's resolution itself.
 *
 * <p>Layout, under {@link DataPaths#dataCache()}{@code /<key>/}: {@code pixels.u8} holds image after
 * image at {@code storedChannels x H x W} bytes, planar; {@code meta.json} (written last, so a folder
 * without it is an unfinished build) holds the count, sizes, labels, class names and the files
 * skipped as unreadable. The key is a SHA-256 of the folder, each file's path, size and modification
 * time and the preparation options, so a changed folder or option builds a new cache. Without
 * channels asked for, images are stored as RGB (grey ones replicated) and the set is grey exactly
 * when every kept image was, as in memory; reads of a grey set take the first plane.
 *
 * <p>Building decodes a chunk of files at a time in parallel and appends them in the sorted file
 * order, so the kept images, their order and every pixel equal those of the in-memory route, and an
 * unreadable file is an error naming it (or skipped and reported) exactly as there.
 */
final class DiskPixelCache implements PixelStore {

    /** Bump when the layout changes; part of the key. */
    static final int FORMAT = 1;
    static final String PIXELS = "pixels.u8";
    static final String META = "meta.json";

    /** What {@code meta.json} holds. */
    record Meta(int format, String folder, int count, int channels, int storedChannels, int height, int width,
            int[] labels, List<String> classNames, List<String> skipped) {}

    private final Path file;
    private final Meta meta;

    private DiskPixelCache(Path file, Meta meta) {
        this.file = file;
        this.meta = meta;
    }

    /**
     * The cache of these files under these options: opened when a finished one exists, else built.
     * Files skipped when the cache was built are reported into {@code report} again.
     */
    static DiskPixelCache open(Path root, List<Path> files, int[] labels, List<String> classNames, LoadOptions opt,
            LoadReport report) {
        Path dir = DataPaths.dataCache().resolve(key(root, files, opt));
        Path metaFile = dir.resolve(META);
        Path pixels = dir.resolve(PIXELS);
        Gson gson = new Gson();
        try {
            if (Files.isRegularFile(metaFile) && Files.isRegularFile(pixels)) {
                Meta m = gson.fromJson(Files.readString(metaFile), Meta.class);
                long expected = (long) m.count() * m.storedChannels() * m.height() * m.width();
                if (m.format() == FORMAT && Files.size(pixels) == expected) {
                    m.skipped().forEach(report::skipLine);
                    System.err.println("data cache " + dir + ": reused (" + m.count() + " images)");
                    return new DiskPixelCache(pixels, m);
                }
            }
            Files.createDirectories(dir);
            long t0 = System.nanoTime();
            Meta m = build(root, files, labels, classNames, opt, report, pixels);
            AtomicFiles.writeString(metaFile, new GsonBuilder().setPrettyPrinting().create().toJson(m));
            System.err.printf(java.util.Locale.ROOT, "data cache %s: built in %.1f s (%d images, %.1f MB)%n", dir,
                    (System.nanoTime() - t0) / 1e9, m.count(), Files.size(pixels) / 1e6);
            return new DiskPixelCache(pixels, m);
        } catch (IOException e) {
            throw new DatasetException("cannot write the data cache in " + dir + " (" + e.getMessage()
                    + "); point GANLAB_DATA_CACHE at a folder with room, or set dataStorage=memory", e);
        }
    }

    private static Meta build(Path root, List<Path> files, int[] labels, List<String> classNames, LoadOptions opt,
            LoadReport report, Path pixels) throws IOException {
        int n = files.size();
        int stored = opt.channels() != null ? opt.channels() : 3;
        // Images in flight at once: enough to keep every core decoding, few enough to bound the heap.
        int chunk = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        ImageFolderReader.Prepared[] inFlight = new ImageFolderReader.Prepared[chunk];
        Path tmp = pixels.resolveSibling(PIXELS + "." + ProcessHandle.current().pid() + ".tmp");
        List<Integer> kept = new ArrayList<>();
        int first = -1;
        int h = -1;
        int w = -1;
        boolean allGrey = true;
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int start = 0; start < n; start += chunk) {
                int s0 = start;
                int end = Math.min(n, start + chunk);
                IntStream.range(s0, end).parallel().forEach(i ->
                        inFlight[i - s0] = ImageFolderReader.prepare(files.get(i), opt, report));
                for (int i = s0; i < end; i++) {
                    ImageFolderReader.Prepared p = inFlight[i - s0];
                    inFlight[i - s0] = null;
                    if (p == null) {
                        continue;
                    }
                    int ph = opt.resolution() == null ? p.height() : opt.resolution();
                    int pw = opt.resolution() == null ? p.width() : opt.resolution();
                    if (first < 0) {
                        first = i;
                        h = ph;
                        w = pw;
                    } else if (ph != h || pw != w) {
                        throw ImageFolderReader.sizeMismatch(root, files.get(first), h, w, files.get(i), ph, pw);
                    }
                    allGrey &= p.channels() == 1;
                    ByteBuffer b = ByteBuffer.wrap(Images.convertChannels(p.pixels(), p.channels(), stored, ph, pw));
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                    kept.add(i);
                }
            }
        } catch (RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        if (kept.isEmpty()) {
            Files.deleteIfExists(tmp);
            throw ImageFolderReader.noneReadable(root, report);
        }
        Files.move(tmp, pixels, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        int channels = opt.channels() != null ? opt.channels() : allGrey ? 1 : 3;
        int[] keptLabels = labels == null ? null : kept.stream().mapToInt(i -> labels[i]).toArray();
        return new Meta(FORMAT, root.toString(), kept.size(), channels, stored, h, w, keptLabels,
                List.copyOf(classNames), report.skipped());
    }

    /** The key of a folder's cache: its files (path, size, modification time) and the preparation. */
    static String key(Path root, List<Path> files, LoadOptions opt) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(("ganlab-data-cache " + FORMAT + "\n" + root.toAbsolutePath().normalize() + "\n"
                    + opt.withStorage(DataStorage.AUTO).withLimit(0) + "\n").getBytes(StandardCharsets.UTF_8));
            for (Path f : files) {
                md.update((root.relativize(f) + "\t" + Files.size(f) + "\t" + Files.getLastModifiedTime(f).toMillis()
                        + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + root + ": " + e.getMessage(), e);
        }
    }

    /** The cached images as a data set. */
    ImageDataset dataset(String name) {
        return new ImageDataset(name, meta.channels(), meta.height(), meta.width(), this, meta.labels(),
                meta.classNames());
    }

    @Override
    public int size() {
        return meta.count();
    }

    @Override
    public byte[] get(int i) {
        if (i < 0 || i >= meta.count()) {
            throw new IndexOutOfBoundsException("image " + i + " outside 0.." + (meta.count() - 1) + " of " + file);
        }
        int plane = meta.height() * meta.width();
        byte[] px = new byte[meta.channels() * plane];
        long at = (long) i * meta.storedChannels() * plane;
        // A file opened per read, not a shared FileChannel: an interrupted reader (a notebook's stop, the
        // prefetch thread's shutdown) closes an interruptible channel for every thread; a
        // RandomAccessFile's reads are not interruptible, and opening costs microseconds.
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "r")) {
            f.seek(at);
            f.readFully(px);
        } catch (IOException e) {
            throw new UncheckedIOException("reading image " + i + " from the data cache " + file + ": " + e
                    + " (delete its folder to rebuild it)", e);
        }
        return px;
    }

    @Override
    public boolean inMemory() {
        return false;
    }

    @Override
    public String where() {
        return file.toString();
    }
}
