package dev.ganlab.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.data.BatchSampler;
import dev.ganlab.data.DataPaths;
import dev.ganlab.data.DataStorage;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.data.ImageFolderReader;
import dev.ganlab.data.LoadOptions;
import dev.ganlab.data.LoadReport;
import dev.ganlab.data.PrefetchingLoader;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;

/**
 * Images per second of the training data path from a folder of PNG or JPEG files, three ways, with a
 * PIL + torch DataLoader peer ({@code environment/bench/loader_peer.py}) on the same files:
 *
 * <ul>
 *   <li><b>decode per batch</b>: each batch's files decoded, prepared (RGB, area resize, flip), scaled
 *       to floats and handed to the engine, by {@code workers} threads - what the peer does, and what
 *       streaming a folder without a cache would cost;
 *   <li><b>cache build</b>: decoding the folder once into the prepared disk cache
 *       ({@code dataStorage=disk}); loading into memory costs the same decode;
 *   <li><b>from disk cache</b> and <b>from memory</b>: the {@link PrefetchingLoader} that training uses,
 *       serving batches with nothing consuming them (its ceiling);
 *   <li><b>step wait</b>: the same loader under a simulated step that takes 1.5x the batch's load
 *       time, as on a device just fast enough: the mean wait per batch shows whether prefetching
 *       hides loading.
 * </ul>
 * Java and Python alternate, {@code rounds} times each; medians are reported.
 */
public final class LoaderBenchmark {

    /** What to measure. */
    public record Options(List<Integer> sizes, List<String> formats, int batch, int workers, int rounds, Path folders,
            boolean peer) {
        public Options {
            if (sizes.isEmpty() || formats.isEmpty() || batch < 2 || workers < 1 || rounds < 1) {
                throw new UserError("bench --op loader needs sizes, formats, batch >= 2, workers >= 1, rounds >= 1");
            }
            for (String f : formats) {
                if (!f.equals("png") && !f.equals("jpeg")) {
                    throw new UserError("bench --formats: '" + f + "' is not png or jpeg");
                }
            }
        }
    }

    /** Figures of one size and format (images/s; medians over the rounds). */
    public record Row(int size, String format, int images, int batch, int workers, double decodePerBatch,
            double python, double cacheBuild, double fromCache, double fromMemory, double waitMsPerBatch,
            double loadMsPerBatch, double[] javaRounds, double[] pythonRounds) {}

    /** The simulated step takes this many times the batch's load time (a device just fast enough; -Dganlab.bench.stepOverLoad). */
    static final double STEP_OVER_LOAD = Double.parseDouble(System.getProperty("ganlab.bench.stepOverLoad", "1.5"));

    private LoaderBenchmark() {}

    /** Files per folder: enough for a second or more of decoding at each size on one core. */
    static int imagesFor(int size) {
        return size <= 64 ? 1024 : size <= 256 ? 256 : 64;
    }

    /** Runs every size and format. */
    public static List<Row> run(Options o) {
        GanLab.init();
        List<Row> rows = new ArrayList<>();
        for (int size : o.sizes()) {
            for (String format : o.formats()) {
                rows.add(measure(o, size, format));
            }
        }
        return rows;
    }

