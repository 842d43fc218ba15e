package dev.ganlab.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.ganlab.core.UserError;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Historical averaging (Salimans et al., 2016, sec. 3.3): each network's cost gains
 * {@code w ||theta - mean of past theta||^2}, which damps the oscillations of gradient descent in a
 * game. Its gradient {@code 2 w (theta - mean)} is added to the accumulated gradient directly before
 * each optimiser step (no autograd needed); the running mean is updated after it. Setting:
 * {@code tricks.historicalAveraging} (the weight w, both networks; 0 = off). The means are checkpointed
 * in sections {@code HIST_G} and {@code HIST_D}. Logs nothing.
 */
public final class HistoricalAveraging implements ObjectiveTerm {

    public static final String KEY = "tricks.historicalAveraging";
    static final String SECTION_G = "HIST_G";
    static final String SECTION_D = "HIST_D";

    private final Average generator;
    private final Average discriminator;

    public HistoricalAveraging(float weight, List<Parameter> generatorParams, List<Parameter> discriminatorParams,
            NDManager manager) {
        if (!(weight > 0)) {
            throw new UserError("config: " + KEY + " " + weight + " must be > 0 when historical averaging is on");
        }
        this.generator = new Average(weight, generatorParams, manager);
        this.discriminator = new Average(weight, discriminatorParams, manager);
    }

    @Override
    public List<String> loggedKeys() {
        return List.of();
    }

    private Average of(Player p) {
        return p == Player.GENERATOR ? generator : discriminator;
    }

    @Override
    public void beforeUpdate(Player player) {
        of(player).addGradient();
    }

    @Override
    public void afterUpdate(Player player) {
        of(player).update();
    }

    @Override
    public List<String> checkpointSections() {
        return List.of(SECTION_G, SECTION_D);
    }

    @Override
    public void save(String section, DataOutputStream out) throws IOException {
        (section.equals(SECTION_G) ? generator : discriminator).save(out);
    }

    @Override
    public void load(String section, DataInputStream in) throws IOException {
        (section.equals(SECTION_G) ? generator : discriminator).load(in);
    }

    /** The running mean of one network's parameters. */
    private static final class Average {

        private final float weight;
        private final List<Parameter> params;
        private final List<NDArray> mean = new ArrayList<>();
        private long count;

        Average(float weight, List<Parameter> params, NDManager manager) {
            this.weight = weight;
            this.params = List.copyOf(params);
            for (Parameter p : params) {
                mean.add(p.getArray().duplicate());
                mean.get(mean.size() - 1).attach(manager);
            }
            count = 1;
        }

        /** Adds 2 w (theta - mean) to each parameter's gradient. */
        void addGradient() {
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
        void update() {
            count++;
            try (NDScope scope = new NDScope()) {
                for (int i = 0; i < params.size(); i++) {
                    NDArray m = mean.get(i);
                    m.addi(params.get(i).getArray().sub(m).divi(count));
                }
            }
        }

        void save(DataOutputStream out) throws IOException {
            out.writeLong(count);
            byte[] b = new NDList(mean).encode();
            out.writeInt(b.length);
            out.write(b);
        }

        void load(DataInputStream in) throws IOException {
            count = in.readLong();
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            try (NDManager tmp = mean.get(0).getManager().newSubManager()) {
                NDList saved = NDList.decode(tmp, b);
                if (saved.size() != mean.size()) {
                    throw new IOException("historical average holds " + saved.size() + " arrays, the network has "
                            + mean.size() + " trained parameters");
                }
                for (int i = 0; i < mean.size(); i++) {
                    mean.get(i).muli(0).addi(saved.get(i).toDevice(mean.get(i).getDevice(), false));
                }
            }
        }
    }
}
