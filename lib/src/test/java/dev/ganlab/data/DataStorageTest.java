package dev.ganlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.Slow;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder read through the disk cache gives the same images, labels and batches as held in memory;
 * unreadable files are named (or skipped) as in memory; and a folder larger than a child JVM's heap
 * trains there through the cache, where holding it in memory runs out of heap.
 */
class DataStorageTest {

    @TempDir Path tmp;
    private String oldCache;

    @BeforeEach
    void useTempCache() {
        oldCache = System.getProperty("ganlab.data_cache");
        System.setProperty("ganlab.data_cache", tmp.resolve("cache").toString());
    }

    @AfterEach
    void restoreCache() {
        if (oldCache == null) {
            System.clearProperty("ganlab.data_cache");
        } else {
            System.setProperty("ganlab.data_cache", oldCache);
        }
    }

    /** Writes a picture of seeded noise: RGB or grey, PNG or JPEG. */
    static void writeImage(Path file, int w, int h, boolean grey, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        BufferedImage img = new BufferedImage(w, h, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = r.nextInt(1 << 24);
                img.setRGB(x, y, grey ? (v & 0xFF) * 0x010101 : v);
            }
        }
        Files.createDirectories(file.getParent());
        String name = file.getFileName().toString();
        ImageIO.write(img, name.endsWith(".png") ? "png" : "jpg", file.toFile());
    }

    private static ImageDataset load(Path dir, String query, LoadOptions opt, LoadReport report) {
        return Datasets.load("folder:" + dir + query, opt, report);
    }

    private static void assertSameImages(ImageDataset a, ImageDataset b) {
        assertEquals(a.size(), b.size());
        assertEquals(a.channels(), b.channels());
        assertEquals(a.height(), b.height());
        assertEquals(a.width(), b.width());
        assertEquals(a.classNames(), b.classNames());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.label(i), b.label(i), "label of image " + i);
            assertArrayEquals(a.pixels(i), b.pixels(i), "pixels of image " + i);
        }
    }

    @Test
    void theDiskCacheGivesTheSameImagesLabelsAndBatchesAsMemory() throws IOException {
        Path dir = tmp.resolve("mixed");
        // Non-square, grey and colour, PNG and JPEG, in two class folders: crop, resize, channel rule, labels.
        for (int i = 0; i < 23; i++) {
            String cls = i % 3 == 0 ? "b" : "a";
            writeImage(dir.resolve(cls).resolve(String.format("img%02d.%s", i, i % 4 == 0 ? "jpg" : "png")), 24, 20,
                    i % 5 == 0, i);
        }
        LoadOptions opt = LoadOptions.defaults().withResolution(16);
        ImageDataset mem = load(dir, "?labels=dirs", opt.withStorage(DataStorage.MEMORY), new LoadReport());
        ImageDataset disk = load(dir, "?labels=dirs", opt.withStorage(DataStorage.DISK), new LoadReport());
        assertTrue(mem.inMemory());
        assertFalse(disk.inMemory(), disk.storage());
        assertTrue(disk.toString().contains("read from " + tmp.resolve("cache")), disk.toString());
        assertEquals(3, disk.channels());
        assertSameImages(mem, disk);

        // The same batches, flips included, over three epochs of batch 5 (batches straddle epochs).
        BatchSampler sm = new BatchSampler(mem, 7, true);
        BatchSampler sd = new BatchSampler(disk, 7, true);
        float[] a = new float[5 * mem.imageLength()];
        float[] b = new float[5 * mem.imageLength()];
        for (long pos = 0; pos < 3L * mem.size(); pos += 5) {
            sm.fill(pos, 5, a);
            sd.fill(pos, 5, b);
            assertArrayEquals(a, b, "batch at position " + pos);
            assertArrayEquals(sm.labels(pos, 5), sd.labels(pos, 5));
        }
        // Subsets and concatenations of a disk set stay on disk and keep their images.
        ImageDataset sub = disk.subset(new int[] {4, 1, 9}, "sub");
        assertFalse(sub.inMemory());
        assertArrayEquals(mem.pixels(9), sub.pixels(2));
        ImageDataset both = ImageDataset.concat("both", List.of(disk.head(3), mem.head(2)));
        assertArrayEquals(mem.pixels(1), both.pixels(4));
        assertArrayEquals(mem.pixels(2), both.pixels(2));

        // A reader that is interrupted (a notebook's stop, the prefetch thread's shutdown) reads its image
        // and leaves the cache readable for every other reader.
        Thread.currentThread().interrupt();
        try {
            assertArrayEquals(mem.pixels(3), disk.pixels(3));
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt flag stays set for the caller");
        }
        assertArrayEquals(mem.pixels(4), disk.pixels(4));

        // A second load reuses the cache; a changed file builds a new one.
        ImageDataset again = load(dir, "?labels=dirs", opt.withStorage(DataStorage.DISK), new LoadReport());
        assertEquals(disk.storage(), again.storage());
        assertSameImages(mem, again);
        Path changed = dir.resolve("a").resolve("img01.png");
        writeImage(changed, 24, 20, false, 999);
        Files.setLastModifiedTime(changed, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        ImageDataset rebuilt = load(dir, "?labels=dirs", opt.withStorage(DataStorage.DISK), new LoadReport());
        assertFalse(rebuilt.storage().equals(disk.storage()), "a changed folder must not reuse the old cache");
        assertSameImages(load(dir, "?labels=dirs", opt.withStorage(DataStorage.MEMORY), new LoadReport()), rebuilt);
    }

    @Test
    void theSettingTakesAutoMemoryOrDiskAndNamesItselfOtherwise() {
        dev.ganlab.train.TrainConfig c = new dev.ganlab.train.TrainConfig();
        c.set("dataStorage", "disk");
        assertEquals("disk", c.resolved().dataStorage);
        c.dataStorage = "ram";
        Exception e = assertThrows(dev.ganlab.core.UserError.class, c::resolved);
        assertTrue(e.getMessage().contains("dataStorage 'ram'"), e.getMessage());
        assertEquals(DataStorage.MEMORY, DataStorage.parse("Memory"));
    }

    @Test
    void aGreyFolderAtItsNativeSizeStaysGreyOnDisk() throws IOException {
        Path dir = tmp.resolve("grey");
        for (int i = 0; i < 6; i++) {
            writeImage(dir.resolve("g" + i + ".png"), 12, 10, true, 100 + i);
        }
        ImageDataset mem = load(dir, "", LoadOptions.defaults().withStorage(DataStorage.MEMORY), new LoadReport());
        ImageDataset disk = load(dir, "", LoadOptions.defaults().withStorage(DataStorage.DISK), new LoadReport());
        assertEquals(1, disk.channels());
        assertEquals(10, disk.height());
        assertSameImages(mem, disk);
    }

    @Test
    void aCorruptFileIsNamedOrSkippedAsInMemory() throws IOException {
        Path dir = tmp.resolve("bad");
        for (int i = 0; i < 5; i++) {
            writeImage(dir.resolve("ok" + i + ".jpg"), 16, 16, false, i);
        }
        byte[] whole = Files.readAllBytes(dir.resolve("ok0.jpg"));
        Path broken = dir.resolve("broken.jpg");
        Files.write(broken, java.util.Arrays.copyOf(whole, whole.length / 2));
        // With a resolution the route is chosen without reading a header: the build itself meets the file.
        LoadOptions disk = LoadOptions.defaults().withResolution(8).withStorage(DataStorage.DISK);

        DatasetException e = assertThrows(DatasetException.class, () -> load(dir, "", disk, new LoadReport()));
        assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
        try (var files = Files.list(tmp.resolve("cache"))) {
            assertTrue(files.noneMatch(d -> Files.exists(d.resolve(DiskPixelCache.META))),
                    "a failed build must leave no finished cache");
        }

        LoadReport skipped = new LoadReport();
        ImageDataset d = load(dir, "", disk.withBadImagePolicy(BadImagePolicy.SKIP), skipped);
        assertEquals(1, skipped.skippedCount());
        assertTrue(skipped.skipped().get(0).startsWith(broken.toString()), skipped.skipped().toString());
        LoadReport memReport = new LoadReport();
        assertSameImages(load(dir, "", disk.withStorage(DataStorage.MEMORY)
                .withBadImagePolicy(BadImagePolicy.SKIP), memReport), d);
        assertEquals(memReport.skipped(), skipped.skipped());
        // Reopened from the cache, the skipped file is reported again.
        LoadReport again = new LoadReport();
        load(dir, "", disk.withBadImagePolicy(BadImagePolicy.SKIP), again);
        assertEquals(skipped.skipped(), again.skipped());
    }

    /**
     * 420 JPEGs of 256 px decode to 82.6 MB, more than a 64 MB heap. A child JVM with {@code -Xmx64m}
     * trains 3 steps on them under dataStorage=auto (which must choose the disk); forced into memory,
     * the same run runs out of heap, which shows the folder really does not fit.
     */
    @Test
    @Slow
    void aFolderLargerThanTheHeapTrainsFromDiskInAChildJvmWithA64MbHeap() throws Exception {
        Path dir = tmp.resolve("big");
        int n = 420;
        for (int i = 0; i < n; i++) {
            writeSmoothJpeg(dir.resolve(String.format("img%04d.jpg", i)), 256, i);
        }
        assertTrue(n * 3L * 256 * 256 > 64L << 20, "the folder must decode to more than the child's heap");

        Child auto = train(dir, tmp.resolve("run-auto"), "auto");
        assertEquals(0, auto.exit, auto.output);
        assertTrue(auto.output.contains("dataStorage=auto -> read from the prepared disk cache"), auto.output);
        assertTrue(auto.output.contains("finished at step 3"), auto.output);
        // The trainer's loader says how long the step waited for its batches.
        assertTrue(auto.output.matches("(?s).*data loader: \\d+ batches, the step waited [0-9.]+ s for them.*"),
                auto.output);

        Child memory = train(dir, tmp.resolve("run-memory"), "memory");
        assertTrue(memory.exit != 0 && memory.output.contains("OutOfMemoryError"), memory.output);
    }

    /** A smooth gradient (small JPEG files, quick to write) that differs per image. */
    private static void writeSmoothJpeg(Path file, int size, int seed) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, ((x + seed) & 0xFF) << 16 | ((y * 3 + seed) & 0xFF) << 8 | ((x + y) & 0xFF));
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "jpg", file.toFile());
    }

    private record Child(int exit, String output) {}

    private Child train(Path data, Path out, String storage) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-Dganlab.data_cache=" + tmp.resolve("child-cache"), "-cp",
                System.getProperty("java.class.path"), "dev.ganlab.cli.Main", "train", "--model", "fastgan", "--data",
                "folder:" + data, "--resolution", "256", "--steps", "3", "--batch", "4", "--threads", "1",
                "--out", out.toString(), "--set", "fastgan.gWidth=2", "--set", "fastgan.dWidth=2", "--set",
                "fastgan.decoderWidth=2", "--set", "fastgan.latentDim=8", "--set", "sampleCount=4", "--set",
                "eval.metrics=", "--set", "dataStorage=" + storage));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("GANLAB_ALLOCATOR", "system");
        Process p = pb.start();
        byte[] text = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM timed out");
        }
        return new Child(p.exitValue(), new String(text, StandardCharsets.UTF_8));
    }
}
