package dev.ganlab.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which C allocator serves the engine's tensor memory, and how to start a process with TCMalloc.
 *
 * <p>Why it matters: libtorch allocates and frees every activation and gradient buffer of a step
 * through malloc. With glibc's allocator the large buffers go through mmap/munmap (each step pays
 * the page faults again) and freed memory stays fragmented across arenas, so resident memory takes
 * steps up over thousands of steps. Measured on the 32 px DCGAN step (2 threads, see
 * lib/BENCHMARKS.md): TCMalloc made the step 15% faster and kept RSS flat; jemalloc kept RSS flat
 * but was 40% slower (it returns pages to the system and faults them back each step). Python
 * PyTorch users get the same effect from the same library, so the benchmark gives its Python peer
 * the allocator of the Java side.
 *
 * <p>An allocator can only be chosen before a process starts ({@code LD_PRELOAD}); the command line
 * restarts itself once with TCMalloc when the library is installed (Debian: libtcmalloc-minimal4),
 * the kernelspec sets it for notebooks, and sweep workers inherit it. {@value #ENV_ALLOCATOR}=system
 * turns this off.
 */
public final class NativeAllocator {

    /** Set to {@code system} to keep the C library's allocator. */
    public static final String ENV_ALLOCATOR = "GANLAB_ALLOCATOR";
    /** A TCMalloc shared library to use instead of the searched locations. */
    public static final String ENV_TCMALLOC = "GANLAB_TCMALLOC";
    /** Marks a process this class already restarted, so a preload that fails cannot loop. */
    public static final String ENV_RELAUNCHED = "GANLAB_RELAUNCHED";

    private static final String LIBRARY = "libtcmalloc_minimal.so.4";
    private static final List<String> SEARCHED = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/usr/lib64", "/usr/lib", "/usr/local/lib");

    private NativeAllocator() {}

    /** The allocator this process runs with: "tcmalloc", "jemalloc" or "glibc malloc" (from /proc/self/maps). */
    public static String active() {
        return activeIn(Path.of("/proc/self/maps"));
    }

    static String activeIn(Path maps) {
        try (var lines = Files.lines(maps)) {
            String found = lines.map(l -> l.toLowerCase(Locale.ROOT))
                    .filter(l -> l.contains("libtcmalloc") || l.contains("libjemalloc"))
                    .findFirst().orElse("");
            if (found.contains("libtcmalloc")) {
                return "tcmalloc";
            }
            return found.contains("libjemalloc") ? "jemalloc" : "glibc malloc";
        } catch (IOException | UncheckedIOException e) {
            return "unknown (no " + maps + ")";
        }
    }

    /** The TCMalloc library to preload: {@value #ENV_TCMALLOC} when set, else the first installed one. */
    public static Optional<Path> tcmalloc() {
        return tcmalloc(System.getenv());
    }

    static Optional<Path> tcmalloc(Map<String, String> env) {
        String given = env.get(ENV_TCMALLOC);
        if (given != null && !given.isBlank()) {
            Path p = Path.of(given);
            if (!Files.isRegularFile(p)) {
                throw new UserError(ENV_TCMALLOC + "=" + given + ": no such file");
            }
            return Optional.of(p);
        }
        return SEARCHED.stream().map(d -> Path.of(d, LIBRARY)).filter(Files::isRegularFile).findFirst();
    }

    /** Whether {@value #ENV_ALLOCATOR}=system asks for the C library's own allocator. */
    static boolean systemChosen(Map<String, String> env) {
        return "system".equalsIgnoreCase(env.getOrDefault(ENV_ALLOCATOR, ""));
    }

    /** Whether this process should restart itself with TCMalloc preloaded, and with which library. */
    static Optional<Path> relaunchWith(Map<String, String> env, String active) {
        if (systemChosen(env) || env.containsKey(ENV_RELAUNCHED)
                || !active.equals("glibc malloc")) {
            return Optional.empty();
        }
        return tcmalloc(env);
    }

    /**
     * Prepares the environment of a child JVM (a sweep worker) to start with TCMalloc, unless
     * {@value #ENV_ALLOCATOR}=system or the library is not installed; the child then needs no restart.
     */
    public static void configureChild(Map<String, String> env) {
        if (!systemChosen(env)) {
            tcmalloc(env).ifPresent(lib -> preload(env, lib));
        }
    }

    /**
     * Adds the library to {@code env}'s LD_PRELOAD (kept in front of what was there) and quiets
     * TCMalloc's report of single allocations over 1 GiB, which large evaluation batches reach.
     */
    public static void preload(Map<String, String> env, Path library) {
        String old = env.getOrDefault("LD_PRELOAD", "");
        if (!(" " + old.replace(':', ' ') + " ").contains(" " + library + " ")) {
            env.put("LD_PRELOAD", old.isBlank() ? library.toString() : library + ":" + old);
        }
        env.putIfAbsent("TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD", Long.toString(1L << 40));
    }

    /** Whether this JVM was started with {@code java -jar} (its command then begins with the jar, its class path). */
    static boolean startedWithJar(String javaCommand, String classPath) {
        return classPath != null && classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)
                && (javaCommand.equals(classPath) || javaCommand.startsWith(classPath + " "));
    }

    /**
     * Starts this JVM's command again with TCMalloc preloaded when it is installed and not active,
     * and returns the new process's exit status; empty when no restart is needed or possible (then
     * the caller goes on in this process). Standard streams are shared; a signal to this process
     * is passed on so the child can checkpoint.
     */
    public static Optional<Integer> relaunchIfUseful(String mainClass, String[] args) {
        Optional<Path> lib;
        try {
            lib = relaunchWith(System.getenv(), active());
        } catch (UserError e) {
            System.err.println("ganlab: " + e.getMessage() + " (going on with the system allocator)");
            return Optional.empty();
        }
        Optional<String> javaBin = ProcessHandle.current().info().command();
        if (lib.isEmpty() || javaBin.isEmpty()) {
            return Optional.empty();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin.get());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        String classPath = System.getProperty("java.class.path");
        if (startedWithJar(System.getProperty("sun.java.command", ""), classPath)) {
            // java -jar: start the same way, so the jar's manifest attributes (Add-Opens, which Spark needs
            // on Java 17 in ganlab-spark.jar) hold in the restarted JVM too.
            cmd.add("-jar");
            cmd.add(classPath);
        } else {
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add(mainClass);
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        preload(pb.environment(), lib.get());
        pb.environment().put(ENV_RELAUNCHED, "1");
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            return Optional.empty();
        }
        Thread forward = new Thread(() -> {
            // SIGTERM/SIGINT to this process: let the child end cleanly (it checkpoints) before we go.
            child.destroy();
            try {
                child.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ganlab-relaunch-forward");
        Runtime.getRuntime().addShutdownHook(forward);
        while (true) {
            try {
                int code = child.waitFor();
                try {
                    Runtime.getRuntime().removeShutdownHook(forward);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
                return Optional.of(code);
            } catch (InterruptedException e) {
                // keep waiting: the child decides when the command is over
            }
        }
    }

    /** The C allocator in use, and what the engine commands would use. */
    public static String summary() {
        String active = active();
        if (!active.equals("glibc malloc")) {
            return active;
        }
        if (systemChosen(System.getenv())) {
            return active + " (" + ENV_ALLOCATOR + "=system)";
        }
        try {
            return tcmalloc().map(p -> active + " here; train, bench, sweep, ... restart with " + p)
                    .orElse(active + " (TCMalloc not installed: apt-get install libtcmalloc-minimal4 for faster"
                            + " steps and flat memory)");
        } catch (UserError e) {
            return active + " (" + e.getMessage() + ")";
        }
    }
}
