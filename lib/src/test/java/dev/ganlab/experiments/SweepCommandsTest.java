package dev.ganlab.experiments;

import dev.ganlab.train.RunStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep and runs commands, without training: dry runs, rejected specs, listings. */
class SweepCommandsTest {

    @TempDir Path tmp;

    record Result(int exit, String out, String err) {}

    /** Runs the command line with stdout and stderr captured. */
    static Result cli(String... args) {
        PrintStream[] saved = {System.out, System.err};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.run(args);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved[0]);
            System.setErr(saved[1]);
        }
    }

    Path spec(String grid) throws Exception {
        Path f = tmp.resolve("s.json");
        Files.writeString(f, "{\"name\": \"cli\", \"base\": {\"data\": \"synthetic:8\", \"steps\": 5,"
                + " \"eval\": {\"metrics\": \"\"}}, \"grid\": " + grid + ", \"seeds\": [1, 2],"
                + " \"out\": \"" + tmp.resolve("out") + "\"}");
        return f;
    }

    @Test
    void aDryRunPrintsThePlanAndRunsNothing() throws Exception {
        Result r = cli("sweep", "--spec", spec("{\"loss\": [\"ns\", \"hinge\"]}").toString(), "--dry-run");
        assertEquals(0, r.exit(), r.err());
        for (String id : new String[] {"loss=ns,seed=1", "loss=hinge,seed=1", "loss=ns,seed=2", "loss=hinge,seed=2"}) {
            assertTrue(r.out().contains(id), r.out());
        }
        assertTrue(r.out().contains("4 runs"), r.out());
        assertFalse(Files.exists(tmp.resolve("out")), "a dry run writes nothing");
    }

    @Test
    void theSparkExecutorWithoutItsModuleSaysWhichJarToUse() throws Exception {
        Result r = cli("sweep", "--spec", spec("{\"loss\": [\"ns\"]}").toString(), "--executor", "spark",
                "--master", "local[1]");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("the Spark executor is not on this class path")
                && r.err().contains("spark/target/ganlab-spark.jar"), r.err());
        Result local = cli("sweep", "--spec", spec("{\"loss\": [\"ns\"]}").toString(), "--master", "local[1]");
        assertEquals(2, local.exit());
        assertTrue(local.err().contains("--master and --conf are settings of --executor spark"), local.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void aBadSpecEndsWithStatusTwoNamingTheKey() throws Exception {
        Result unknown = cli("sweep", "--spec", spec("{\"optD.lrate\": [1e-4]}").toString());
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("optD.lrate"), unknown.err());
        Result type = cli("sweep", "--spec", spec("{\"nCritic\": [\"many\"]}").toString(), "--dry-run");
        assertEquals(2, type.exit());
        assertTrue(type.err().contains("nCritic") && type.err().contains("whole number"), type.err());
        Result empty = cli("sweep", "--spec", spec("{}").toString());
        assertEquals(2, empty.exit());
        assertTrue(empty.err().contains("'grid' is empty"), empty.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void runsListsComparesAndShowsHistories() throws Exception {
        Path root = tmp.resolve("runs");
        RunRegistryTest.writeRun(root.resolve("a"), RunRegistryTest.config("ns", 1), RunStatus.FINISHED, 31.5);
        RunRegistryTest.writeRun(root.resolve("b"), RunRegistryTest.config("hinge", 1), RunStatus.DIVERGED, Double.NaN);
        Result list = cli("runs", root.toString());
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("finished") && list.out().contains("diverged") && list.out().contains("31.5"),
                list.out());
        Result compare = cli("runs", root.toString(), "--compare");
        assertTrue(compare.out().contains("ranked by min:fid") && compare.out().contains("hinge"), compare.out());
        Result history = cli("runs", root.toString(), "--history", "a");
        assertTrue(history.out().contains("d_loss") && history.out().contains("1.25"), history.out());
        Result missing = cli("runs", root.toString(), "--history", "zzz");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("no run 'zzz'"), missing.err());
    }
}
