package dev.ganlab.experiments;

import dev.ganlab.train.RunFolder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import dev.ganlab.train.RunStatus;
import dev.ganlab.train.TrainConfig;
import dev.ganlab.train.TrainingHistory;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** The run registry and comparisons over run folders written by hand (no training). */
class RunRegistryTest {

    @TempDir Path tmp;

    static TrainConfig config(String loss, long seed) {
        TrainConfig c = TrainConfig.fromJson("{\"data\": \"synthetic:8\", \"steps\": 20}");
        c.loss = loss;
        c.seed = seed;
        return c.resolved();
    }

    /** A run folder as the trainer leaves it: config.json, status.json, metrics.csv with two rows. */
    static Path writeRun(Path dir, TrainConfig cfg, String status, double fid) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), cfg.toJson());
        RunStatus st = new RunStatus();
        st.status = status;
        st.step = status.equals(RunStatus.DIVERGED) ? 7 : cfg.steps;
        st.steps = cfg.steps;
        st.pid = ProcessHandle.current().pid();
        st.message = status.equals(RunStatus.DIVERGED) ? "step 7: d_loss is NaN" : "";
        st.write(dir.resolve("status.json"));
        TrainingHistory h = new TrainingHistory();
        h.add(Map.of("step", 10.0, "images", 640.0, "seconds", 1.0, "d_loss", 1.5));
        Map<String, Double> last = new LinkedHashMap<>(Map.of("step", (double) st.step, "images", 1280.0, "seconds",
                2.5, "d_loss", 1.25));
        if (!Double.isNaN(fid)) {
            last.put("fid_fmnist", fid);
            last.put("kid_fmnist", fid / 100);
        }
        h.add(last);
        h.writeCsv(dir.resolve("metrics.csv"));
        return dir;
    }

    static void writeStatus(Path dir, String status, long pid, String updated) throws Exception {
        Files.writeString(dir.resolve("status.json"), "{\"status\": \"" + status + "\", \"step\": 3, \"steps\": 20,"
                + " \"pid\": " + pid + ", \"updated\": \"" + updated + "\"}");
    }

    @Test
    void statusesAreReadAndARunningRunWithoutItsProcessHasCrashed() throws Exception {
        Path finished = writeRun(tmp.resolve("finished"), config("ns", 1), RunStatus.FINISHED, 30);
        Path diverged = writeRun(tmp.resolve("diverged"), config("ns", 2), RunStatus.DIVERGED, Double.NaN);
        assertEquals(RunStatus.FINISHED, RunFolder.read(finished, "f").status());
        RunFolder d = RunFolder.read(diverged, "d");
        assertEquals(RunStatus.DIVERGED, d.status());
        assertEquals(7, d.step());
        assertTrue(d.message().contains("NaN"));
        assertTrue(d.isDone());

        Path live = writeRun(tmp.resolve("live"), config("ns", 3), RunStatus.RUNNING, Double.NaN);
        assertEquals(RunStatus.RUNNING, RunFolder.read(live, "l").status(), "this JVM wrote it and is alive");

        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        writeStatus(live, RunStatus.RUNNING, gone.pid(), java.time.Instant.now().toString());
        RunFolder dead = RunFolder.read(live, "l");
        assertEquals(RunStatus.CRASHED, dead.status(), "its process has exited without a final status");
        assertTrue(!dead.isDone());

        // A live process with the recorded pid that started after the status was written is another one.
        writeStatus(live, RunStatus.RUNNING, ProcessHandle.current().pid(), "2001-01-01T00:00:00Z");
        assertEquals(RunStatus.CRASHED, RunFolder.read(live, "l").status());

        Path planned = tmp.resolve("planned");
        new RunSpec("planned", "s", planned, "auto", Map.of("loss", "hinge"), TrainConfig.fromJson(
                "{\"data\": \"synthetic:8\", \"loss\": \"hinge\"}")).write();
        RunFolder p = RunFolder.read(planned, "planned");
        assertEquals(RunStatus.PENDING, p.status());
        assertEquals("hinge", p.config().loss);
        assertEquals("none", p.config().penalty, "a planned run shows its resolved config");
        assertEquals(Map.of("loss", "hinge"), p.labels());
    }

    @Test
    void finalValuesAreTheLastHistoryRow() throws Exception {
        Path dir = writeRun(tmp.resolve("r"), config("ns", 1), RunStatus.FINISHED, 42.5);
        RunFolder r = RunFolder.read(dir, "r");
        assertEquals(42.5, r.value("fid_fmnist"));
        assertEquals(1.25, r.value("d_loss"), "the last row's, not the first's");
        assertEquals(Double.NaN, r.value("is"));
        Table h = r.history();
        assertEquals(2, h.rowCount());
        assertEquals(1.5, h.numberColumn("d_loss").getDouble(0));

        assertNull(r.latestSamples());
        Files.createDirectories(dir.resolve("samples"));
        int[] widths = {10, 20, 30};
        String[] names = {"step-00000010.png", "step-00000020.png", "step-00000020-raw.png"};
        for (int i = 0; i < names.length; i++) {
            ImageIO.write(new BufferedImage(widths[i], 5, BufferedImage.TYPE_INT_RGB), "png",
                    dir.resolve("samples").resolve(names[i]).toFile());
        }
        assertEquals(20, r.latestSamples().getWidth(), "the newest grid of the EMA generator, not the raw one");
    }

    @Test
    void oldRunFoldersReadTheirScoresUnderTheFeatureNetworksNameAndTablesShowTheSetup() throws Exception {
        // Written before score names carried the network: the config names none, so the evaluator's
        // default (the Fashion-MNIST network) measured fid and kid; the alarm's precision had no name.
        Path dir = tmp.resolve("old");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), config("ns", 1).toJson());
        Files.writeString(dir.resolve("metrics.csv"), "step,images,seconds,d_loss,fid,kid,precision,coverage\n"
                + "10,640,1,1.5,,,0.5,0.25\n20,1280,2,1.25,31.5,0.02,,\n");
        RunFolder r = RunFolder.read(dir, "old");
        assertEquals(31.5, r.value("fid_fmnist"));
        assertEquals(Double.NaN, r.value("fid"));
        Table h = r.history();
        assertTrue(h.columnNames().containsAll(List.of("fid_fmnist", "kid_fmnist", "collapse_precision")),
                h.columnNames().toString());
        assertTrue(!h.columnNames().contains("fid") && !h.columnNames().contains("precision"),
                h.columnNames().toString());
        // The setup of the last evaluation goes beside the scores in a comparison.
        Files.writeString(dir.resolve("evaluations.jsonl"), "{\"step\":20,\"images\":1280,\"setup\":{\"features\":"
                + "\"fmnist\",\"featuresSha256\":\"abcdef0123456789\",\"realPreparation\":\"p\",\"fakePreparation\":"
                + "\"p\",\"real\":\"fashion-mnist:test\",\"realCount\":2000,\"fake\":\"g\",\"fakeCount\":1500,"
                + "\"seed\":1,\"realCache\":\"none\"},\"metrics\":{\"fid_fmnist\":31.5},\"warnings\":[]}\n");
        Table t = Comparison.of(List.of(RunFolder.read(dir, "old"))).table();
        assertEquals("fmnist", t.stringColumn("eval features").get(0));
        assertEquals("abcdef012345", t.stringColumn("eval sha256").get(0));
        assertEquals(1500, t.intColumn("eval fake n").get(0));
    }

    @Test
    void theRegistryFindsNestedRunsAndNamesThemByPath() throws Exception {
        Path root = tmp.resolve("runs");
        writeRun(root.resolve("a"), config("ns", 1), RunStatus.FINISHED, 30);
        writeRun(root.resolve("sweeps/s1/x"), config("lsgan", 1), RunStatus.FINISHED, 20);
        // A run's own sub-folders and hidden folders hold no runs.
        writeRun(root.resolve("a/samples/stray"), config("ns", 9), RunStatus.FINISHED, 1);
        writeRun(root.resolve(".trash/old"), config("ns", 9), RunStatus.FINISHED, 1);
        RunRegistry reg = RunRegistry.of(root);
        assertEquals(List.of("a", "sweeps/s1/x"), reg.runs().stream().map(RunFolder::name).toList());
        assertEquals(20.0, reg.run("sweeps/s1/x").value("fid_fmnist"));
        Table t = reg.table();
        assertEquals(2, t.rowCount());
        assertTrue(t.columnNames().containsAll(
                List.of("run", "status", "step", "loss", "seed", "fid_fmnist", "kid_fmnist", "seconds")),
                t.columnNames().toString());
        assertEquals(2, reg.history("a").rowCount());
        UserError e = assertThrows(UserError.class, () -> reg.run("nope"));
        assertTrue(e.getMessage().contains("sweeps/s1/x"), e.getMessage());
        assertEquals(List.of(), RunRegistry.of(tmp.resolve("missing")).runs());
    }

    @Test
    void aComparisonShowsDifferencesRanksRunsAndMeasuresTheSpreadOverSeeds() throws Exception {
        Path root = tmp.resolve("cmp");
        double[] nsFid = {30, 34, 38};
        double[] lsFid = {25, 45};
        for (int s = 0; s < 3; s++) {
            writeRun(root.resolve("ns-" + s), config("ns", s + 1), RunStatus.FINISHED, nsFid[s]);
        }
        writeRun(root.resolve("ls-0"), config("lsgan", 1), RunStatus.FINISHED, lsFid[0]);
        writeRun(root.resolve("ls-1"), config("lsgan", 2), RunStatus.FINISHED, lsFid[1]);
        writeRun(root.resolve("ls-2"), config("lsgan", 3), RunStatus.DIVERGED, Double.NaN);
        Comparison c = Comparison.of(root);
        assertEquals(Set.of("seed", "loss"), Set.copyOf(c.differingKeys()));
        assertEquals(List.of("fid_fmnist", "kid_fmnist"), c.metrics());
        assertEquals(new Objective("fid_fmnist", true), c.objective(), "ranked by the runs' own evaluation");

        Table t = c.table();
        assertEquals(List.of("rank", "run", "status", "step"), t.columnNames().subList(0, 4));
        assertTrue(t.columnNames().containsAll(List.of("seed", "loss", "fid_fmnist", "kid_fmnist", "seconds")));
        assertEquals("ls-0", t.stringColumn("run").get(0), "lowest FID first");
        assertEquals("ls-2", t.stringColumn("run").get(5), "the diverged run last");
        assertTrue(t.intColumn("rank").isMissing(5));
        assertEquals("lsgan", t.stringColumn("loss").get(0));
        assertEquals("ls-0", c.best().name());

        Table spread = c.spread("fid_fmnist");
        // Cells in order of first appearance (the registry lists runs by id: ls-* first).
        assertEquals(List.of("loss=lsgan", "loss=ns"), spread.stringColumn("cell").asList());
        assertEquals(mean(lsFid), spread.doubleColumn("mean").get(0), 1e-9);
        assertEquals(sampleStd(lsFid), spread.doubleColumn("std").get(0), 1e-9);
        assertEquals(mean(nsFid), spread.doubleColumn("mean").get(1), 1e-9);
        assertEquals(sampleStd(nsFid), spread.doubleColumn("std").get(1), 1e-9);
        assertEquals(3, spread.intColumn("runs").get(0));
        assertEquals(2, spread.intColumn("scored").get(0));
        assertEquals(1, spread.intColumn("diverged").get(0));
        assertEquals(0, spread.intColumn("diverged").get(1));
        assertEquals("ls-0", spread.stringColumn("best run").get(0));
        assertEquals("ns-0", spread.stringColumn("best run").get(1));

        // Seed 1: ls-0 (25) beats ns-0 (30); seed 2: ns-1 (34) beats ls-1 (45); seed 3: only ns-2 has a FID.
        Table winners = c.winnerPerSeed("fid_fmnist");
        assertEquals(List.of("1", "2", "3"), winners.stringColumn("seed").asList());
        assertEquals(List.of("loss=lsgan", "loss=ns", "loss=ns"), winners.stringColumn("best cell").asList());
        assertEquals(List.of(lsFid[0], nsFid[1], nsFid[2]), winners.doubleColumn("fid_fmnist").asList());

        String curves = c.curves("d_loss").asJavascript("d");
        assertTrue(curves.contains("loss=ns") && curves.contains("loss=lsgan") && curves.contains("ls-2"), curves);
        String versus = c.versus("loss", "fid_fmnist").asJavascript("v");
        assertTrue(versus.contains("lsgan") && versus.contains("mean"), versus);
        assertTrue(c.spreadPlot("fid_fmnist").asJavascript("s").contains("ns-2"));
        assertThrows(UserError.class, () -> c.curves("no_such_metric"));
        assertThrows(UserError.class, () -> c.versus("no.such.key", "fid_fmnist"));
        Comparison byKid = Comparison.of(root).rankBy("max:kid_fmnist");
        assertEquals("ls-1", byKid.best().name(), "highest KID when asked for max");
        // The Inception name does not silently pick the Fashion-MNIST score: the error names it.
        UserError plainKid = assertThrows(UserError.class, () -> Comparison.of(root).rankBy("max:kid").best());
        assertTrue(plainKid.getMessage().contains("kid_fmnist"), plainKid.getMessage());
    }

    @Test
    void aSweepsVariantAxesAppearAsColumns() {
        SweepPlan plan = SweepSpec.named("v").base(TrainConfig.fromJson("{\"data\": \"synthetic:8\", \"steps\": 5,"
                + " \"eval\": {\"metrics\": \"\"}}")).grid("loss", "ns", "hinge").variant("reg", "none")
                .variant("reg", "sn", "model", "sndcgan").out(tmp.resolve("v")).plan();
        plan.runs().forEach(RunSpec::write);
        Comparison c = Comparison.of(tmp.resolve("v"));
        Table t = c.table();
        assertTrue(t.columnNames().contains("reg"), t.columnNames().toString());
        assertTrue(c.differingKeys().containsAll(List.of("loss", "model")), c.differingKeys().toString());
        assertEquals(4, t.rowCount());
        assertTrue(t.stringColumn("status").asList().stream().allMatch(RunStatus.PENDING::equals));
        assertNull(c.objective());
        assertEquals("loss=hinge, reg=sn", c.cell(c.runs().stream().filter(r -> r.name().equals("loss=hinge,reg=sn"))
                .findFirst().orElseThrow()));
    }

    static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.length;
    }

    static double sampleStd(double[] v) {
        double m = mean(v);
        double ss = 0;
        for (double d : v) {
            ss += (d - m) * (d - m);
        }
        return Math.sqrt(ss / (v.length - 1));
    }
}
