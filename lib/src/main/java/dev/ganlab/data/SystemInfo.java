package dev.ganlab.data;

import ai.djl.Device;
import dev.ganlab.core.CpuKernels;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.NativeAllocator;
import dev.ganlab.core.NativeLibraries;

import java.io.PrintStream;
import java.util.Properties;

/**
 * The report of {@code ganlab info}: versions, engine, devices, threads and data set locations. It lives in
 * {@code data} because it lists the data sets, which {@code core} may not know about.
 */
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
        out.println("  threads     " + GanLab.threads() + " intra-op (" + GanLab.threadsSource() + "), 1 inter-op (cores: "
                + rt.availableProcessors() + ")");
        out.println("  memory      max heap " + (rt.maxMemory() >> 20) + " MiB");
        out.println("  allocator   " + NativeAllocator.summary());
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
