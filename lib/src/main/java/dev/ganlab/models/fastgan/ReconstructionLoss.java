package dev.ganlab.models.fastgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.ganlab.core.GanLab;
import dev.ganlab.nn.Ops;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The distance between the discriminator's reconstructions and their targets (FastGAN's
 * self-supervised discriminator). The official train.py adds, for each of its three decoders,
 * {@code percept(rec, target).sum()}: LPIPS (VGG) per image, summed over the batch. LPIPS's weights
 * are not available offline here, so the default is a pixel distance, and a perceptual network can
 * be plugged in.
 *
 * <ul>
 *   <li>{@code lpips=PATH}: a TorchScript module saved with {@code torch.jit.save} whose
 *       {@code forward(a, b)} takes two {@code (N, C, H, W)} batches in [-1, 1] and returns a distance
 *       per image ({@code (N)} or {@code (N, 1, 1, 1)}, as the {@code lpips} package's LPIPS module
 *       does). The module runs in eval mode with frozen parameters; gradients flow through it to the
 *       reconstructions. With reduction "sum" and weight 1 this is the official loss.
 *   <li>{@code mse}: per image, {@link #MSE_TO_LPIPS} times the mean squared difference (images in
 *       [-1, 1]), a stand-in put on LPIPS's scale (calibrated against an LPIPS-shaped distance on random
 *       VGG16 features; see the constant for the measurement and its one assumption); {@code l1}: the
 *       mean absolute difference;
 *       {@code l1+mse}: their sum (both uncalibrated, for comparisons).
 * </ul>
 * The per-image values are then summed over the batch ("sum", official) or averaged ("mean").
 */
public final class ReconstructionLoss implements AutoCloseable {

    private static final String PERCEPTUAL_PREFIX = "lpips=";

    /**
     * Factor that puts the per-image MSE of a reconstruction (images in [-1, 1]) on LPIPS's scale, so
     * that "mse" pulls on the decoders about as hard, next to the hinge loss, as the official LPIPS terms.
     * LPIPS's trained weights cannot be had on this machine (nothing downloads; the Debian and npm package
     * lists hold no VGG, AlexNet or LPIPS weights), so the factor is calibrated against a proxy and rests
     * on one assumed number; treat it as good to about a factor of two, and use {@code lpips=PATH} for the
     * official loss.
     *
     * <p>Measured ({@code environment/reference/calibrate_recon_mse.py}): an LPIPS-shaped distance on
     * randomly initialised VGG16s (LPIPS's input scaling, the relu1_2..relu5_3 maps unit-normalised over
     * channels, squared differences with uniform channel weights in place of the trained "lin" weights,
     * averaged over positions, summed over layers; 2 networks), on 12 emoji smileys area-shrunk to 32 px
     * (VGG16 at 64 px did not fit the shared machine's time), for "reconstructions" made as the decoders'
     * early outputs look, blurred: the target low-passed through a coarse grid (area down, bilinear up).
     * The proxy's scale is arbitrary, so it is
     * anchored: two different smileys score A, LPIPS (VGG)'s value for such a pair (their per-image MSE:
     * 0.169). The decoders' early outputs have a per-image MSE of 0.15 to 0.09 (after 10 to 20 steps of
     * GAN Lab's FastGAN, see below); in that range:
     * <table>
     *   <caption>LPIPS-shaped proxy against MSE</caption>
     *   <tr><th>reconstruction</th><th>MSE</th><th>proxy / two smileys</th><th>k = LPIPS / MSE</th>
     *       <th>k from gradient norms</th></tr>
     *   <tr><td>target low-passed through 4x4</td><td>0.185</td><td>1.61</td><td>8.7 A</td><td>9.1 A</td></tr>
     *   <tr><td>target low-passed through 8x8</td><td>0.094</td><td>0.90</td><td>9.6 A</td><td>11.3 A</td></tr>
     * </table>
     * (gradient norms: k such that |d LPIPS / d rec| = k |d MSE / d rec|, median over images).
     * Assumed, not measured: A about 0.4 to 0.7, the order of the LPIPS diversity scores papers report
     * for different images of one kind (not checked here; two smileys may well score lower: A = 0.3 gives
     * k = 2.6 to 3.4). A = 0.4 to 0.7 gives k = 3.5 to 7.9, and A = 0.5 gives 4.4 to 5.7; 4 is inside
     * that range and is kept (the anchor's uncertainty is wider than the difference to 5).
     * Random-weight features are a weaker perceptual distance than trained ones (Zhang et al. 2018 score
     * both against human judgements); the proxy keeps LPIPS's form, not its trained weights.
     *
     * <p>The decoders' MSE above (emoji smileys at 64 px, FastGAN D with dWidth 8 and the official decoder
     * width 32, batch 8, decoders and backbone trained on the reconstruction loss alone with Adam 2e-4
     * (0.5, 0.999)): full, part and small reconstructions 0.86, 0.86, 0.90 at initialisation, 0.151,
     * 0.135, 0.155 after 10 steps and 0.091, 0.094, 0.093 after 20 (blurred reconstructions).
     */
    public static final float MSE_TO_LPIPS = 4f;