    private static Row measure(Options o, int size, String format) {
        int n = imagesFor(size);
        Path dir = o.folders().resolve(format + "-" + size);
        makeFolder(dir, n, size, format);
        int batch = Math.min(o.batch(), n / 4);
        LoadOptions opt = LoadOptions.defaults().withResolution(size).withChannels(3);
        double[] java = new double[o.rounds()];
        double[] python = new double[o.rounds()];
        // One untimed pass first: the JIT compiles ImageIO's decoders (a cold first pass ran at a quarter
        // of the speed of the third); training decodes for many epochs, so the warm rate is the one.
        decodePerBatch(dir, opt, batch, o.workers());
        for (int r = 0; r < o.rounds(); r++) {
            java[r] = decodePerBatch(dir, opt, batch, o.workers());
            python[r] = o.peer() ? python(dir, size, batch, o.workers()) : Double.NaN;
        }
        Path cacheDir = o.folders().resolve("cache");
        String old = System.getProperty("ganlab.data_cache");
        System.setProperty("ganlab.data_cache", cacheDir.toString());
        double build;
        ImageDataset onDisk;
        try {
            deleteTree(cacheDir);
            long t0 = System.nanoTime();
            onDisk = Datasets.load("folder:" + dir, opt.withStorage(DataStorage.DISK), new LoadReport());
            build = n / ((System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + cacheDir, e);
        } finally {
            if (old == null) {
                System.clearProperty("ganlab.data_cache");
            } else {
                System.setProperty("ganlab.data_cache", old);
            }
        }
        ImageDataset inMemory = Datasets.load("folder:" + dir, opt.withStorage(DataStorage.MEMORY), new LoadReport());
        double[] cache = new double[o.rounds()];
        double[] memory = new double[o.rounds()];
        double[] wait = new double[o.rounds()];
        double[] load = new double[o.rounds()];
        for (int r = 0; r < o.rounds(); r++) {
            double[] c = serve(onDisk, batch, 0);
            cache[r] = c[0];
            memory[r] = serve(inMemory, batch, 0)[0];
            double loadMs = batch * 1000.0 / c[0];
            load[r] = loadMs;
            wait[r] = serve(onDisk, batch, STEP_OVER_LOAD * loadMs)[1];
        }
        return new Row(size, format, n, batch, o.workers(), median(java), median(python), build, median(cache),
                median(memory), median(wait), median(load), java, python);
    }

    /**
     * Decodes and prepares one pass over the files in the training order, a batch at a time on
     * {@code workers} threads, each batch scaled to floats and put on the engine; the first batch is
     * not timed (as the peer's worker start-up).
     */
    static double decodePerBatch(Path dir, LoadOptions opt, int batch, int workers) {
        List<Path> files = ImageFolderReader.listImages(dir);
        ImageDataset order = new ImageDataset("order", 1, 1, 1, files.stream().map(f -> new byte[1]).toList(), null,
                List.of());
        BatchSampler sampler = new BatchSampler(order, 1, true);
        int len = 3 * opt.resolution() * opt.resolution();
        ForkJoinPool pool = new ForkJoinPool(workers);
        try (NDManager m = GanLab.newManager()) {
            long t0 = 0;
            int batches = files.size() / batch;
            for (int b = 0; b < batches; b++) {
                if (b == 1) {
                    t0 = System.nanoTime();
                }
                long pos = (long) b * batch;
                float[] buf = new float[batch * len];
                pool.submit(() -> IntStream.range(0, batch).parallel().forEach(i -> {
                    byte[] px = ImageFolderReader.prepare(files.get(sampler.indexAt(pos + i)), opt, new LoadReport())
                            .pixels();
                    boolean flip = sampler.flippedAt(pos + i);
                    ImageDataset one = new ImageDataset("one", 3, opt.resolution(), opt.resolution(), List.of(px), null,
                            List.of());
                    one.copyScaled(0, buf, i * len, flip);
                })).join();
                try (NDArray a = m.create(buf, new Shape(batch, 3, opt.resolution(), opt.resolution()))) {
                    a.getShape();
                }
            }
            return (batches - 1) * batch / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Serves batches from the training loader for about two passes: returns {images/s, mean ms waited
     * per batch}. With {@code stepMs > 0} a simulated step of that length runs between batches.
     */
    static double[] serve(ImageDataset data, int batch, double stepMs) {
        int batches = Math.max(8, 2 * data.size() / batch);
        if (stepMs > 0) {
            batches = Math.min(batches, 12);
        }
        BatchSampler sampler = new BatchSampler(data, 1, true);
        try (NDManager m = GanLab.newManager(); PrefetchingLoader loader = new PrefetchingLoader(sampler, 0)) {
            loader.next(m, batch).close(); // starts the prefetching thread; not timed
            loader.recycle();
            if (stepMs > 0) {
                sleepMs(stepMs); // as after a step: the timed batches are the steady state
            }
            long t0 = System.nanoTime();
            long waited = 0;
            for (int b = 0; b < batches; b++) {
                long a = System.nanoTime();
                loader.next(m, batch).close();
                waited += System.nanoTime() - a;
                loader.recycle();
                if (stepMs > 0) {
                    sleepMs(stepMs);
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            return new double[] {batches * batch / s, waited / 1e6 / batches};
        }
    }

    private static void sleepMs(double ms) {
        try {
            TimeUnit.MICROSECONDS.sleep((long) (ms * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs the peer once; NaN (with a note) when it cannot run. */
    static double python(Path dir, int size, int batch, int workers) {
        Path script = DataPaths.home().resolve("environment/bench/loader_peer.py");
        List<String> cmd = List.of("/usr/bin/python3", script.toString(), "--folder", dir.toString(), "--size",
                Integer.toString(size), "--batch", Integer.toString(batch), "--workers", Integer.toString(workers),
                "--threads", Integer.toString(GanLab.threads()));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                System.out.println("python peer skipped: " + text.strip());
                return Double.NaN;
            }
            String last = text.strip().lines().reduce((a, b) -> b).orElse("{}");
            JsonObject o = JsonParser.parseString(last).getAsJsonObject();
            return o.get("imagesPerSecond").getAsDouble();
        } catch (IOException e) {
            System.out.println("python peer skipped: " + e.getMessage());
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    /**
     * A folder of {@code n} pictures of {@code size} px: soft gradients, a few shapes and mild noise,
     * so that PNG and JPEG files have a photo-like size and decoding cost. Kept when already there.
     */
    static void makeFolder(Path dir, int n, int size, String format) {
        String ext = format.equals("jpeg") ? ".jpg" : ".png";
        try {
            if (Files.isDirectory(dir)) {
                try (var s = Files.list(dir)) {
                    if (s.filter(p -> p.toString().endsWith(ext)).count() == n) {
                        return;
                    }
                }
                deleteTree(dir);
            }
            Files.createDirectories(dir);
            for (int i = 0; i < n; i++) {
                SplittableRandom r = new SplittableRandom(i);
                BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setPaint(new java.awt.GradientPaint(0, 0, new Color(r.nextInt(1 << 24)), size, size,
                        new Color(r.nextInt(1 << 24))));
                g.fillRect(0, 0, size, size);
                for (int k = 0; k < 6; k++) {
                    g.setColor(new Color(r.nextInt(1 << 24)));
                    int w = 1 + r.nextInt(size / 2);
                    g.fillOval(r.nextInt(size), r.nextInt(size), w, w);
                }
                g.dispose();
                int[] rgb = img.getRGB(0, 0, size, size, null, 0, size);
                for (int k = 0; k < rgb.length; k++) {
                    int d = r.nextInt(9) - 4;
                    int p = rgb[k];
                    rgb[k] = clamp(((p >> 16) & 0xFF) + d) << 16 | clamp(((p >> 8) & 0xFF) + d) << 8 | clamp((p & 0xFF) + d);
                }
                img.setRGB(0, 0, size, size, rgb, 0, size);
                ImageIO.write(img, format.equals("jpeg") ? "jpg" : "png", dir.resolve(String.format("img%05d%s", i, ext))
                        .toFile());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the benchmark's images in " + dir, e);
        }
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The table of a run, as lib/BENCHMARKS.md shows it. */
    public static String report(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-5s %-5s %6s %5s %7s | %10s %10s %7s | %9s %11s %11s | %s%n", "size", "fmt",
                "images", "batch", "workers", "decode/bat", "python", "J/P", "build", "from cache", "from memory",
                "step wait (load) ms/batch"));
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "%-5d %-5s %6d %5d %7d | %10.1f %10.1f %7.2f | %9.1f %11.1f %11.1f | %.2f (%.1f)%n",
                    r.size(), r.format(), r.images(), r.batch(), r.workers(), r.decodePerBatch(), r.python(),
                    r.decodePerBatch() / r.python(), r.cacheBuild(), r.fromCache(), r.fromMemory(), r.waitMsPerBatch(),
                    r.loadMsPerBatch()));
        }
        b.append("images/s; decode/bat and python: medians of ").append(rows.isEmpty() ? 0 : rows.get(0).javaRounds().length)
                .append(" alternating rounds (Java rounds: ");
        b.append(String.join("; ", rows.stream().map(r -> Arrays.stream(r.javaRounds())
                .mapToObj(x -> String.format(Locale.ROOT, "%.0f", x)).reduce((x, y) -> x + "," + y).orElse("")).toList()));
        b.append("; Python rounds: ");
        b.append(String.join("; ", rows.stream().map(r -> Arrays.stream(r.pythonRounds())
                .mapToObj(x -> String.format(Locale.ROOT, "%.0f", x)).reduce((x, y) -> x + "," + y).orElse("")).toList()));
        b.append(")");
        return b.toString();
    }
}
