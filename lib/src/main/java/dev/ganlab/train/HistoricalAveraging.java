package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Historical averaging (Salimans et al., 2016, sec. 3.3): each network's cost gains
 * {@code w ||theta - mean of past theta||^2}, which damps the oscillations of gradient descent in a
 * game. Its gradient {@code 2 w (theta - mean)} is added to the accumulated gradient directly before
 * the optimiser step (no autograd needed); the running mean is updated after it. The means are part
 * of checkpoints.
 */
public final class HistoricalAveraging {

    private final float weight;
    private final List<Parameter> params;
    private final List<NDArray> mean = new ArrayList<>();
    private long count;

    public HistoricalAveraging(float weight, List<Parameter> params, NDManager manager) {
        this.weight = weight;
        this.params = List.copyOf(params);
        for (Parameter p : params) {
            mean.add(p.getArray().duplicate());
            mean.get(mean.size() - 1).attach(manager);
        }
        count = 1;
    }

    /** Adds 2 w (theta - mean) to each parameter's gradient. */
    public void addGradient() {
        try (NDScope scope = new NDScope()) {
            for (int i = 0; i < params.size(); i++) {
                PtNDArray w = (PtNDArray) params.get(i).getArray();
                PtNDArray g = JniUtils.getGradient(w);
                if (g != null) {
                    g.addi(w.sub(mean.get(i)).muli(2 * weight));
                }
            }
        }
    }

    /** Folds the current parameters into the running mean. */
    public void update() {
        count++;
        try (NDScope scope = new NDScope()) {
            for (int i = 0; i < params.size(); i++) {
                NDArray m = mean.get(i);
                m.addi(params.get(i).getArray().sub(m).divi(count));
            }
        }
    }

    public void save(DataOutputStream out) throws IOException {
        out.writeLong(count);
        byte[] b = new NDList(mean).encode();
        out.writeInt(b.length);
        out.write(b);
    }

    public void load(DataInputStream in) throws IOException {
        count = in.readLong();
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        try (NDManager tmp = mean.get(0).getManager().newSubManager()) {
            NDList saved = NDList.decode(tmp, b);
            for (int i = 0; i < mean.size(); i++) {
                mean.get(i).muli(0).addi(saved.get(i).toDevice(mean.get(i).getDevice(), false));
            }
        }
    }
}
