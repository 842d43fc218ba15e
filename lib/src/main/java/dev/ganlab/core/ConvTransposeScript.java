package dev.ganlab.core;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * libtorch's {@code conv_transpose2d}, which DJL 0.29's binding lacks, called through a TorchScript
 * module that holds only code ({@code conv_transpose.pt}, built by
 * {@code environment/torchscript/conv_transpose.py}). Autograd records the call like any engine
 * operation, so backward and double backward are libtorch's own; it runs on whatever device its
 * inputs are on (one module per device). Callers on the CPU go through
 * {@link CpuKernels#convTranspose2d}, which pads channels to whole oneDNN blocks first.
 */
final class ConvTransposeScript {

    /** Classpath location of the TorchScript module. */
    static final String RESOURCE = "/dev/ganlab/core/conv_transpose.pt";

    /** Constants of the calls (settings, the empty "no bias"), on the CPU whatever the device: the script reads them as numbers. */
    private static final NDManager CPU = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    private static final NDArray NO_BIAS = constant(CPU.create(new float[0]));
    private static final Map<List<Integer>, NDArray> SETTINGS = new ConcurrentHashMap<>();

    private ConvTransposeScript() {}

    /** {@code conv_transpose2d(x, w, b, stride, padding, outputPadding)}; w is {@code (C_in, C_out, k, k)}, b null for none. */
    static NDArray apply(NDArray x, NDArray w, NDArray b, int stride, int padding, int outputPadding) {
        PtSymbolBlock module = CodeOnlyModules.get(RESOURCE, x.getDevice());
        NDArray settings = SETTINGS.computeIfAbsent(List.of(stride, padding, outputPadding),
                k -> constant(CPU.create(new long[] {stride, padding, outputPadding})));
        NDArray bias = b != null ? b : NO_BIAS;
        // DJL's tensor-only module call is the one that runs with autograd on (its IValue calls run in
        // inference mode); the result belongs to x's manager, as any other operation's.
        return IValueUtils.forward(module, new NDList(x, w, bias, settings), true).singletonOrThrow();
    }

    /** An array made once and kept for the whole process, out of any open NDScope. */
    private static NDArray constant(NDArray a) {
        NDScope.unregister(a);
        return a;
    }
}
