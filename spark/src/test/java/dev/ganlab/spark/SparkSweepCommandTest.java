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
import java.io.File;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.spark.launcher.JavaModuleOptions;
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

    /**
     * Another Jackson ahead of Spark's (here a jackson-databind version class saying 2.13.0, first on the class path
     * of a new JVM that creates the executor): one message naming the version and where it came from, before
     * Spark starts a context; not Spark's ExceptionInInitializerError at the first job.
     */
    @Test
    void aJacksonOtherThanSparksIsOneClearErrorBeforeSparkStarts() throws Exception {
        Path src = tmp.resolve("src/com/fasterxml/jackson/databind/cfg/PackageVersion.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package com.fasterxml.jackson.databind.cfg;\n"
                + "public final class PackageVersion implements com.fasterxml.jackson.core.Versioned {\n"
                + "  public static final com.fasterxml.jackson.core.Version VERSION = com.fasterxml.jackson.core.util"
                + ".VersionUtil.parseVersion(\"2.13.0\", \"com.fasterxml.jackson.core\", \"jackson-databind\");\n"
                + "  @Override public com.fasterxml.jackson.core.Version version() { return VERSION; }\n}\n");
        Path shadow = tmp.resolve("old-jackson");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String cp = System.getProperty("java.class.path");
        assertEquals(0, javac.run(null, null, null, "-d", shadow.toString(), "-cp", cp, src.toString()));

        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
        cmd.addAll(List.of("-cp", shadow + File.pathSeparator + cp, CreateLocalExecutor.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        String error = out.lines().filter(l -> l.startsWith("UserError: ")).findFirst().orElse("");
        assertTrue(error.contains("Spark cannot start: ") && error.contains("requires Jackson Databind version")
                && error.contains("jackson-databind 2.13.0 was loaded from " + shadow), out);
    }

    /** Creates a local[1] executor: exit 0, or 2 printing the UserError's message. */
    public static final class CreateLocalExecutor {
        public static void main(String[] args) {
            try (SparkRunExecutor ex = SparkRunExecutor.create("local[1]", java.util.Map.of(), 1)) {
                System.exit(0);
            } catch (dev.ganlab.core.UserError e) {
                System.out.println("UserError: " + e.getMessage());
                System.exit(2);
            }
        }
    }
}
