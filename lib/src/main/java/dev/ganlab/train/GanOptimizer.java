package dev.ganlab.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.ganlab.core.CodeOnlyModules;
import dev.ganlab.core.GanLab;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The optimisers of GAN Lab: Adam, RMSprop and SGD with PyTorch's semantics, written here because
 * the engine has only Adam and SGD updates, DJL does not save optimiser state (a resumed run must
 * continue with the same moments), and the official ProGAN code resets Adam when a resolution is
 * added ({@link #reset()}).
 *
 * <p>{@link #step()} reads each parameter's accumulated gradient, updates the parameter in place,
 * and zeroes the gradient. Parameters without a gradient (unused in this step, e.g. ProGAN layers of
 * resolutions not yet reached) are left alone.
 */
public final class GanOptimizer {

    /** The in-place Adam update, a code-only TorchScript module (environment/torchscript/adam_update.py). */
    static final String ADAM_UPDATE = "/dev/ganlab/train/adam_update.pt";
    /** Where the update's hyperparameters are made: the module reads them as numbers, whatever the device. */
    private static final NDManager CPU = cpuManager();

    private final OptimizerConfig cfg;
    private final List<Parameter> params;
    private final List<NDArray> first = new ArrayList<>();
    private final List<NDArray> second = new ArrayList<>();
    private long steps;

    private static NDManager cpuManager() {
        GanLab.init(); // the engine's threads and oneDNN settings first, should this be the first engine use
        return NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    /**
     * @param cfg type and hyperparameters
     * @param params the trained parameters (initialised)
     * @param manager long-lived manager that holds the state arrays
     */
    public GanOptimizer(OptimizerConfig cfg, List<Parameter> params, NDManager manager) {
        cfg.validate("optimizer");
        this.cfg = cfg;
        this.params = List.copyOf(params);
        for (Parameter p : params) {
            NDArray w = p.getArray();
            boolean needsFirst = !cfg.type.equals("sgd") || cfg.momentum > 0;
            first.add(needsFirst && !cfg.type.equals("rmsprop") ? manager.zeros(w.getShape(), w.getDataType(), w.getDevice()) : null);
            second.add(cfg.type.equals("sgd") ? null : manager.zeros(w.getShape(), w.getDataType(), w.getDevice()));
        }
    }

    public OptimizerConfig config() {
        return cfg;
    }

    /** Updates performed so far (Adam's bias-correction counter). */
    public long steps() {
        return steps;
    }

    /** Applies one update from the accumulated gradients and zeroes them. */
    public void step() {
        steps++;
        try (NDScope scope = new NDScope()) {
            NDArray adamSettings = cfg.type.equals("adam") ? adamSettings() : null;
            for (int i = 0; i < params.size(); i++) {
                PtNDArray w = (PtNDArray) params.get(i).getArray();
                PtNDArray g = JniUtils.getGradient(w);
                if (g == null) {
                    continue;
                }
                if (cfg.weightDecay > 0) {
                    g.addi(w.mul(cfg.weightDecay)); // coupled L2: g + wd w, as PyTorch's weight_decay
                }
                switch (cfg.type) {
                    case "adam" -> adam(w, g, first.get(i), second.get(i), adamSettings); // zeroes g
                    case "rmsprop" -> {
                        rmsprop(w, g, second.get(i));
                        JniUtils.zeroGrad(w);
                    }
                    default -> {
                        sgd(w, g, first.get(i));
                        JniUtils.zeroGrad(w);
                    }
                }
            }
        }
    }

    /**
     * This step's {beta1, beta2, lr_t, eps_t} for the Adam module: PyTorch's Adam, m = b1 m + (1-b1) g;
     * v = b2 v + (1-b2) g^2; w -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps), with the bias
     * corrections folded into lr_t = lr sqrt(1-b2^t)/(1-b1^t) and eps_t = eps sqrt(1-b2^t), so the
     * update divides by sqrt(v) + eps_t (exactly the same in real arithmetic).
     */
    private NDArray adamSettings() {
        double bc1 = 1 - Math.pow(cfg.beta1, steps);
        double bc2 = 1 - Math.pow(cfg.beta2, steps);
        return CPU.create(new double[] {cfg.beta1, cfg.beta2, cfg.lr * Math.sqrt(bc2) / bc1, cfg.eps * Math.sqrt(bc2)});
    }

    /**
     * One parameter's Adam update in place, its gradient zeroed, in one call of the module: seven
     * in-place passes and one temporary where the engine's own update (JniUtils.adamUpdate) made eleven
     * passes and five parameter-sized temporaries (lib/BENCHMARKS.md, "Adam in place").
     */
    private static void adam(NDArray w, NDArray g, NDArray m, NDArray v, NDArray settings) {
        // The result is a second handle to w, closed with the step's scope.
        IValueUtils.forward(CodeOnlyModules.get(ADAM_UPDATE, w.getDevice()), new NDList(w, g, m, v, settings), true);
    }

    /** PyTorch's RMSprop: v = a v + (1-a) g^2; w -= lr g / (sqrt(v) + eps). */
    private void rmsprop(NDArray w, NDArray g, NDArray v) {
        v.muli(cfg.alpha).addi(g.square().muli(1 - cfg.alpha));
        w.subi(g.div(v.sqrt().addi(cfg.eps)).muli(cfg.lr));
    }

    /** PyTorch's SGD: with momentum, b = mu b + g; w -= lr b. */
    private void sgd(NDArray w, NDArray g, NDArray buf) {
        if (buf == null) {
            w.subi(g.mul(cfg.lr));
            return;
        }
        if (steps == 1) {
            buf.subi(buf).addi(g);
        } else {
            buf.muli(cfg.momentum).addi(g);
        }
        w.subi(buf.mul(cfg.lr));
    }

    /** Zeroes the moments and the step counter (ProGAN: a new resolution starts with a fresh Adam). */
    public void reset() {
        steps = 0;
        for (NDArray a : first) {
            if (a != null) {
                a.muli(0);
            }
        }
        for (NDArray a : second) {
            if (a != null) {
                a.muli(0);
            }
        }
    }

    /** Zeroes the accumulated gradients without updating. */
    public void zeroGradients() {
        for (Parameter p : params) {
            JniUtils.zeroGrad((PtNDArray) p.getArray());
        }
    }

    /** Writes the step counter and moments. */
    public void save(DataOutputStream out) throws IOException {
        out.writeUTF(cfg.type);
        out.writeLong(steps);
        NDList state = new NDList();
        for (int i = 0; i < params.size(); i++) {
            if (first.get(i) != null) {
                state.add(first.get(i));
            }
            if (second.get(i) != null) {
                state.add(second.get(i));
            }
        }
        // Streamed after its length (Adam's moments are two floats per value: 320 MB for FastGAN's G and D).
        Checkpoint.writeLengthPrefixed(out, state::encode, cfg.type + " optimiser state");
    }

    /** Restores what {@link #save} wrote; the optimiser must have the same type and parameters. */
    public void load(DataInputStream in) throws IOException {
        String type = in.readUTF();
        if (!type.equals(cfg.type)) {
            throw new IOException("checkpoint holds " + type + " state but the optimiser is " + cfg.type);
        }
        long savedSteps = in.readLong();
        byte[] encoded = new byte[in.readInt()];
        in.readFully(encoded);
        NDManager tmp = params.isEmpty() ? null : params.get(0).getArray().getManager().newSubManager();
        try {
            NDList state = NDList.decode(tmp, encoded);
            int k = 0;
            for (int i = 0; i < params.size(); i++) {
                for (NDArray dst : new NDArray[] {first.get(i), second.get(i)}) {
                    if (dst == null) {
                        continue;
                    }
                    if (k >= state.size() || !state.get(k).getShape().equals(dst.getShape())) {
                        throw new IOException("optimiser state does not match the parameters (entry " + k + ")");
                    }
                    dst.muli(0).addi(state.get(k).toDevice(dst.getDevice(), false));
                    k++;
                }
            }
            if (k != state.size()) {
                throw new IOException("optimiser state has " + state.size() + " arrays, expected " + k);
            }
            steps = savedSteps;
        } finally {
            if (tmp != null) {
                tmp.close();
            }
        }
    }
}
