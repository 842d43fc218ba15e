package dev.ganlab.cli;

import dev.ganlab.core.GanLab;
import picocli.CommandLine.Option;

/** Options every command takes: the device and the engine's thread count. */
public final class CommonOptions {

    @Option(names = "--device", paramLabel = "DEVICE",
            description = "auto (default: GPU if the engine sees one), cpu, gpu or gpu:N; also GANLAB_DEVICE.")
    String device;

    @Option(names = "--threads", paramLabel = "N",
            description = "Engine intra-op threads (default: all cores); also GANLAB_THREADS.")
    Integer threads;

    /** Applies the options, then initialises the engine. */
    public void apply() {
        if (threads != null) {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads " + threads + ": must be at least 1");
            }
            System.setProperty("ganlab.threads", Integer.toString(threads));
        }
        GanLab.init();
        if (device != null) {
            GanLab.setDevice(device);
        }
    }
}
