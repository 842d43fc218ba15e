package dev.ganlab.core;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Process-wide set-up of the deep learning engine: offline mode, thread counts and the device.
 *
 * <p>Every entry point of GAN Lab (command line, notebooks, tests) calls {@link #init()} before it
 * touches an NDArray. It is idempotent and cheap after the first call.
 *
 * <ul>
 *   <li>Offline: DJL's switch {@code ai.djl.offline} is forced on, so a missing native library is an
 *       error instead of a download, and telemetry is off. The bundled PyTorch jars carry the
 *       natives.
 *   <li>Threads: intra-op threads default to the number of cores; override with {@code
 *       GANLAB_THREADS} or the system property {@code ganlab.threads}.
 *   <li>Device: a GPU when the engine sees one, else the CPU; override with {@code GANLAB_DEVICE}
 *       ({@code cpu}, {@code gpu}, {@code gpu:N}, {@code auto}), the system property {@code
 *       ganlab.device}, or {@link #setDevice(String)} (the CLI's {@code --device}).
 *   <li>Natives: the libtorch build is chosen by DJL among those on the class path ({@link
 *       NativeLibraries}: CUDA where CUDA is found, else CPU); a build that cannot load is reported in
 *       one line ({@link UserError}), not a stack trace.
 *   <li>CPU kernels: an optional oneDNN ISA cap ({@link CpuKernels}).
 * </ul>
 */
public final class GanLab {

    /** Environment variable that selects the device. */
    public static final String ENV_DEVICE = "GANLAB_DEVICE";
    /** Environment variable that sets the engine's intra-op thread count. */
    public static final String ENV_THREADS = "GANLAB_THREADS";
    private static final Setting DEVICE = new Setting("ganlab.device", ENV_DEVICE);
    private static final Setting THREADS = new Setting("ganlab.threads", ENV_THREADS);

    private static final String ENGINE_NAME = "PyTorch";

    private static volatile boolean initialised;
    private static Device device;
    private static int threads;
    private static String threadsSource;
    private static Properties versions;

    private GanLab() {}

    /** Configures and loads the engine once; later calls return at once. */
    public static void init() {
        if (initialised) {
            return;
        }
        synchronized (GanLab.class) {
            if (initialised) {
                return;
            }
            System.setProperty("ai.djl.offline", "true");
            System.setProperty("OPT_OUT_TRACKING", "true");
            threads = resolveThreads();
            String threadsOrigin = THREADS.origin();
            threadsSource = threadsOrigin == null ? "one per core"
                    : threadsOrigin.equals(ENV_THREADS) ? "set by " + ENV_THREADS : "set by --threads or -Dganlab.threads";
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            // One inter-op thread: GAN steps are chains of dependent ops, and a second pool only
            // competes with the intra-op threads for the same cores.
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            System.setProperty("ai.djl.pytorch.cudnn_benchmark", "true");
            // Before the first engine op: oneDNN reads its ISA cap when it makes its first primitive.
            CpuKernels.apply();
            Engine engine;
            try {
                engine = Engine.getEngine(ENGINE_NAME);
            } catch (RuntimeException | LinkageError | AssertionError e) {
                // DJL reports a missing or mismatched libtorch as an EngineException chain (or an
                // UnsatisfiedLinkError); say in one line what is bundled and what this machine needs.
                throw new UserError(NativeLibraries.loadFailure(e));
            }
            JniUtils.setNumThreads(threads);
            JniUtils.setGradMode(false);
            device = resolveDevice(DEVICE.valueOr("auto"), engine);
            initialised = true;
        }
    }

    /** The device new models and batches are placed on. */
    public static Device device() {
        init();
        return device;
    }

    /**
     * Selects the device by name: {@code auto}, {@code cpu}, {@code gpu}, {@code gpu:N} or {@code
     * cuda:N}.
     *
     * @throws IllegalArgumentException for an unknown name or a GPU the engine cannot see
     */
    public static synchronized void setDevice(String spec) {
        init();
        device = resolveDevice(spec, Engine.getEngine(ENGINE_NAME));
    }

    /** The engine's intra-op thread count. */
    public static int threads() {
        init();
        return threads;
    }

    /**
     * The engine thread count this process uses, or will use once the engine loads ({@link #threads()}), without
     * loading it: for a Spark driver that only plans how many threads each run gets.
     */
    public static int plannedThreads() {
        return initialised ? threads : resolveThreads();
    }

    /** A new root manager on the selected device. Close it when done. */
    public static NDManager newManager() {
        init();
        return NDManager.newBaseManager(device, ENGINE_NAME);
    }

    /**
     * Turns autograd recording off on the calling thread. Grad mode is per thread in PyTorch, and the
     * engine only turns it off on the thread that loaded it; notebook cells and worker threads call
     * this so that plain forward passes build no graph.
     */
    public static void noGradOnThisThread() {
        init();
        JniUtils.setGradMode(false);
    }

    /** Seeds the engine's random generator (CPU and CUDA). */
    public static void seedEngine(long seed) {
        init();
        Engine.getEngine(ENGINE_NAME).setRandomSeed((int) (seed ^ (seed >>> 32)));
    }

    /** Number of GPUs the engine can use. */
    public static int gpuCount() {
        init();
        return Engine.getEngine(ENGINE_NAME).getGpuCount();
    }

    /** The engine's name and version, e.g. "PyTorch 2.3.1". */
    public static String engineDescription() {
        init();
        Engine engine = Engine.getEngine(ENGINE_NAME);
        return engine.getEngineName() + " " + engine.getVersion();
    }

    /** Versions pinned by the build: ganlab, djl, pytorch, pytorch.native, tablesaw, rapaio.kernel. */
    public static synchronized Properties versions() {
        if (versions == null) {
            Properties p = new Properties();
            try (InputStream in = GanLab.class.getResourceAsStream("/dev/ganlab/versions.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read dev/ganlab/versions.properties", e);
            }
            versions = p;
        }
        return versions;
    }

    /** Whether DJL is in offline mode (it always is after {@link #init()}, unless DJL_OFFLINE=false). */
    public static boolean offline() {
        return ai.djl.util.Utils.isOfflineMode();
    }

    /** All devices the engine can use, CPU first. */
    public static List<Device> availableDevices() {
        init();
        List<Device> list = new ArrayList<>();
        list.add(Device.cpu());
        for (int i = 0; i < gpuCount(); i++) {
            list.add(Device.gpu(i));
        }
        return list;
    }

    static Device resolveDevice(String spec, Engine engine) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int gpus = engine.getGpuCount();
        if (s.equals("auto")) {
            return gpus > 0 ? Device.gpu(0) : Device.cpu();
        }
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals("gpu") || s.equals("cuda") || s.startsWith("gpu:") || s.startsWith("cuda:")) {
            int id = 0;
            int colon = s.indexOf(':');
            if (colon >= 0) {
                try {
                    id = Integer.parseInt(s.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("device '" + spec
                            + "': the GPU index must be a number, e.g. gpu:0");
                }
            }
            if (id < 0 || id >= gpus) {
                throw new IllegalArgumentException("device '" + spec + "' requested but the engine sees "
                        + gpus + " GPU(s). Build with the CUDA libtorch (mvn -Pcuda package) on a machine"
                        + " with an NVIDIA driver for CUDA 12.1+, or use --device cpu.");
            }
            return Device.gpu(id);
        }
        throw new IllegalArgumentException("unknown device '" + spec
                + "': use auto, cpu, gpu or gpu:N (set by --device, " + ENV_DEVICE + " or -Dganlab.device)");
    }

    /** Where the engine's thread count came from, for {@code ganlab info}: the setting that set it, or the cores. */
    public static String threadsSource() {
        init();
        return threadsSource;
    }

    private static int resolveThreads() {
        String s = THREADS.value();
        int cores = Runtime.getRuntime().availableProcessors();
        if (s == null) {
            return cores;
        }
        try {
            int n = Integer.parseInt(s.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(THREADS.origin() + "='" + s + "' is not a positive integer");
        }
    }

}
