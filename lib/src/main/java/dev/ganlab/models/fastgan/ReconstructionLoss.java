package dev.ganlab.models.fastgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.ganlab.core.GanLab;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The distance between the discriminator's reconstructions and their targets (FastGAN's
 * self-supervised discriminator).
 * The official code uses LPIPS (a VGG-based perceptual distance); its weights are not available
 * here, so the built-in choices are pixel distances, and a perceptual network can be plugged in.
 *
 * <ul>
 *   <li>{@code l1}: mean absolute difference; {@code mse}: mean squared difference; {@code l1+mse}:
 *       their sum. Means are over all elements, so the value does not grow with the batch.
 *   <li>{@code lpips=PATH}: a TorchScript module saved with {@code torch.jit.save} whose
 *       {@code forward(a, b)} takes two {@code (N, C, H, W)} batches in [-1, 1] and returns a distance
 *       per image ({@code (N)} or {@code (N, 1, 1, 1)}, as the {@code lpips} package's LPIPS module
 *       does); the loss is the mean of its output. The official code sums LPIPS over the batch:
 *       multiply {@code reconWeight} by the batch size to match it. The module runs in eval mode
 *       with frozen parameters; gradients flow through it to the reconstructions.
 * </ul>
 */
public final class ReconstructionLoss implements AutoCloseable {

    private static final String PERCEPTUAL_PREFIX = "lpips=";

    private enum Kind { L1, MSE, L1_MSE, PERCEPTUAL }

    private final String spec;
    private final Kind kind;
    private final NDManager moduleManager;
    private final PtSymbolBlock module;

    private ReconstructionLoss(String spec, Kind kind, NDManager moduleManager, PtSymbolBlock module) {
        this.spec = spec;
        this.kind = kind;
        this.moduleManager = moduleManager;
        this.module = module;
    }

    /**
     * Parses "l1", "mse", "l1+mse" or "lpips=PATH"; the latter loads the TorchScript module.
     *
     * @throws IllegalArgumentException for another value, a missing file or a file TorchScript cannot load
     */
    public static ReconstructionLoss parse(String spec) {
        Kind kind = checkSpec(spec);
        if (kind != Kind.PERCEPTUAL) {
            return new ReconstructionLoss(spec, kind, null, null);
        }
        Path file = Path.of(spec.substring(PERCEPTUAL_PREFIX.length()));
        NDManager manager = GanLab.newManager();
        try {
            PtSymbolBlock module = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0],
                    new String[0], false); // parameters frozen
            JniUtils.enableInferenceMode(module); // eval mode: dropout off, batch norm on running statistics
            return new ReconstructionLoss(spec, kind, manager, module);
        } catch (RuntimeException e) {
            manager.close();
            throw new IllegalArgumentException("fastgan.reconLoss '" + spec + "': cannot load TorchScript file " + file
                    + " (" + e.getMessage() + "); save the module with torch.jit.save", e);
        }
    }

    /** Checks a spec without loading anything (the file must exist for lpips=PATH). */
    static Kind checkSpec(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("fastgan.reconLoss is missing: use l1, mse, l1+mse or lpips=PATH");
        }
        switch (spec) {
            case "l1":
                return Kind.L1;
            case "mse":
                return Kind.MSE;
            case "l1+mse":
                return Kind.L1_MSE;
            default:
                break;
        }
        if (spec.startsWith(PERCEPTUAL_PREFIX)) {
            String path = spec.substring(PERCEPTUAL_PREFIX.length());
            if (path.isBlank() || !Files.isRegularFile(Path.of(path))) {
                throw new IllegalArgumentException("fastgan.reconLoss '" + spec + "': TorchScript file '" + path
                        + "' does not exist");
            }
            return Kind.PERCEPTUAL;
        }
        throw new IllegalArgumentException("fastgan.reconLoss '" + spec + "': use l1, mse, l1+mse or lpips=PATH");
    }

    /** The spec this loss was parsed from. */
    public String spec() {
        return spec;
    }

    /** The scalar distance between {@code reconstruction} and {@code target} (same shape). */
    public NDArray distance(NDArray reconstruction, NDArray target) {
        if (!reconstruction.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("reconstruction " + reconstruction.getShape() + " and target "
                    + target.getShape() + " differ in shape");
        }
        switch (kind) {
            case L1:
                return reconstruction.sub(target).abs().mean();
            case MSE:
                return reconstruction.sub(target).square().mean();
            case L1_MSE: {
                NDArray d = reconstruction.sub(target);
                return d.abs().mean().add(d.square().mean());
            }
            default: {
                // IValueUtils with isTrain = true: the module stays in eval mode, but autograd is left to
                // the thread's grad mode (PtSymbolBlock.forward(..., false) would switch it off and cut
                // the reconstruction's gradient). The output belongs to the reconstruction's manager.
                NDArray out = IValueUtils.forward(module, new NDList(reconstruction, target), true).get(0);
                return out.mean();
            }
        }
    }

    /** Whether a perceptual network is loaded and not yet released by {@link #close}. */
    public boolean holdsModule() {
        return moduleManager != null && moduleManager.isOpen();
    }

    @Override
    public void close() {
        if (moduleManager != null) {
            moduleManager.close();
        }
    }

    @Override
    public String toString() {
        return "ReconstructionLoss(" + spec + ")";
    }
}
