package dev.ganlab.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A feature extractor backed by a TorchScript file, loaded into the PyTorch engine through DJL
 * ({@link JniUtils#loadModule}) and called through {@link PtSymbolBlock#forward(IValue...)}, which
 * passes positional arguments of any TorchScript type (here tensors and booleans).
 *
 * <p>Two calling conventions:
 * <ul>
 *   <li>{@link Convention#STYLEGAN_INCEPTION}: the convention of the Inception-v3 network that
 *       StyleGAN2-ADA's metrics use ({@code inception-2015-12-05.pt}, a TorchScript translation of
 *       TensorFlow's 2015 Inception graph):
 *       {@code forward(img, return_features=False, use_fp16=False, no_output_bias=False)}. The input
 *       is {@code (N, 3, H, W)} in 0..255 (StyleGAN passes uint8; float32 holding the same values
 *       gives the same result, since the network's first step is {@code img.to(float32)}). The
 *       network itself resizes to 299 x 299 (bilinear grid sampling, no anti-aliasing) and
 *       normalises with {@code (x - 128) / 128}. With {@code return_features=True} it returns the
 *       2048-d pool3 features; otherwise the softmax over 1008 classes, which StyleGAN's Inception
 *       Score asks for with {@code no_output_bias=True}. GAN Lab calls it exactly so: features with
 *       {@code (img, true)}, class probabilities with {@code (img, false, false, true)}, stored as
 *       log-probabilities (the softmax of a log-probability vector is the vector itself).
 *       Preparation: grey -> RGB; images larger than the input size are shrunk to it with the area
 *       filter first (StyleGAN2-ADA would let the network's bilinear sampling alias them); smaller
 *       ones go in as they are and the network enlarges them, as in StyleGAN2-ADA.
 *   <li>{@link Convention#PLAIN}: any TorchScript model ({@code torchscript=PATH}), called as
 *       {@code forward(x)} with {@code x} a float32 {@code (N, C, S, S)} batch prepared as its
 *       {@link ImagePreparation} says (defaults: the images' own channels and size, range -1..1, as
 *       GAN Lab's generators produce). The output is either a tensor {@code (N, D)} (features, no
 *       logits; higher-rank outputs are flattened per sample) or a tuple/list whose first element
 *       is the features and second the logits {@code (N, K)}.
 * </ul>
 */
public final class TorchScriptExtractor implements FeatureExtractor {

    /** Input side of the StyleGAN2-ADA Inception-v3 network. */
    public static final int INCEPTION_SIZE = 299;
    /** Its pool3 feature length. */
    public static final int INCEPTION_FEATURES = 2048;
    /** Its class count (1008: the 2015 graph's 1000 ImageNet classes plus 8 unused). */
    public static final int INCEPTION_CLASSES = 1008;

    /** Id of StyleGAN2-ADA's Inception-v3, named after its file. */
    public static final String INCEPTION_ID = "inception-2015-12-05";

    /** How the module is called; see the class comment. */
    public enum Convention { STYLEGAN_INCEPTION, PLAIN }

    private final String id;
    private final Path file;
    private final String sha256;
    private final Convention convention;
    private final ImagePreparation preparation;
    private final NDManager manager;
    private final PtSymbolBlock module;
    private int featureDim;
    private int logitsDim;

    private TorchScriptExtractor(String id, Path file, Convention convention, ImagePreparation preparation) {
        if (!Files.isRegularFile(file)) {
            throw new UserError("TorchScript file " + file + " does not exist. "
                    + (convention == Convention.STYLEGAN_INCEPTION
                    ? "Copy inception-2015-12-05.pt (StyleGAN2-ADA's metrics network) there, or to "
                    + Extractors.defaultInceptionPath() + ", and pass --features inception=PATH."
                    : "Pass --features torchscript=PATH with a model saved by torch.jit.save."));
        }
        this.id = id;
        this.file = file;
        this.sha256 = Hashing.sha256(file);
        this.convention = convention;
        this.preparation = preparation;
        GanLab.noGradOnThisThread();
        this.manager = GanLab.newManager();
        try {
            this.module = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0], new String[0], false);
            JniUtils.enableInferenceMode(module);
        } catch (RuntimeException e) {
            manager.close();
            throw new UserError("cannot load TorchScript file " + file + ": " + e.getMessage()
                    + ". It must be saved with torch.jit.save (not torch.save of a state dict).", e);
        }
    }

    /**
     * The StyleGAN2-ADA Inception-v3 ({@code inception-2015-12-05.pt}): 2048-d pool3 features and
     * 1008 class probabilities.
     */
    public static TorchScriptExtractor inception(Path file) {
        return styleganInception(file, INCEPTION_SIZE, INCEPTION_ID);
    }

    /**
     * A network with the Inception calling convention and input side {@code size} (used with the
     * small stand-in network of the tests). Feature and class counts are found by a probe.
     */
    public static TorchScriptExtractor styleganInception(Path file, int size, String id) {
        ImagePreparation prep = new ImagePreparation(3, size, true, ImagePreparation.Range.UINT8,
                "pool features (return_features=True); classes: softmax without output bias");
        TorchScriptExtractor x = new TorchScriptExtractor(id, file, Convention.STYLEGAN_INCEPTION, prep);
        x.probe(size);
        return x;
    }

    /**
     * Any TorchScript model.
     *
     * @param size square input side, or 0 for the images' own size
     * @param channels 1 or 3, or 0 for the images' own
     * @param range the value range it expects
     */
    public static TorchScriptExtractor plain(Path file, int size, int channels, ImagePreparation.Range range) {
        ImagePreparation prep = new ImagePreparation(channels, size, false, range,
                "output 0 of forward(x) as features, output 1 (if any) as logits");
        TorchScriptExtractor x = new TorchScriptExtractor("torchscript:" + file.getFileName(), file,
                Convention.PLAIN, prep);
        if (size > 0 && channels > 0) {
            x.probeShape(channels, size);
        }
        return x;
    }

    private void probe(int size) {
        probeShape(3, size);
    }

    private void probeShape(int channels, int size) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.zeros(new Shape(1, channels, size, size));
            NDArray[] out = run(m, x, true);
            featureDim = (int) out[0].getShape().get(1);
            logitsDim = out[1] == null ? 0 : (int) out[1].getShape().get(1);
        }
    }

    @Override
    public String id() {
        return id;
    }

    /**
     * Empty for StyleGAN2-ADA's Inception-v3 (its scores are the standard fid, kid, is); otherwise the
     * id of an Inception-convention stand-in, or the file's stem for a plain model.
     */
    @Override
    public String scoreSuffix() {
        if (convention == Convention.STYLEGAN_INCEPTION) {
            return id.equals(INCEPTION_ID) ? "" : Extractors.suffixOf(id);
        }
        return Extractors.stemSuffix(file);
    }

    @Override
    public String weightsSha256() {
        return sha256;
    }

    /** The TorchScript file. */
    public Path file() {
        return file;
    }

    /** Feature length; for a plain model of unknown input size, known after the first extraction (-1 before). */
    @Override
    public int featureDim() {
        return featureDim == 0 ? -1 : featureDim;
    }

    /**
     * Class count of the logits, 0 when the model returns only features, or -1 for a plain model of
     * unknown input size before its first extraction (whether it returns logits is not known yet).
     */
    @Override
    public int logitsDim() {
        return featureDim == 0 ? -1 : logitsDim;
    }

    @Override
    public ImagePreparation preparation() {
        return preparation;
    }

    @Override
    public Features extract(ImageDataset images, int batchSize, boolean withLogits) {
        Features f = BatchedForward.run(manager, preparation, images, batchSize, withLogits, this::run);
        featureDim = f.features().cols();
        if (f.hasLogits()) {
            logitsDim = f.logits().cols();
        } else if (withLogits) {
            logitsDim = 0;   // asked for and not returned: the model gives features only
        }
        return f;
    }

    /** Runs the module on one batch; returns {features, logits or null}, both attached to {@code m}. */
    private NDArray[] run(NDManager m, NDArray x, boolean withLogits) {
        PtNDManager pm = (PtNDManager) m;
        if (convention == Convention.STYLEGAN_INCEPTION) {
            NDArray features = call(pm, IValue.from((PtNDArray) x), IValue.from(true));
            NDArray logits = null;
            if (withLogits) {
                NDArray probs = call(pm, IValue.from((PtNDArray) x), IValue.from(false), IValue.from(false),
                        IValue.from(true));
                // Log-probabilities: their softmax is the network's own probability vector.
                logits = probs.maximum(Float.MIN_NORMAL).log();
            }
            return new NDArray[] {features, logits};
        }
        IValue in = IValue.from((PtNDArray) x);
        IValue out = module.forward(in);
        try {
            if (out.isTensor()) {
                return new NDArray[] {out.toTensor(pm), null};
            }
            if (out.isTuple() || out.isList() || out.isTensorList()) {
                NDArray[] parts = out.isTensorList() ? out.toTensorArray(pm) : tensors(out.isTuple()
                        ? out.toIValueTuple() : out.toIValueArray(), pm);
                if (parts.length == 0) {
                    throw new UserError(file + ": forward returned an empty " + out.getType());
                }
                return new NDArray[] {parts[0], parts.length > 1 ? parts[1] : null};
            }
            throw new UserError(file + ": forward returned " + out.getType()
                    + "; expected a tensor (features) or a tuple (features, logits)");
        } finally {
            in.close();
            out.close();
        }
    }

    private NDArray call(PtNDManager m, IValue... args) {
        try {
            IValue out = module.forward(args);
            try {
                if (!out.isTensor()) {
                    throw new UserError(file + ": expected a tensor from the Inception calling convention, got "
                            + out.getType());
                }
                return out.toTensor(m);
            } finally {
                out.close();
            }
        } finally {
            for (IValue a : args) {
                a.close();
            }
        }
    }

    private static NDArray[] tensors(IValue[] values, PtNDManager m) {
        NDArray[] out = new NDArray[values.length];
        for (int i = 0; i < values.length; i++) {
            if (!values[i].isTensor()) {
                throw new UserError("TorchScript output element " + i + " is " + values[i].getType()
                        + ", expected a tensor");
            }
            out[i] = values[i].toTensor(m);
            values[i].close();
        }
        return out;
    }

    @Override
    public void close() {
        module.close();
        manager.close();
    }

    @Override
    public String toString() {
        return id + " (" + file + ", sha256 " + sha256.substring(0, 12) + "...)";
    }
}
