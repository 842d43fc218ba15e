package dev.ganlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.train.ReferenceModel;
import dev.ganlab.train.ReferenceStanding;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executes the notebooks headless on the {@code ganlab} kernel with the project's runner
 * ({@code environment/run_notebooks.py}) in the smoke profile, and checks what they produced.
 * Needs the set-up of {@code environment/setup.sh} (Jupyter and the kernelspec), which the README's
 * test command runs first.
 */
class NotebooksIT {

    static final Path ROOT = Paths.get(System.getProperty("ganlab.root", "..")).toAbsolutePath().normalize();

    @TempDir Path out;

    record Run(int exit, String output) {}

    static Run runner(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3",
                ROOT.resolve("environment/run_notebooks.py").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().remove("GANLAB_THREADS"); // the runner chooses the lanes' threads unless a test says
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), new String(bytes, StandardCharsets.UTF_8));
    }

    static List<JsonObject> outputs(Path ipynb) throws IOException {
        JsonObject nb = JsonParser.parseString(Files.readString(ipynb)).getAsJsonObject();
        List<JsonObject> list = new ArrayList<>();
        for (JsonElement cell : nb.getAsJsonArray("cells")) {
            JsonArray outs = cell.getAsJsonObject().getAsJsonArray("outputs");
            if (outs != null) {
                outs.forEach(o -> list.add(o.getAsJsonObject()));
            }
        }
        return list;
    }

    static long count(List<JsonObject> outs, String mime, String containing) {
        return outs.stream().filter(o -> o.has("data") && o.getAsJsonObject("data").has(mime))
                .filter(o -> {
                    JsonElement v = o.getAsJsonObject("data").get(mime);
                    String text = v.isJsonArray() ? String.join("", new com.google.gson.Gson().fromJson(v, String[].class))
                            : v.getAsString();
                    return text.contains(containing);
                }).count();
    }

    /** The text a notebook printed (stream outputs), joined. */
    static String printed(List<JsonObject> outs) {
        StringBuilder b = new StringBuilder();
        for (JsonObject o : outs) {
            if (o.get("output_type").getAsString().equals("stream") && o.has("text")) {
                JsonElement t = o.get("text");
                b.append(t.isJsonArray() ? String.join("", new com.google.gson.Gson().fromJson(t, String[].class))
                        : t.getAsString());
            }
        }
        return b.toString();
    }

    @Test
    void everyNotebookRunsInTheSmokeProfileAndShowsItsFigures() throws Exception {
        List<String> notebooks;
        try (Stream<Path> s = Files.list(ROOT.resolve("notebooks"))) {
            notebooks = s.map(Path::toString).filter(n -> n.endsWith(".ipynb")).sorted().toList();
        }
        assertTrue(notebooks.size() >= 1, "no notebooks found under " + ROOT.resolve("notebooks"));
        // Two lanes, as the main command runs them on a CPU with two cores or more.
        List<String> args = new ArrayList<>(List.of("--profile", "smoke", "--jobs", "2", "--out", out.toString()));
        args.addAll(notebooks);
        Run r = runner(Map.of(), args.toArray(new String[0]));
        assertEquals(0, r.exit, r.output);
        assertLanes(out.resolve("timings.json"), notebooks.stream()
                .map(n -> Paths.get(n).getFileName().toString().replace(".ipynb", "")).toList(), "04-metric-evaluation");
        for (String nb : notebooks) {
            String name = Paths.get(nb).getFileName().toString().replace(".ipynb", "");
            Path executed = out.resolve(name + ".ipynb");
            assertTrue(Files.isRegularFile(out.resolve(name + ".html")), "no HTML export for " + name);
            List<JsonObject> outs = outputs(executed);
            assertEquals(0, outs.stream().filter(o -> o.get("output_type").getAsString().equals("error")).count(),
                    name + " has error outputs");
            assertTrue(count(outs, "image/png", "") >= 1, name + " shows no picture");
        }
        List<JsonObject> tour = outputs(out.resolve("00-tour.ipynb"));
        assertTrue(count(tour, "image/png", "") >= 2, "tour: a grid per data set");
        assertTrue(count(tour, "text/html", "Plotly.newPlot") >= 1, "tour: an interactive chart");
        assertEquals(1, count(tour, "text/html", "window.__ganlabDefine"), "plotly.js is inlined exactly once");
        assertTrue(count(tour, "text/html", "<table") >= 1, "tour: a table");
        List<JsonObject> baseline = outputs(out.resolve("01-dcgan-baseline.ipynb"));
        String referenceLine = String.format(Locale.ROOT, "reference model dcgan-fmnist (step %,d): fid_fmnist",
                ReferenceModel.named("dcgan-fmnist").step());
        assertTrue(printed(baseline).contains(referenceLine),
                "01: the reference model's scores beside the quick run's");
        assertTrue(printed(baseline).contains("the same recipe at 20,000 steps: "
                + ReferenceModel.named("dcgan-fmnist-20k").summary()), "01: the 20,000-step budget's scores beside it");
        // the original GAN's grid and the baseline's come from the generator that scored better (issue 17, item 5)
        assertEquals(2, printed(baseline).split("-> showing the", -1).length - 1, "01: raw and EMA scored twice, one chosen");
        // 02, 03 and 05 show where their reference model stands in this checkout (finished, its run in training
        // carried in lib/zoo/training, or neither), as ReferenceStanding says, and its samples when there are some
        for (String[] nbRef : new String[][] {{"02-progressive-growing", "progan-emoji32"},
                {"03-fastgan-sle", "fastgan-smileys64"}, {"05-sweeps", "sndcgan-fmnist"}}) {
            ReferenceStanding standing = ReferenceStanding.of(nbRef[1]);
            String text = printed(outputs(out.resolve(nbRef[0] + ".ipynb")));
            assertTrue(text.contains(standing.summary()), nbRef[0] + ": the reference's standing, " + standing.summary());
            if (standing.folder().isPresent()) {
                assertTrue(text.contains(String.format(Locale.ROOT, "the reference's %s generator at step %,d",
                        standing.showEma() ? "EMA" : "raw", standing.step())), nbRef[0] + ": the reference's samples");
            }
        }
        Path fastganNotebook = out.resolve("03-fastgan-sle.ipynb");
        if (Files.isRegularFile(fastganNotebook)) {
            List<JsonObject> fastgan = outputs(fastganNotebook);
            String text = printed(fastgan);
            assertTrue(text.contains("-> showing the"), "03: raw and EMA generator scored, one chosen");
            assertTrue(text.contains("held-out real median"), "03: the memorisation check's distances");
            assertTrue(count(fastgan, "image/png", "") >= 7, "03: data, augmentations, samples, reconstructions,"
                    + " memorisation grid and distance chart, ablation samples");
        }
        Path metricsNotebook = out.resolve("04-metric-evaluation.ipynb");
        if (Files.isRegularFile(metricsNotebook)) {
            List<JsonObject> metrics = outputs(metricsNotebook);
            assertTrue(count(metrics, "text/html", "sha256") >= 3, "04: every score table names the network's hash");
            assertTrue(count(metrics, "text/html", "fashion-mnist:train") >= 1, "04: scores against the train split");
            assertTrue(count(metrics, "text/html", "biased upward") >= 1, "04: the small-sample FID warning");
            assertTrue(count(metrics, "text/html", "Plotly.newPlot") >= 5, "04: bar charts and FID against N");
            assertTrue(count(metrics, "image/png", "") >= 2, "04: sample grids and metric-against-step curves");
        }
        List<JsonObject> sweeps = outputs(out.resolve("05-sweeps.ipynb"));
        assertTrue(count(sweeps, "text/html", "runs ranked by min:fid") >= 1, "sweeps: the comparison table");
        assertTrue(count(sweeps, "text/html", "mean ± std") >= 1, "sweeps: the spread over seeds");
        assertEquals(2, printed(sweeps).split("-> showing the", -1).length - 1,
                "sweeps: the best and the worst run's raw and EMA generator scored, one chosen each");
        Path latentNotebook = out.resolve("06-conditional-and-latent-space.ipynb");
        if (Files.isRegularFile(latentNotebook)) {
            List<JsonObject> latent = outputs(latentNotebook);
            assertTrue(count(latent, "text/html", "intra-FID (mean)") >= 1, "06: the intra-class FID table");
            assertEquals(4, printed(latent).split("-> showing the", -1).length - 1, "06: each run's raw and EMA scored, one chosen");
            assertTrue(count(latent, "text/html", "Plotly.newPlot") >= 3, "06: per-class bars and the truncation chart");
            assertTrue(count(latent, "image/png", "") >= 10, "06: class grids, strips, arithmetic, neighbours");
        }
    }

    /**
     * The lanes overlapped (two notebooks ran at the same time, each with half the cores' engine threads), and
     * the barrier notebook, which scores every run it finds, started after every notebook before it (in the
     * given order) had ended, with all the cores to itself, and ended before any notebook after it started.
     */
    static void assertLanes(Path timings, List<String> order, String barrier) throws IOException {
        JsonObject times = JsonParser.parseString(Files.readString(timings)).getAsJsonObject();
        JsonObject b = times.getAsJsonObject(barrier);
        int cores = b.get("cores").getAsInt(); // as the runner counts them: the cores it may run on
        double barrierStart = b.get("started_epoch").getAsDouble(), barrierEnd = b.get("ended_epoch").getAsDouble();
        assertEquals(cores, b.get("threads").getAsInt(), barrier + " ran alone, on every core");
        int barrierAt = order.indexOf(barrier);
        assertTrue(barrierAt > 0 && barrierAt < order.size() - 1, "notebooks before and after " + barrier + ": " + order);
        List<double[]> spans = new ArrayList<>();
        for (String name : order) {
            JsonObject t = times.getAsJsonObject(name);
            assertEquals(2, t.get("lanes").getAsInt(), name + ": lanes");
            double start = t.get("started_epoch").getAsDouble(), end = t.get("ended_epoch").getAsDouble();
            int at = order.indexOf(name);
            if (at < barrierAt) {
                assertTrue(end <= barrierStart, name + " ended after " + barrier + " started");
            } else if (at > barrierAt) {
                assertTrue(start >= barrierEnd, name + " started before " + barrier + " ended");
            }
            if (at != barrierAt) {
                assertEquals(Math.max(1, cores / 2), t.get("threads").getAsInt(), name + ": engine threads");
                spans.add(new double[] {start, end});
            }
        }
        boolean overlap = false;
        for (double[] x : spans) {
            for (double[] y : spans) {
                overlap |= x != y && x[0] < y[1] && y[0] < x[1];
            }
        }
        assertTrue(overlap, "no two notebooks ran at the same time: " + times);
    }

    @Test
    void aFailingCellInALaneIsNamedInTheSummaryAndTheOtherLaneFinishes() throws Exception {
        Path broken = out.resolve("broken.ipynb");
        Files.writeString(broken, notebook("int x = 1;", "throw new IllegalStateException(\"boom at x=\" + x);"));
        Path fine = out.resolve("fine.ipynb");
        Files.writeString(fine, notebook("System.out.println(\"fine \" + (6 * 7));"));
        Run r = runner(Map.of(), "--profile", "smoke", "--jobs", "2", "--out", out.resolve("o").toString(),
                broken.toString(), fine.toString());
        assertNotEquals(0, r.exit, r.output);
        String summary = r.output.substring(r.output.lastIndexOf("[notebooks] FAILED"));
        assertTrue(summary.contains("broken.ipynb") && summary.contains("cell 2") && summary.contains("boom at x=1"),
                "the last lines name the notebook, cell and error: " + r.output);
        assertFalse(summary.contains("fine.ipynb"), summary);
        assertTrue(printed(outputs(out.resolve("o/fine.ipynb"))).contains("fine 42"), "the other lane ran to its end");
    }

    /**
     * SIGTERM stops a run at once, kernels included (they run in sessions of their own), with two lanes and with
     * one notebook at a time.
     */
    @Test
    void aTerminatedRunStopsItsKernels() throws Exception {
        terminateAndCheck("2", List.of("slow-a", "slow-b"));
        terminateAndCheck("1", List.of("slow-c", "slow-d"));
    }

    /** Starts {@code names} as notebooks that work for ten minutes, terminates the runner once each lane's kernel runs. */
    private void terminateAndCheck(String jobs, List<String> names) throws Exception {
        List<String> args = new ArrayList<>(List.of("/usr/bin/python3",
                ROOT.resolve("environment/run_notebooks.py").toString(), "--profile", "smoke", "--jobs", jobs, "--out",
                out.resolve("o" + jobs).toString()));
        List<Path> pidFiles = new ArrayList<>();
        for (String name : names) {
            Path pidFile = out.resolve(name + ".pid");
            Path nb = out.resolve(name + ".ipynb");
            // the kernel says who it is, then works for ten minutes
            Files.writeString(nb, notebook("java.nio.file.Files.writeString(java.nio.file.Path.of(\""
                    + pidFile.toString().replace("\\", "/") + "\"), Long.toString(ProcessHandle.current().pid()));"
                    + " Thread.sleep(600_000);"));
            pidFiles.add(pidFile);
            args.add(nb.toString());
        }
        Path log = out.resolve("runner-" + jobs + ".log");
        ProcessBuilder pb = new ProcessBuilder(args).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().remove("GANLAB_THREADS");
        Process p = pb.start();
        // one kernel per lane runs before the runner is stopped (with one lane the second notebook never starts)
        List<Path> started = pidFiles.subList(0, Integer.parseInt(jobs));
        long until = System.currentTimeMillis() + 180_000;
        while (!started.stream().allMatch(f -> Files.isRegularFile(f) && f.toFile().length() > 0)
                && System.currentTimeMillis() < until && p.isAlive()) {
            Thread.sleep(200);
        }
        assertTrue(started.stream().allMatch(Files::isRegularFile), "the lanes' kernels started: " + Files.readString(log));
        p.toHandle().destroy(); // SIGTERM
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the runner ended after SIGTERM");
        assertEquals(130, p.exitValue(), Files.readString(log));
        assertFalse(Files.exists(pidFiles.get(pidFiles.size() - 1)) && jobs.equals("1"), "no notebook started after it");
        for (Path f : started) {
            long pid = Long.parseLong(Files.readString(f).trim());
            long gone = System.currentTimeMillis() + 30_000;
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.currentTimeMillis() < gone) {
                Thread.sleep(200);
            }
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "kernel " + pid + " still runs");
        }
    }

    @Test
    void aFailingCellIsNamedByNotebookAndCell() throws Exception {
        Path nb = out.resolve("broken.ipynb");
        Files.writeString(nb, notebook("int x = 1;", "throw new IllegalStateException(\"boom at x=\" + x);",
                "System.out.println(\"never\");"));
        Run r = runner(Map.of(), "--profile", "smoke", "--out", out.resolve("o").toString(), nb.toString());
        assertNotEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("broken.ipynb") && r.output.contains("cell 2"), r.output);
        assertTrue(r.output.contains("boom at x=1"), r.output);
        assertTrue(Files.isRegularFile(out.resolve("o/broken.html")), "the failed notebook is still exported");
        // its wall time is recorded for lib/BENCHMARKS.md's notebook section, marked as failed
        JsonObject t = com.google.gson.JsonParser.parseString(Files.readString(out.resolve("o/timings.json")))
                .getAsJsonObject().getAsJsonObject("broken");
        assertEquals("smoke", t.get("profile").getAsString());
        assertFalse(t.get("ok").getAsBoolean());
        assertTrue(t.get("seconds").getAsDouble() > 0, t.toString());
        // and the CPU its kernel used (a JVM kernel takes seconds of CPU to start): 0 would mean the
        // kernel's time was not counted, and the CPU share in BENCHMARKS.md would be meaningless
        assertTrue(t.get("cpu_seconds").getAsDouble() > 1, t.toString());
    }

    @Test
    void aKernelThatCannotStartIsReportedWithTheFix() throws Exception {
        Path jupyter = out.resolve("jupyter");
        Path spec = jupyter.resolve("kernels/ganlab");
        Files.createDirectories(spec);
        Files.writeString(spec.resolve("kernel.json"), "{\"argv\": [\"/bin/false\", \"{connection_file}\"],"
                + " \"display_name\": \"broken\", \"language\": \"java\"}");
        Path nb = out.resolve("fine.ipynb");
        Files.writeString(nb, notebook("1 + 1"));
        Run r = runner(Map.of("JUPYTER_PATH", jupyter.toString()), "--timeout", "60", "--out",
                out.resolve("k").toString(), nb.toString());
        assertNotEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("failed to start") && r.output.contains("environment/setup.sh"), r.output);
    }

    static String notebook(String... cells) {
        JsonObject nb = new JsonObject();
        JsonArray arr = new JsonArray();
        for (String c : cells) {
            JsonObject cell = new JsonObject();
            cell.addProperty("cell_type", "code");
            cell.add("metadata", new JsonObject());
            cell.add("outputs", new JsonArray());
            cell.add("execution_count", com.google.gson.JsonNull.INSTANCE);
            cell.addProperty("source", c);
            arr.add(cell);
        }
        nb.add("cells", arr);
        JsonObject meta = new JsonObject();
        JsonObject ks = new JsonObject();
        ks.addProperty("name", "ganlab");
        ks.addProperty("display_name", "GAN Lab (Java)");
        ks.addProperty("language", "java");
        meta.add("kernelspec", ks);
        nb.add("metadata", meta);
        nb.addProperty("nbformat", 4);
        nb.addProperty("nbformat_minor", 5);
        return nb.toString();
    }
}
