package dev.ganlab.spark;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * A real Spark standalone cluster on localhost for tests: a master and one worker, each a child JVM
 * started from the Maven jars on the test class path ({@code org.apache.spark.deploy.master.Master},
 * {@code org.apache.spark.deploy.worker.Worker}), with the Java 17 module flags Spark's launcher uses.
 * The worker starts its executors from a Spark home laid out as a release is ({@code jars/}), made of
 * links to the same jars, so nothing is downloaded.
 *
 * <p>{@code privateFolder}: when given (and {@code unshare} can make a mount namespace, as root), the
 * worker and its executors see an empty tmpfs over that folder, with one sub-folder {@code only-here}
 * made in it: a folder that the driver and the executors see differently, as on two machines.
 */
final class StandaloneCluster implements AutoCloseable {

    final String masterUrl;
    final Path logs;
    private Process master;
    private Process worker;

    StandaloneCluster(Path dir, int cores, Path privateFolder) throws IOException, InterruptedException {
        Path home = dir.resolve("spark-home");
        Path jars = home.resolve("jars");
        Files.createDirectories(jars);
        Files.createDirectories(home.resolve("conf"));
        List<String> classPath = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
        for (String entry : classPath) {
            Path p = Paths.get(entry);
            String name = p.getFileName().toString();
            if (name.endsWith(".jar") && Files.isRegularFile(p) && !name.startsWith("ganlab")) {
                Path link = jars.resolve(name);
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, p.toAbsolutePath());
                }
            }
        }
        logs = dir.resolve("logs");
        Files.createDirectories(logs);
        int port = freePort();
        masterUrl = "spark://127.0.0.1:" + port;
        String cp = jars + File.separator + "*";
        try {
            startBoth(dir, cores, privateFolder, home, cp, port);
        } catch (IOException | InterruptedException | RuntimeException e) {
            close(); // a master that started must not outlive a failed set-up
            throw e;
        }
    }

    private void startBoth(Path dir, int cores, Path privateFolder, Path home, String cp, int port)
            throws IOException, InterruptedException {
        master = start(List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                Integer.toString(port), "--webui-port", Integer.toString(freePort())), home, cp, logs.resolve("master.log"),
                null);
        waitForLine(logs.resolve("master.log"), "I have been elected leader", master);
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        worker = start(List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores",
                Integer.toString(cores), "--memory", "3g", "--work-dir", work.toString(), "--webui-port",
                Integer.toString(freePort()), masterUrl), home, cp, logs.resolve("worker.log"), privateFolder);
        waitForLine(logs.resolve("worker.log"), "Successfully registered with master", worker);
    }

    /** Whether this machine can give a process a mount namespace of its own (unshare, as root). */
    static boolean canUnshare() {
        try {
            Process p = new ProcessBuilder("unshare", "-m", "true").redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static Process start(List<String> mainAndArgs, Path home, String cp, Path log, Path privateFolder)
            throws IOException {
        List<String> java = new ArrayList<>();
        java.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        java.add("-Xmx512m");
        java.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
        java.addAll(List.of("-cp", cp));
        java.addAll(mainAndArgs);
        List<String> cmd = new ArrayList<>();
        if (privateFolder != null) {
            // sh -c 'mount -t tmpfs ... DIR && mkdir DIR/only-here && exec java ...' "$@"
            cmd.addAll(List.of("unshare", "-m", "sh", "-c", "mount -t tmpfs ganlab-test \"$0\" && mkdir \"$0/only-here\""
                    + " && exec \"$@\"", privateFolder.toString()));
        }
        cmd.addAll(java);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_LOG_DIR", log.getParent().toString());
        return pb.start();
    }

    private static void waitForLine(Path log, String text, Process p) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + 400_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException(log + ": the process ended:\n" + Files.readString(log));
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(log + ": no '" + text + "' within 400 s:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The executor JVMs the worker runs now. */
    List<ProcessHandle> executors() {
        return worker.descendants().filter(h -> h.info().commandLine().orElse("")
                .contains("CoarseGrainedExecutorBackend")).toList();
    }

    Optional<ProcessHandle> anExecutor() {
        return executors().stream().findFirst();
    }

    String workerLog() {
        try {
            return Files.readString(logs.resolve("worker.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (Process p : new Process[] {worker, master}) {
            if (p == null) {
                continue;
            }
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
