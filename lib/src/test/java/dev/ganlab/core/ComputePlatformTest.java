package dev.ganlab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The platform record: instruction sets from real cpuinfo flag lines, oneDNN caps, differences, JSON. */
class ComputePlatformTest {

    @TempDir Path tmp;

    // Flag lines (abridged to what decides) of the two EPYCs this project trained on, and of older CPUs.
    static final String AVX512_EPYC = "fpu sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 avx512f avx512dq avx512bw";
    static final String AVX2_EPYC = "fpu sse2 ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt avx f16c bmi1 avx2 smep bmi2";

    @Test
    void theWidestInstructionSetOfTheFlagsIsRecorded() {
        assertEquals("avx512", ComputePlatform.vectorIsa(AVX512_EPYC, "amd64", null));
        assertEquals("avx2", ComputePlatform.vectorIsa(AVX2_EPYC, "amd64", null));
        assertEquals("avx", ComputePlatform.vectorIsa("fpu sse2 sse4_1 avx", "x86_64", null));
        assertEquals("sse4.1", ComputePlatform.vectorIsa("fpu sse2 sse4_1", "amd64", null));
        assertEquals("sse2", ComputePlatform.vectorIsa("fpu sse2", "amd64", null));
        // avx512 flags other than the foundation do not count alone
        assertEquals("avx2", ComputePlatform.vectorIsa("avx avx2 avx512_vnni_x", "amd64", null));
        // not x86, or no cpuinfo: the architecture stands for it
        assertEquals("aarch64", ComputePlatform.vectorIsa("fp asimd evtstrm", "aarch64", null));
        assertEquals("amd64", ComputePlatform.vectorIsa(null, "amd64", null));
    }

    @Test
    void oneDnnsCapNarrowsTheRecordedSetButNeverWidensIt() {
        assertEquals("avx2", ComputePlatform.vectorIsa(AVX512_EPYC, "amd64", "AVX2"));
        assertEquals("avx2", ComputePlatform.vectorIsa(AVX512_EPYC, "amd64", "avx2_vnni"));
        assertEquals("avx", ComputePlatform.vectorIsa(AVX512_EPYC, "amd64", "AVX"));
        assertEquals("avx2", ComputePlatform.vectorIsa(AVX2_EPYC, "amd64", "AVX512_CORE"));
        assertEquals("avx512", ComputePlatform.vectorIsa(AVX512_EPYC, "amd64", "ALL"));
        // GAN Lab's setting is the cap unless the user set oneDNN's own variable, which then wins
        assertEquals("AVX2", ComputePlatform.oneDnnCap(Map.of(CpuKernels.ENV_ISA, "avx2")));
        assertEquals("AVX", ComputePlatform.oneDnnCap(Map.of(CpuKernels.ENV_ISA, "avx2", CpuKernels.ONEDNN_VAR, "AVX")));
        assertEquals(null, ComputePlatform.oneDnnCap(Map.of(CpuKernels.ENV_ISA, "native")));
    }

    @Test
    void theFirstProcessorOfACpuinfoFileIsRead() throws IOException {
        Path f = tmp.resolve("cpuinfo");
        Files.writeString(f, "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t\t: "
                + AVX2_EPYC + "\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\nmodel name\t: other\n");
        Map<String, String> info = ComputePlatform.cpuInfo(f);
        assertEquals("AuthenticAMD", info.get("vendor_id"));
        assertEquals("AMD EPYC", info.get("model name"));
        assertEquals(AVX2_EPYC, info.get("flags"));
        assertEquals(Map.of(), ComputePlatform.cpuInfo(tmp.resolve("absent")), "no cpuinfo (macOS): nothing known");
    }

    @Test
    void differencesNameWhatSelectsKernelsAndNotTheModelName() {
        ComputePlatform a = new ComputePlatform("PyTorch 2.3.1 cpu", "cpu()", 2, "avx512", "AuthenticAMD", "EPYC 9654");
        ComputePlatform b = new ComputePlatform("PyTorch 2.3.1 cpu", "cpu()", 2, "avx2", "AuthenticAMD", "EPYC 7551");
        assertEquals(List.of("vector instructions avx512 -> avx2"), b.differences(a));
        assertEquals(List.of(), new ComputePlatform("PyTorch 2.3.1 cpu", "cpu()", 2, "avx512", "AuthenticAMD",
                "another EPYC").differences(a), "the model name alone selects no kernel");
        ComputePlatform gpu = new ComputePlatform("PyTorch 2.3.1 cu121", "gpu(0)", 1, "avx2", "GenuineIntel", "Xeon");
        assertEquals(List.of("engine PyTorch 2.3.1 cpu -> PyTorch 2.3.1 cu121", "device cpu() -> gpu(0)",
                "engine threads 2 -> 1", "vector instructions avx512 -> avx2", "CPU vendor AuthenticAMD -> GenuineIntel"),
                gpu.differences(a));
    }

    @Test
    void jsonKeepsEveryFieldAndReadsMissingOnesAsUnknown() {
        ComputePlatform a = new ComputePlatform("PyTorch 2.3.1 cpu", "cpu()", 2, "avx2", "AuthenticAMD", "AMD EPYC");
        assertEquals(a, ComputePlatform.fromJson(a.toJson()));
        JsonObject partial = new JsonObject();
        partial.addProperty("vectorIsa", "avx2");
        assertEquals(new ComputePlatform("unknown", "unknown", 0, "avx2", "unknown", "unknown"),
                ComputePlatform.fromJson(partial));
    }
}
