package dev.ganlab.core;

import dev.ganlab.Slow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that the engine loads with no network: a child JVM runs {@code ganlab info} with an empty
 * DJL cache (so the natives must come out of the bundled jars) and every HTTP/HTTPS proxy pointed at
 * a local trap that counts connections. DJL's downloads honour these proxy settings, so any attempt
 * to fetch natives, the flavour list or telemetry would reach the trap; the test asserts none did.
 * A control run in the same set-up shows the trap does catch an ordinary HTTP request.
 */
@Slow
class OfflineEngineTest {

    @TempDir Path tmp;

    @Test
    void engineLoadsFromBundledJarsWithoutTouchingTheNetwork() throws Exception {
        try (ServerSocket trap = new ServerSocket(0)) {
            AtomicInteger connections = new AtomicInteger();
            Thread acceptor = new Thread(() -> {
                while (!trap.isClosed()) {
                    try (Socket s = trap.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();

            Path cache = tmp.resolve("djl-cache");
            Result r = runChild(trap.getLocalPort(), cache, "dev.ganlab.cli.Main", "info");
            assertEquals(0, r.exit, r.output);
            assertTrue(r.output.contains("PyTorch 2.3.1"), r.output);
            assertTrue(r.output.contains("(offline mode)"), r.output);
            assertEquals(0, connections.get(), "the engine tried to reach the network:\n" + r.output);
            try (Stream<Path> files = Files.walk(cache)) {
                assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("libtorch")),
                        "natives were not extracted from the bundled jar into the fresh cache " + cache);
            }

            // Control: the same proxy settings do route a plain HTTP request into the trap.
            Result control = runChild(trap.getLocalPort(), cache, ProbeHttp.class.getName());
            long deadline = System.currentTimeMillis() + 5000;
            while (connections.get() == 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(connections.get() > 0, "control request did not reach the trap: " + control.output);
        }
    }

    /** Child program for the control run: one HTTP request. */
    public static final class ProbeHttp {
        public static void main(String[] args) throws Exception {
            var conn = new java.net.URL("http://downloads.example.invalid/natives.zip").openConnection();
            conn.setConnectTimeout(2000);
            conn.setReadTimeout(2000);
            try {
                conn.getInputStream().close();
            } catch (IOException expected) {
                System.out.println("request failed as expected: " + expected);
            }
        }
    }

    private record Result(int exit, String output) {}

    private Result runChild(int proxyPort, Path cache, String mainClass, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        for (String scheme : new String[] {"http", "https"}) {
            cmd.add("-D" + scheme + ".proxyHost=127.0.0.1");
            cmd.add("-D" + scheme + ".proxyPort=" + proxyPort);
            cmd.add("-D" + scheme + ".nonProxyHosts=");
        }
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DJL_CACHE_DIR", cache.toString());
        pb.environment().put("ENGINE_CACHE_DIR", cache.toString());
        pb.environment().remove("DJL_OFFLINE");
        pb.environment().remove("PYTORCH_FLAVOR");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
