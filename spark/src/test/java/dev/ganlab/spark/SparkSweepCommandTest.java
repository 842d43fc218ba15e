package dev.ganlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ganlab sweep --executor spark}: bad input gives one message each, exit status 2, before anything runs. */
class SparkSweepCommandTest {

    @TempDir Path tmp;

    static String[] cli(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.run(args);
            return new String[] {Integer.toString(exit), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(saved);
        }
    }

    Path spec(String grid) throws Exception {
        Path f = tmp.resolve("s.json");
        Files.writeString(f, "{\"name\": \"cli\", \"base\": {\"data\": \"synthetic:8\", \"steps\": 5,"
                + " \"eval\": {\"metrics\": \"\"}}, \"grid\": " + grid + ", \"seeds\": [1],"
                + " \"out\": \"" + tmp.resolve("out") + "\"}");
        return f;
    }

    @Test
    void aSpecErrorComesBeforeTheMasterAndAnUnreachableMasterBeforeAnyRun() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        String master = "spark://127.0.0.1:" + port;
        String[] bad = cli("sweep", "--spec", spec("{\"optD.lrate\": [1e-4]}").toString(), "--executor", "spark",
                "--master", master);
        assertEquals("2", bad[0]);
        assertTrue(bad[1].contains("optD.lrate") && !bad[1].contains("Spark master"), bad[1]);

        String[] unreachable = cli("sweep", "--spec", spec("{\"loss\": [\"ns\"]}").toString(), "--executor", "spark",
                "--master", master);
        assertEquals("2", unreachable[0]);
        assertTrue(unreachable[1].contains("cannot reach the Spark master " + master), unreachable[1]);
        assertEquals(1, unreachable[1].strip().lines().count(), "one line: " + unreachable[1]);
        assertFalse(Files.exists(tmp.resolve("out")), "nothing was made");

        String[] conf = cli("sweep", "--spec", spec("{\"loss\": [\"ns\"]}").toString(), "--executor", "spark",
                "--master", "local[1]", "--conf", "ganlab.spark.taskMode=thread");
        assertEquals("2", conf[0]);
        assertTrue(conf[1].contains("ganlab.spark.taskMode=thread: use process (the default) or jvm"), conf[1]);
    }
}
