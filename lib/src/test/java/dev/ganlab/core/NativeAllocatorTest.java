package dev.ganlab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

class NativeAllocatorTest {

    @TempDir Path tmp;

    private Path maps(String... libs) throws Exception {
        StringBuilder b = new StringBuilder("55d0c0000000-55d0c0001000 r--p 00000000 08:01 1 /usr/bin/java\n");
        for (String l : libs) {
            b.append("7f00000000-7f00001000 r-xp 00000000 08:01 2 ").append(l).append('\n');
        }
        Path p = tmp.resolve("maps" + libs.length + b.hashCode());
        Files.writeString(p, b.toString());
        return p;
    }

    @Test
    void activeAllocatorIsReadFromTheMappedLibraries() throws Exception {
        assertEquals("glibc malloc", NativeAllocator.activeIn(maps("/usr/lib/x86_64-linux-gnu/libc.so.6")));
        assertEquals("tcmalloc", NativeAllocator.activeIn(maps("/usr/lib/x86_64-linux-gnu/libc.so.6",
                "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4.5.10")));
        assertEquals("jemalloc", NativeAllocator.activeIn(maps("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2")));
        assertTrue(NativeAllocator.activeIn(tmp.resolve("absent")).startsWith("unknown"));
    }

    @Test
    void relaunchOnlyFromGlibcWithALibraryAndNotTwice() throws Exception {
        Path lib = Files.writeString(tmp.resolve("libtcmalloc_minimal.so.4"), "");
        Map<String, String> env = new HashMap<>(Map.of(NativeAllocator.ENV_TCMALLOC, lib.toString()));
        assertEquals(Optional.of(lib), NativeAllocator.relaunchWith(env, "glibc malloc"));
        assertEquals(Optional.empty(), NativeAllocator.relaunchWith(env, "tcmalloc"));
        assertEquals(Optional.empty(), NativeAllocator.relaunchWith(env, "jemalloc"));

        Map<String, String> again = new HashMap<>(env);
        again.put(NativeAllocator.ENV_RELAUNCHED, "1");
        assertEquals(Optional.empty(), NativeAllocator.relaunchWith(again, "glibc malloc"));

        Map<String, String> off = new HashMap<>(env);
        off.put(NativeAllocator.ENV_ALLOCATOR, "system");
        assertEquals(Optional.empty(), NativeAllocator.relaunchWith(off, "glibc malloc"));
        NativeAllocator.configureChild(off);
        assertTrue(!off.containsKey("LD_PRELOAD"), "system allocator asked for, yet preloaded: " + off);
    }

    @Test
    void aMissingLibraryNamedByTheUserIsAnError() {
        Map<String, String> env = Map.of(NativeAllocator.ENV_TCMALLOC, tmp.resolve("nope.so").toString());
        UserError e = assertThrows(UserError.class, () -> NativeAllocator.relaunchWith(env, "glibc malloc"));
        assertTrue(e.getMessage().contains(NativeAllocator.ENV_TCMALLOC) && e.getMessage().contains("nope.so"),
                e.getMessage());
    }

    @Test
    void preloadGoesFirstOnceAndKeepsWhatWasThere() {
        Path lib = Path.of("/x/libtcmalloc_minimal.so.4");
        Map<String, String> env = new HashMap<>(Map.of("LD_PRELOAD", "/y/libother.so"));
        NativeAllocator.preload(env, lib);
        NativeAllocator.preload(env, lib);
        assertEquals("/x/libtcmalloc_minimal.so.4:/y/libother.so", env.get("LD_PRELOAD"));
        assertEquals(Long.toString(1L << 40), env.get("TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD"));
    }

    /** The environment made for a child really loads TCMalloc into it (where the library is installed). */
    @Test
    void aChildStartedWithThePreparedEnvironmentRunsOnTcmalloc() throws Exception {
        Map<String, String> base = new HashMap<>(System.getenv());
        base.remove(NativeAllocator.ENV_ALLOCATOR);
        assumeTrue(NativeAllocator.tcmalloc(base).isPresent(), "libtcmalloc-minimal4 not installed");
        ProcessBuilder pb = new ProcessBuilder("cat", "/proc/self/maps").redirectErrorStream(true);
        pb.environment().remove("LD_PRELOAD");
        pb.environment().remove(NativeAllocator.ENV_ALLOCATOR);
        NativeAllocator.configureChild(pb.environment());
        Process p = pb.start();
        String maps = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertTrue(maps.contains("libtcmalloc"), "child maps lack TCMalloc:\n" + maps);
    }

    /** A JVM started with java -jar restarts with -jar (its manifest's Add-Opens must hold again); -cp stays -cp. */
    @Test
    void aJarLaunchIsRecognisedFromTheJavaCommand() {
        assertTrue(NativeAllocator.startedWithJar("spark/target/ganlab-spark.jar sweep --spec s.json",
                "spark/target/ganlab-spark.jar"));
        assertTrue(NativeAllocator.startedWithJar("/a/ganlab.jar", "/a/ganlab.jar"));
        assertEquals(false, NativeAllocator.startedWithJar("dev.ganlab.cli.Main sweep", "/a/ganlab.jar"));
        assertEquals(false, NativeAllocator.startedWithJar("dev.ganlab.cli.Main", "/a/classes:/a/x.jar"));
        assertEquals(false, NativeAllocator.startedWithJar("/a/ganlab.jarx y", "/a/ganlab.jar"));
    }
}
