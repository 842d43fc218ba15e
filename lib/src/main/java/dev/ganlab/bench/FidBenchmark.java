package dev.ganlab.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.GanLab;
import dev.ganlab.data.DataPaths;
import dev.ganlab.metrics.FeatureMatrix;
import dev.ganlab.metrics.FrechetDistance;
import dev.ganlab.metrics.GaussianStats;
import dev.ganlab.metrics.Npy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Times FID's two costs on random features: the statistics (mean and covariance of N x D features)
 * and the Frechet distance between two sets of statistics (a D x D problem in float64), and runs the
 * same distance through scipy and numpy in a Python peer ({@code environment/bench/fid_peer.py} under
 * {@code /usr/bin/python3}) on the same statistics, so that times and values are compared in one
 * invocation on the same machine at the same load.
 */
public final class FidBenchmark {

    /** The peer's interpreter: Debian's, which carries numpy and scipy (see DJL-NOTES). */
    static final Path PYTHON = Path.of("/usr/bin/python3");

    /**
     * Figures of one run. Times are medians over {@code repeat} rounds (each round: GAN Lab's distance,
     * then one run of every peer route); a peer route is null when it could not run, and
     * {@code peerNote} then says why.
     */
    public record Result(int n, int dims, int repeat, int threads, double statsSeconds, double distanceSeconds,
            double[] distanceRuns, double fid, Route scipy, Route numpyEigh, Route numpyCholesky, String peerNote,
            String loadBefore, String loadAfter) {

        public String report() {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                    "FID on %d x %d features, %d threads, load average before %s, after %s%n"
                    + "  statistics              %.2f s per set%n"
                    + "  distance GAN Lab        %.2f s (median of %s s), value %.6f%n",
                    n, dims, threads, loadBefore, loadAfter, statsSeconds, distanceSeconds, seconds(distanceRuns), fid));
            if (peerNote != null) {
                s.append("  python peer             ").append(peerNote).append('\n');
            }
            appendRoute(s, "scipy sqrtm", scipy);
            appendRoute(s, "numpy eigh", numpyEigh);
            appendRoute(s, "numpy cholesky", numpyCholesky);
            return s.toString().stripTrailing();
        }

        private void appendRoute(StringBuilder s, String name, Route r) {
            if (r == null) {
                return;
            }
            s.append(String.format(Locale.ROOT, "  distance %-14s %.2f s (median of %s s), value %.6f: GAN Lab takes"
                    + " %.2fx its time, values differ by %.1e relative%n", name, r.seconds, seconds(r.runs), r.value,
                    distanceSeconds / r.seconds, Math.abs(fid - r.value) / Math.abs(r.value)));
        }

        private static String seconds(double[] runs) {
            return Arrays.stream(runs).mapToObj(v -> String.format(Locale.ROOT, "%.2f", v))
                    .reduce((a, b) -> a + ", " + b).orElse("");
        }
    }

    /** One Python route: median seconds, every run's seconds, and its value. */
    public record Route(double seconds, double[] runs, double value) {}

    private FidBenchmark() {}

    /** Java only, one distance (tests, notebooks). */
    public static Result run(int n, int dims) {
        return run(n, dims, 1, false);
    }

    /**
     * @param repeat distances timed on each side (medians reported)
     * @param peer run the scipy/numpy peer on the same statistics
     */
    public static Result run(int n, int dims, int repeat, boolean peer) {
        String loadBefore = loadAverage();
        FeatureMatrix a = random(n, dims, 1, 0.0);
        FeatureMatrix b = random(n, dims, 2, 0.1);
        long t0 = System.nanoTime();
        GaussianStats sa = GaussianStats.of(a);
        long t1 = System.nanoTime();
        GaussianStats sb = GaussianStats.of(b);
        long t2 = System.nanoTime();
        warmUp(sa, sb);
        // Rounds alternate GAN Lab and the peer (one run of each route per round), so that a change in
        // the machine's load during the benchmark falls on both sides alike.
        double[] runs = new double[repeat];
        double fid = 0;
        List<JsonObject> peerRounds = new ArrayList<>();
        String note = peer ? null : "not run (--no-peer)";
        Path dir = null;
        try {
            if (peer) {
                dir = Files.createTempDirectory("ganlab-fid-bench");
                writeStats(dir, sa, sb);
            }
            for (int i = 0; i < repeat; i++) {
                long s = System.nanoTime();
                fid = FrechetDistance.distance(sa, sb);
                runs[i] = (System.nanoTime() - s) / 1e9;
                if (note == null) {
                    PeerOutcome p = runPeer(dir);
                    note = p.note;
                    if (p.json != null) {
                        peerRounds.add(p.json);
                    }
                }
            }
        } catch (IOException e) {
            note = "skipped: " + e.getMessage();
        } finally {
            deleteQuietly(dir);
        }
        Route scipy = route(peerRounds, "scipy");
        Route eigh = route(peerRounds, "numpy_eigh");
        Route chol = route(peerRounds, "numpy_cholesky");
        if (!peerRounds.isEmpty() && scipy == null) {
            note = "scipy is not importable by " + PYTHON + " (" + peerRounds.get(0).get("scipy_missing").getAsString()
                    + "): no scipy figure";
        }
        return new Result(n, dims, repeat, GanLab.threads(), ((t1 - t0) + (t2 - t1)) / 2e9, median(runs), runs, fid,
                scipy, eigh, chol, peer ? note : null, loadBefore, loadAverage());
    }

    /**
     * One untimed distance between the leading blocks (at most 1,100 dimensions, enough for every
     * kernel's large-matrix path) so that the timed runs measure compiled code, not the JIT.
     */
    private static void warmUp(GaussianStats a, GaussianStats b) {
        int k = Math.min(a.dim(), 1100);
        FrechetDistance.distance(leading(a, k), leading(b, k));
    }

    private static GaussianStats leading(GaussianStats s, int k) {
        int d = s.dim();
        double[] cov = new double[k * k];
        for (int i = 0; i < k; i++) {
            System.arraycopy(s.cov(), i * d, cov, i * k, k);
        }
        return new GaussianStats(Arrays.copyOf(s.mean(), k), cov, s.n());
    }

    private record PeerOutcome(JsonObject json, String note) {}

    private static void writeStats(Path dir, GaussianStats sa, GaussianStats sb) throws IOException {
        int d = sa.dim();
        Npy.writeFloat64(dir.resolve("mu1.npy"), new int[] {d}, sa.mean());
        Npy.writeFloat64(dir.resolve("cov1.npy"), new int[] {d, d}, sa.cov());
        Npy.writeFloat64(dir.resolve("mu2.npy"), new int[] {d}, sb.mean());
        Npy.writeFloat64(dir.resolve("cov2.npy"), new int[] {d, d}, sb.cov());
    }

    /** One round of fid_peer.py (each route once) on the statistics in {@code dir}. */
    private static PeerOutcome runPeer(Path dir) {
        Path script = DataPaths.home().resolve("environment/bench/fid_peer.py");
        if (!Files.isRegularFile(script) || !Files.isExecutable(PYTHON)) {
            return new PeerOutcome(null, "skipped: " + script + " or " + PYTHON + " missing");
        }
        try {
            String threads = Integer.toString(GanLab.threads());
            ProcessBuilder pb = new ProcessBuilder(PYTHON.toString(), script.toString(), dir.toString(),
                    "--repeat", "1", "--threads", threads).redirectErrorStream(true);
            for (String v : List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")) {
                pb.environment().put(v, threads);
            }
            Process p = pb.start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
                String reason = text.contains("No module named 'numpy'")
                        ? "numpy is not importable by " + PYTHON + " (apt-get install python3-numpy python3-scipy)"
                        : text.strip();
                return new PeerOutcome(null, "skipped: " + reason);
            }
            String last = text.strip().lines().reduce((x, y) -> y).orElse("{}");
            return new PeerOutcome(JsonParser.parseString(last).getAsJsonObject(), null);
        } catch (IOException e) {
            return new PeerOutcome(null, "skipped: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PeerOutcome(null, "interrupted");
        }
    }

    /** A route's runs over the peer's rounds, or null when a round lacks it. */
    private static Route route(List<JsonObject> rounds, String name) {
        if (rounds.isEmpty()) {
            return null;
        }
        double[] runs = new double[rounds.size()];
        double value = 0;
        for (int i = 0; i < runs.length; i++) {
            JsonElement e = rounds.get(i).get(name);
            if (e == null || !e.isJsonObject()) {
                return null;
            }
            runs[i] = e.getAsJsonObject().getAsJsonArray("seconds").get(0).getAsDouble();
            value = e.getAsJsonObject().get("value").getAsDouble();
        }
        return new Route(median(runs), runs, value);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The 1, 5 and 15 minute load averages (Linux), or "unknown". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(files.sorted(Comparator.reverseOrder()).toList());
            for (Path f : all) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the benchmark's temporary folder " + dir, e);
        }
    }

    private static FeatureMatrix random(int n, int dims, long seed, double shift) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n * dims];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() + shift + (i % dims) * 1e-3);
        }
        return FeatureMatrix.ofFloats(n, dims, v);
    }
}
