package dev.ganlab.core;

import dev.ganlab.Slow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA build's class path on a machine without CUDA, in child JVMs: the CUDA natives' descriptor
 * (the real {@code pytorch-native-cu121} jar's {@code native/lib/pytorch.properties}, without its 2.5 GB
 * of libraries, which a CPU machine never extracts) before or after the CPU jar. With the CPU natives
 * beside it the engine starts on them and {@code info} says why; without them the failure is one line.
 */
class NativeLibrariesTest {

    /** The descriptor of pytorch-native-cu121 2.3.1 (linux-x86_64) as published. */
    private static final String CU121_PROPERTIES = String.join("\n",
            "version=2.3.1-20240621",
            "flavor=cu121",
            "classifier=linux-x86_64",
            "libraries=libc10.so,libc10_cuda.so,libcaffe2_nvrtc.so,libcublas-37d11411.so.12,"
                    + "libcublasLt-f97bfc2c.so.12,libcudart-9335f6a2.so.12,libcudnn.so.8,libgomp-98b21ff3.so.1,"
                    + "libtorch.so,libtorch_cpu.so,libtorch_cuda.so,libtorch_cuda_linalg.so",
            "");

    @TempDir Path tmp;

    @Slow
    @Test
    void cudaBuildWithCpuNativesStartsOnTheCpuAndSaysWhy() throws Exception {
        Path cu121 = descriptorJar();
        for (boolean cudaFirst : new boolean[] {true, false}) {
            List<String> cp = classPathWithoutNatives();
            String cpu = cpuNativeJar();
            if (cudaFirst) {
                cp.add(cu121.toString());
                cp.add(cpu);
            } else {
                cp.add(cpu);
                cp.add(cu121.toString());
            }
            Result r = run(cp, null, "info");
            assertEquals(0, r.exit, r.output);
            String natives = r.output.lines().filter(l -> l.trim().startsWith("natives")).findFirst().orElse("");
            assertTrue(natives.contains("cpu libtorch"), r.output);
            assertTrue(natives.contains(cudaFirst ? "bundled: cu121, cpu" : "bundled: cpu, cu121"), r.output);
            assertTrue(natives.contains("no CUDA"), r.output);
            assertTrue(r.output.contains("selected    cpu()"), r.output);
            assertFalse(r.output.contains("doesn't match system"), "DJL's mismatch warning is replaced by the line:\n"
                    + r.output);
        }
    }

    @Test
    void cudaNativesAloneFailInOneLineNamingWhatIsMissing() throws Exception {
        List<String> cp = classPathWithoutNatives();
        cp.add(descriptorJar().toString());
        Result r = run(cp, tmp.resolve("empty-cache"), "info");
        assertEquals(2, r.exit, r.output);
        List<String> lines = r.output.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
        assertEquals(1, lines.size(), "one line, no stack trace:\n" + r.output);
        String line = lines.get(0);
        assertTrue(line.startsWith("ganlab info: cannot start the PyTorch engine"), line);
        assertTrue(line.contains("Bundled libtorch: [cu121 (linux-x86_64, 2.3.1-20240621)]"), line);
        assertTrue(line.contains("this machine wants: cpu"), line);
        assertTrue(line.contains("needs the CPU natives"), line);
    }

    @Test
    void flavourOfTheCacheFolderName() {
        assertEquals("cpu", NativeLibraries.flavorOfCacheFolder("2.3.1-20240621-cpu-linux-x86_64"));
        assertEquals("cu121", NativeLibraries.flavorOfCacheFolder("2.3.1-20240621-cu121-linux-x86_64"));
        assertEquals("cu118", NativeLibraries.flavorOfCacheFolder("2.1.0-cu118-precxx11-linux-x86_64"));
    }

    private Path descriptorJar() throws Exception {
        Path jar = tmp.resolve("pytorch-native-cu121-2.3.1-linux-x86_64.jar");
        if (!Files.exists(jar)) {
            try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os)) {
                j.putNextEntry(new JarEntry("native/lib/pytorch.properties"));
                j.write(CU121_PROPERTIES.getBytes(StandardCharsets.UTF_8));
                j.closeEntry();
            }
        }
        return jar;
    }

    private static List<String> classPathWithoutNatives() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("pytorch-native-"))
                .collect(Collectors.toCollection(ArrayList::new));
    }

    private static String cpuNativeJar() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.contains("pytorch-native-cpu"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no pytorch-native-cpu jar on the test class path"));
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> cp, Path cache, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, cp));
        cmd.add("dev.ganlab.cli.Main");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (cache != null) {
            pb.environment().put("DJL_CACHE_DIR", cache.toString());
            pb.environment().put("ENGINE_CACHE_DIR", cache.toString());
        }
        pb.environment().remove("PYTORCH_FLAVOR");
        pb.environment().put("GANLAB_ALLOCATOR", "system");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
