package dev.ganlab.core;

import ai.djl.Device;
import dev.ganlab.data.DataPaths;
import dev.ganlab.data.Datasets;

import java.io.PrintStream;
import java.util.Properties;

/** The report of {@code ganlab info}: versions, engine, devices, threads and data set locations. */
public final class SystemInfo {

    private SystemInfo() {}

    /** The report as text. */
    public static String report() {
        var buf = new java.io.ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8)) {
            print(ps);
        }
        return buf.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The C allocator in use, and what the engine commands would use. */
    static String allocatorLine() {
        String active = NativeAllocator.active();
        if (!active.equals("glibc malloc")) {
            return active;
        }
        if (NativeAllocator.systemChosen(System.getenv())) {
            return active + " (" + NativeAllocator.ENV_ALLOCATOR + "=system)";
        }
        try {
            return NativeAllocator.tcmalloc().map(p -> active + " here; train, bench, sweep, ... restart with " + p)
                    .orElse(active + " (TCMalloc not installed: apt-get install libtcmalloc-minimal4 for faster"
                            + " steps and flat memory)");
        } catch (UserError e) {
            return active + " (" + e.getMessage() + ")";
        }
    }

    /** Writes the report. */
    public static void print(PrintStream out) {
        Properties v = GanLab.versions();
        Runtime rt = Runtime.getRuntime();
        out.println("GAN Lab " + v.getProperty("ganlab"));
        out.println("  java        " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        out.println("  djl         " + v.getProperty("djl") + "  (built with " + v.getProperty("pytorch.native")
                + " " + v.getProperty("pytorch") + ")");
        out.println("  engine      " + GanLab.engineDescription() + (GanLab.offline() ? "  (offline mode)" : "  (ONLINE: DJL_OFFLINE=false)"));
        out.println("  natives     " + NativeLibraries.describe());
        StringBuilder devs = new StringBuilder();
        for (Device d : GanLab.availableDevices()) {
            devs.append(devs.length() == 0 ? "" : ", ").append(d);
        }
        out.println("  devices     " + devs + "  (GPUs: " + GanLab.gpuCount() + ")");
        out.println("  selected    " + GanLab.device());
        out.println("  threads     " + GanLab.threads() + " intra-op, 1 inter-op (cores: " + rt.availableProcessors() + ")");
        out.println("  memory      max heap " + (rt.maxMemory() >> 20) + " MiB");
        out.println("  allocator   " + allocatorLine());
        out.println("  cpu kernels " + CpuKernels.describe());
        out.println("  home        " + DataPaths.home());
        out.println("data sets");
        for (Datasets.Status s : Datasets.catalog()) {
            out.printf("  %-13s %s  %s%n", s.name(), s.installed() ? "ok     " : "MISSING", s.location());
            out.println("                " + s.detail());
        }
        out.println("  user data:    mnist:DIR, cifar10:DIR, folder:DIR (see data/README.md)");
    }
}
