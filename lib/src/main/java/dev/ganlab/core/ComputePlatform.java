package dev.ganlab.core;

import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What computed a run's steps: the engine build, the device, the engine's thread count and, on a CPU, the
 * widest vector instructions its kernels may use. Checkpoints record it so that a resume can say when it
 * continues a run on another platform.
 *
 * <p>Why it matters: GAN Lab's resume restores every state and random stream, so on the same platform a
 * resumed run repeats the uninterrupted one bit for bit. On another platform it cannot: oneDNN and MKL pick
 * their kernels by instruction set (AVX-512 sums 16 floats per instruction, AVX2 eight), and parallel
 * reductions split their work by thread count, so the same sums round differently. Measured: the reference
 * recipe {@code progan-emoji32-long}, resumed from its carried step-45,000 checkpoint, logged d_loss -4.455397
 * at step 45,050 on an AVX-512 EPYC and -4.479083 on an AVX2 one (Zen 1); two resumes on AVX-512 machines
 * gave the same 47,500 evaluation to the last digit. Such a continuation is still a correct run of the recipe,
 * only not the same sequence of numbers.
 *
 * <p>{@link #differences} compares what selects the kernels (engine, device, threads, vector instructions,
 * CPU vendor); the CPU model is recorded for the reader but not compared.
 */
public record ComputePlatform(String engine, String device, int threads, String vectorIsa, String cpuVendor,
                              String cpuModel) {

    /** Vector instruction levels of x86 from narrowest to widest, the names this class records. */
    static final List<String> X86_LEVELS = List.of("sse2", "sse4.1", "avx", "avx2", "avx512");

    private static volatile ComputePlatform current;

    /** The platform of this process (the engine loaded, the selected device, its threads). */
    public static ComputePlatform current() {
        ComputePlatform c = current;
        if (c == null) {
            Map<String, String> cpu = cpuInfo(Path.of("/proc/cpuinfo"));
            String arch = System.getProperty("os.arch", "unknown");
            String isa = vectorIsa(cpu.get("flags"), arch, oneDnnCap(System.getenv()));
            c = new ComputePlatform(GanLab.engineDescription() + " " + NativeLibraries.loadedFlavor(),
                    GanLab.device().toString(), GanLab.threads(), isa,
                    cpu.getOrDefault("vendor_id", "unknown"), cpu.getOrDefault("model name", "unknown"));
            current = c;
        }
        return c;
    }

    /**
     * The widest vector instructions of a CPU with these {@code /proc/cpuinfo} flags, no wider than oneDNN's
     * cap ({@code null}: none); on a CPU that is not x86, or when the flags are unknown, the architecture.
     */
    static String vectorIsa(String flags, String arch, String cap) {
        if (flags == null || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return arch;
        }
        List<String> f = List.of(flags.trim().split("\\s+"));
        String widest = f.contains("avx512f") ? "avx512" : f.contains("avx2") ? "avx2" : f.contains("avx") ? "avx"
                : f.contains("sse4_1") ? "sse4.1" : "sse2";
        String capped = capLevel(cap);
        if (capped != null && X86_LEVELS.indexOf(capped) < X86_LEVELS.indexOf(widest)) {
            return capped;
        }
        return widest;
    }

    /** oneDNN's cap in force: GAN Lab's own setting ({@link CpuKernels#ENV_ISA}) or oneDNN's variable. */
    static String oneDnnCap(Map<String, String> env) {
        String ours = CpuKernels.capFor(env);
        return ours != null ? ours : env.get(CpuKernels.ONEDNN_VAR);
    }

    /** A oneDNN ISA name (SSE41, AVX, AVX2, AVX2_VNNI, AVX512_CORE, ...) as a level of {@link #X86_LEVELS}. */
    static String capLevel(String cap) {
        if (cap == null || cap.isBlank()) {
            return null;
        }
        String c = cap.trim().toUpperCase(Locale.ROOT);
        if (c.startsWith("AVX512") || c.startsWith("AVX10")) {
            return "avx512";
        }
        if (c.startsWith("AVX2")) {
            return "avx2";
        }
        if (c.startsWith("AVX")) {
            return "avx";
        }
        if (c.startsWith("SSE4")) {
            return "sse4.1";
        }
        return null; // DEFAULT, ALL: no cap
    }

    /** The first processor's fields of a cpuinfo file (empty when there is none, as on macOS). */
    static Map<String, String> cpuInfo(Path file) {
        Map<String, String> out = new java.util.HashMap<>();
        try {
            if (!Files.isReadable(file)) {
                return out;
            }
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank() && !out.isEmpty()) {
                    break; // the first processor is enough: all cores of a machine are alike here
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    out.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
        } catch (IOException e) {
            out.clear();
        }
        return out;
    }

    /**
     * What differs between {@code earlier} (e.g. the platform that wrote a checkpoint) and this one among the
     * settings that select kernels, one phrase each, e.g. {@code "vector instructions avx512 -> avx2"}; empty
     * when none does.
     */
    public List<String> differences(ComputePlatform earlier) {
        List<String> out = new ArrayList<>();
        differ(out, "engine", earlier.engine, engine);
        differ(out, "device", earlier.device, device);
        differ(out, "engine threads", String.valueOf(earlier.threads), String.valueOf(threads));
        differ(out, "vector instructions", earlier.vectorIsa, vectorIsa);
        differ(out, "CPU vendor", earlier.cpuVendor, cpuVendor);
        return out;
    }

    private static void differ(List<String> out, String what, String before, String now) {
        if (!Objects.equals(before, now)) {
            out.add(what + " " + before + " -> " + now);
        }
    }

    /** One line for logs, e.g. {@code PyTorch 2.3.1 cpu on cpu(), 2 threads, avx2 (AuthenticAMD AMD EPYC)}. */
    public String describe() {
        return engine + " on " + device + ", " + threads + " thread(s), " + vectorIsa + " (" + cpuVendor + " "
                + cpuModel + ")";
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("engine", engine);
        o.addProperty("device", device);
        o.addProperty("threads", threads);
        o.addProperty("vectorIsa", vectorIsa);
        o.addProperty("cpuVendor", cpuVendor);
        o.addProperty("cpuModel", cpuModel);
        return o;
    }

    /** The platform a {@link #toJson} object names; a field it lacks reads as "unknown" (0 threads). */
    public static ComputePlatform fromJson(JsonObject o) {
        return new ComputePlatform(text(o, "engine"), text(o, "device"),
                o.has("threads") ? o.get("threads").getAsInt() : 0, text(o, "vectorIsa"), text(o, "cpuVendor"),
                text(o, "cpuModel"));
    }

    private static String text(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : "unknown";
    }
}
