package dev.ganlab.train;

import ai.djl.Device;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code devices} setting ({@code --devices}): where the replicas of data-parallel training run
 * ({@link DataParallel}).
 *
 * <ul>
 *   <li>empty (the default): no replicas; the run trains on the process's device ({@code --device},
 *       {@code GANLAB_DEVICE}) as it always did;
 *   <li>{@code all}: one replica per GPU the engine sees; the CPU alone when it sees none, so one
 *       config runs on GPU and CPU machines alike;
 *   <li>a comma-separated list of {@code gpu:N} (or {@code cuda:N}, {@code gpu} = {@code gpu:0}) and
 *       {@code cpu} (or {@code cpu:0}): one replica per entry, the first holding the parameters when it
 *       is the process's device. A device may be listed more than once ({@code cpu,cpu}): its
 *       replicas then run one after the other, which gains nothing in speed and exists to test the
 *       split and reduce on a machine without GPUs.
 * </ul>
 */
public final class ReplicaDevices {

    private ReplicaDevices() {}

    /** The replicas' devices for {@code spec}; empty for an empty spec. A GPU the engine lacks is an error. */
    public static List<Device> parse(String spec) {
        return parse(spec, GanLab.gpuCount());
    }

    /** Checks the form of {@code spec} only (no GPU count): for configs planned on another machine. */
    public static void checkSyntax(String spec) {
        parse(spec, Integer.MAX_VALUE);
    }

    static List<Device> parse(String spec, int gpus) {
        List<Device> out = new ArrayList<>();
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty()) {
            return out;
        }
        if (s.equals("all")) {
            for (int i = 0; i < gpus; i++) {
                out.add(Device.gpu(i));
            }
            if (out.isEmpty()) {
                out.add(Device.cpu());
            }
            return out;
        }
        for (String raw : s.split(",", -1)) {
            String d = raw.trim();
            if (d.equals("cpu") || d.equals("cpu:0")) {
                out.add(Device.cpu());
            } else if (d.equals("gpu") || d.equals("cuda") || d.startsWith("gpu:") || d.startsWith("cuda:")) {
                int id = gpuIndex(spec, d);
                if (id >= gpus) {
                    throw new UserError("devices '" + spec + "': no GPU " + id + ": this machine has "
                            + (gpus == 0 ? "no GPU (the engine sees none: CPU natives or no CUDA driver)"
                                    : gpus + " GPU" + (gpus == 1 ? "" : "s") + " (gpu:0.." + "gpu:" + (gpus - 1) + ")"));
                }
                out.add(Device.gpu(id));
            } else if (d.startsWith("cpu:")) {
                throw new UserError("devices '" + spec + "': '" + d + "': the CPU is one device, cpu (or cpu:0);"
                        + " list it several times for several replicas on it");
            } else {
                throw new UserError("devices '" + spec + "': unknown device '" + raw.trim() + "': use all, or a"
                        + " comma-separated list of gpu:N and cpu, e.g. gpu:0,gpu:1");
            }
        }
        return out;
    }

    private static int gpuIndex(String spec, String d) {
        int colon = d.indexOf(':');
        if (colon < 0) {
            return 0;
        }
        try {
            int id = Integer.parseInt(d.substring(colon + 1));
            if (id < 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw new UserError("devices '" + spec + "': '" + d + "': the GPU index must be a number >= 0, e.g. gpu:1");
        }
    }

    /** The name {@code GanLab.setDevice} takes for {@code d}: cpu or gpu:N. */
    public static String name(Device d) {
        return d.isGpu() ? "gpu:" + d.getDeviceId() : "cpu";
    }

    /** {@code devices} as a short text: "gpu(0), gpu(1)". */
    public static String describe(List<Device> devices) {
        List<String> names = new ArrayList<>();
        for (Device d : devices) {
            names.add(d.toString());
        }
        return String.join(", ", names);
    }
}