    private enum Kind { L1, MSE, L1_MSE, PERCEPTUAL }

    private final String spec;
    private final boolean sum;
    private final Kind kind;
    private final NDManager moduleManager;
    private final PtSymbolBlock module;

    private ReconstructionLoss(String spec, boolean sum, Kind kind, NDManager moduleManager, PtSymbolBlock module) {
        this.spec = spec;
        this.sum = sum;
        this.kind = kind;
        this.moduleManager = moduleManager;
        this.module = module;
    }

    /** {@link #parse(String, String)} with the official reduction, "sum". */
    public static ReconstructionLoss parse(String spec) {
        return parse(spec, "sum");
    }

    /**
     * Parses "l1", "mse", "l1+mse" or "lpips=PATH" (the latter loads the TorchScript module), with the
     * per-image values reduced by {@code reduction}, "sum" or "mean".
     *
     * @throws IllegalArgumentException for another value, a missing file or a file TorchScript cannot load
     */
    public static ReconstructionLoss parse(String spec, String reduction) {
        Kind kind = checkSpec(spec);
        if (!"sum".equals(reduction) && !"mean".equals(reduction)) {
            throw new IllegalArgumentException("fastgan.reconReduction '" + reduction + "': use sum or mean");
        }
        boolean sum = reduction.equals("sum");
        if (kind != Kind.PERCEPTUAL) {
            return new ReconstructionLoss(spec, sum, kind, null, null);
        }
        Path file = Path.of(spec.substring(PERCEPTUAL_PREFIX.length()));
        NDManager manager = GanLab.newManager();
        try {
            PtSymbolBlock module = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0],
                    new String[0], false); // parameters frozen
            JniUtils.enableInferenceMode(module); // eval mode: dropout off, batch norm on running statistics
            return new ReconstructionLoss(spec, sum, kind, manager, module);
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

    /** Whether per-image values are summed over the batch (else averaged). */
    public boolean sumsOverBatch() {
        return sum;
    }

    /** The scalar distance between {@code reconstruction} and {@code target} (same shape), reduced over the batch. */
    public NDArray distance(NDArray reconstruction, NDArray target) {
        NDArray perImage = perImage(reconstruction, target);
        return sum ? perImage.sum() : perImage.mean();
    }

    /** The distance of each image {@code (N)}. */
    public NDArray perImage(NDArray reconstruction, NDArray target) {
        if (!reconstruction.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("reconstruction " + reconstruction.getShape() + " and target "
                    + target.getShape() + " differ in shape");
        }
        switch (kind) {
            case L1:
                return Ops.rowMean(reconstruction.sub(target).abs());
            case MSE:
                return Ops.rowMean(reconstruction.sub(target).square()).mul(MSE_TO_LPIPS);
            case L1_MSE: {
                NDArray d = reconstruction.sub(target);
                return Ops.rowMean(d.abs()).add(Ops.rowMean(d.square()));
            }
            default: {
                // IValueUtils with isTrain = true: the module stays in eval mode, but autograd is left to
                // the thread's grad mode (PtSymbolBlock.forward(..., false) would switch it off and cut
                // the reconstruction's gradient). The output belongs to the reconstruction's manager.
                NDArray out = IValueUtils.forward(module, new NDList(reconstruction, target), true).get(0);
                return out.reshape(reconstruction.getShape().get(0), -1).sum(new int[] {1});
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
