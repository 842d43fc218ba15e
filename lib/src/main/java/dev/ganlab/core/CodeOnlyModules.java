package dev.ganlab.core;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads the TorchScript modules GAN Lab ships as class-path resources (built by the scripts in
 * {@code environment/torchscript/}): modules that hold code and no weights, reaching libtorch
 * operations DJL 0.29 does not bind. Each is loaded once per device and lives for the whole process
 * in a manager of its own.
 */
public final class CodeOnlyModules {

    private static final Map<List<Object>, PtSymbolBlock> LOADED = new ConcurrentHashMap<>();

    private CodeOnlyModules() {}

    /** The module at {@code resource} (an absolute class-path name) on {@code device}, loaded on first use. */
    public static PtSymbolBlock get(String resource, Device device) {
        return LOADED.computeIfAbsent(List.of(resource, device), k -> load(resource, device));
    }

    private static PtSymbolBlock load(String resource, Device device) {
        GanLab.init();
        NDManager owner = NDManager.newBaseManager(device, "PyTorch");
        try (InputStream in = CodeOnlyModules.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the class path (rebuild with mvn package)");
            }
            return JniUtils.loadModule((PtNDManager) owner, in, true, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + resource, e);
        }
    }
}
