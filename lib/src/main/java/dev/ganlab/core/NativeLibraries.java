package dev.ganlab.core;

import ai.djl.util.Platform;
import ai.djl.util.cuda.CudaUtils;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

/**
 * Which libtorch builds the class path carries, which one the engine loaded, and why.
 *
 * <p>Each {@code pytorch-native-*} jar carries a {@code native/lib/pytorch.properties} (flavour,
 * classifier, version) and its libraries under {@code pytorch/<flavour>/<classifier>/}, so several
 * builds can sit side by side on one class path. At engine start DJL ({@code Platform.detectPlatform})
 * reads every such file, keeps those that match this machine (a CUDA flavour only where it finds a
 * CUDA runtime through {@code libcudart}, and the CPU flavour everywhere) and prefers CUDA among them.
 * The CUDA build ({@code mvn -Pcuda package}) therefore bundles the CPU natives too: the same jar
 * trains on a GPU node and on a CPU-only node or laptop. With the CUDA natives alone, a machine without
 * CUDA has no match and DJL falls back to downloading a CPU build, which offline mode forbids: the
 * failure this class turns into one readable line.
 */
public final class NativeLibraries {

    private static final String PROPERTIES = "native/lib/pytorch.properties";

    /** One bundled libtorch build: its flavour ({@code cpu}, {@code cu121}), classifier and version. */
    public record Bundle(String flavor, String classifier, String version, String source) {
        /** e.g. {@code cu121 (linux-x86_64, 2.3.1-20240621)}. */
        @Override
        public String toString() {
            return flavor + " (" + classifier + ", " + version + ")";
        }
    }

    private NativeLibraries() {}

    /** The libtorch builds on the class path, in class-path order. */
    public static List<Bundle> bundled() {
        List<Bundle> out = new ArrayList<>();
        try {
            for (URL url : Collections.list(NativeLibraries.class.getClassLoader().getResources(PROPERTIES))) {
                Properties p = new Properties();
                try (InputStream in = url.openStream()) {
                    p.load(in);
                }
                if (Boolean.parseBoolean(p.getProperty("placeholder", "false"))) {
                    out.add(new Bundle("placeholder", "-", p.getProperty("version", "?"), jarName(url)));
                    continue;
                }
                out.add(new Bundle(p.getProperty("flavor", "?"), p.getProperty("classifier", "?"),
                        p.getProperty("version", "?"), jarName(url)));
            }
        } catch (IOException e) {
            throw new UserError("cannot read the bundled " + PROPERTIES + " files: " + e.getMessage());
        }
        return out;
    }

    /** What DJL sees of CUDA: e.g. "CUDA 12.1, 2 GPU(s)" or "no CUDA runtime found (libcudart)". */
    public static String cudaSeen() {
        try {
            if (!CudaUtils.hasCuda()) {
                return "no CUDA runtime found (DJL looks for libcudart)";
            }
            return "CUDA " + CudaUtils.getCudaVersionString() + ", " + CudaUtils.getGpuCount() + " GPU(s)";
        } catch (RuntimeException | LinkageError e) {
            return "CUDA check failed: " + e.getMessage();
        }
    }

    /** The flavour DJL wants for this machine ({@code cpu}, or {@code cuNNN} where it finds CUDA). */
    public static String systemFlavor() {
        return Platform.fromSystem("pytorch").getFlavor();
    }

    /**
     * The folder of the libtorch the engine loaded (call after the engine started), e.g.
     * {@code ~/.djl.ai/pytorch/2.3.1-20240621-cpu-linux-x86_64}.
     */
    public static Path loadedFrom() {
        return Path.of(ai.djl.pytorch.jni.LibUtils.getLibtorchPath());
    }

    /** The flavour of the loaded libtorch, read from its cache folder's name (version-flavour-classifier). */
    public static String loadedFlavor() {
        return flavorOfCacheFolder(loadedFrom().getFileName().toString());
    }

    static String flavorOfCacheFolder(String name) {
        // e.g. 2.3.1-20240621-cpu-linux-x86_64 or 2.3.1-20240621-cu121-precxx11-linux-x86_64
        for (String part : name.split("-")) {
            if (part.equals("cpu") || part.matches("cu\\d+")) {
                return part;
            }
        }
        return name;
    }

    /**
     * One line for {@code info} and run logs: the loaded build, the ones bundled, and why this one,
     * e.g. {@code cpu libtorch (bundled: cu121, cpu; no CUDA runtime found (...) -> CPU natives)}.
     */
    public static String describe() {
        String loaded = loadedFlavor();
        List<Bundle> bundles = bundled();
        StringBuilder names = new StringBuilder();
        for (Bundle x : bundles) {
            names.append(names.length() == 0 ? "" : ", ").append(x.flavor());
        }
        String cuda = cudaSeen();
        boolean cudaFound = cuda.startsWith("CUDA ");
        boolean cudaBundled = bundles.stream().anyMatch(x -> x.flavor().startsWith("cu"));
        String why;
        if (loaded.startsWith("cu")) {
            why = "CUDA found -> CUDA natives";
        } else if (!cudaFound) {
            why = "no CUDA -> CPU natives";
        } else if (cudaBundled) {
            why = "the bundled CUDA build does not match this CUDA -> CPU natives";
        } else {
            why = "CPU-only build (mvn -Pcuda package bundles the CUDA natives)";
        }
        return loaded + " libtorch (bundled: " + names + "; " + cuda + "; " + why + ")";
    }

    /**
     * The one-line message for an engine that failed to load, naming what is bundled and what this
     * machine wants.
     */
    static String loadFailure(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        List<Bundle> bundles = bundled();
        String have = bundles.isEmpty() ? "none (no pytorch-native-* jar on the class path)" : bundles.toString();
        String want;
        try {
            want = systemFlavor();
        } catch (RuntimeException | LinkageError x) {
            want = "unknown";
        }
        String hint = bundles.stream().noneMatch(b -> b.flavor().equals("cpu")) && !want.startsWith("cu")
                ? " This machine needs the CPU natives: build with 'mvn package' (the cuda profile carries them too)."
                : "";
        String detail = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (root != e && e.getMessage() != null && !e.getMessage().equals(detail)) {
            detail = e.getMessage() + ": " + detail;
        }
        return "cannot start the PyTorch engine: " + detail.replace('\n', ' ') + ". Bundled libtorch: " + have
                + "; this machine wants: " + want + " (" + cudaSeen() + ")." + hint;
    }

    private static String jarName(URL url) {
        String s = url.toString();
        int bang = s.indexOf("!/");
        String jar = bang > 0 ? s.substring(0, bang) : s;
        return jar.substring(jar.lastIndexOf('/') + 1);
    }
}
