package dev.ganlab.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.models.ClassConditional;
import dev.ganlab.models.DiscriminatorOutput;
import dev.ganlab.models.GanModel;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Data-parallel training (issue 16, part 2): each forward pass of G or D that the training step makes
 * is split over replicas of the networks, one per entry of the {@code devices} setting
 * ({@link ReplicaDevices}), in the manner of PyTorch's {@code nn.DataParallel}: scatter the batch,
 * replicate the parameters, run the shards, gather the outputs on the batch's own device.
 *
 * <p><b>Gradients.</b> Each replica computes with copies of the parameters that are nodes of the
 * autograd graph ({@link ReplicaParameterStore}); the loss is computed once, by the objective's terms,
 * on the gathered outputs, and its backward pass sums every replica's gradient into the one set of
 * parameters (the reduce). The optimiser then updates that one set, and the next pass copies it to the
 * replicas again (the broadcast). Losses are means over the whole gathered batch, so every image
 * weighs the same whatever its shard: the batch need not divide by the replica count (shards differ by
 * at most one image), but it must give every replica at least one image. An auxiliary loss a
 * discriminator returns per batch (FastGAN's reconstruction, ACGAN's class loss) is averaged over the
 * shards weighted by shard size, which is the whole batch's mean for per-image means.
 *
 * <p><b>What stays as it was.</b> Latents, perturbation, augmentation, the gradient penalty's points,
 * label smoothing and every other random draw of the objective happen once on the whole batch, as in a
 * one-device run; the penalty's input gradient flows back through the split to the whole batch. The
 * EMA generator, the optimisers, checkpoints and sampling see only the one set of parameters, so a
 * checkpoint is the same as a one-device run's and a run resumes on any number of devices. For a
 * discriminator and generator without batch statistics the result equals the one-device step's up to
 * the order of float sums (checked for the MLP GAN, with and without WGAN-GP, and for SN-DCGAN with a
 * VBN generator under SGD: {@code DataParallelTest}). For SN-DCGAN every tensor's SGD update agreed
 * with the one-device run's to float rounding, and the power-iteration vectors to 6e-8; the
 * relative difference of 1.83 once reported came from G's biases just before VBN, whose true
 * gradient is zero (VBN removes any per-channel constant), so their updates (~1e-11) are rounding
 * noise with no digit to agree on. Under Adam those biases differed by up to 4.5e-5 after two steps
 * (Adam scales each element's step to about the learning rate, whatever the gradient's size, so
 * noise gets a full step); no output depends on them.
 *
 * <p><b>What changes.</b> Layers that look across the batch see their shard only, as under
 * {@code nn.DataParallel} without SyncBatchNorm: batch norm normalises each shard with the shard's own
 * mean and variance (noisier statistics for small shards; a discriminator that scores real and fake
 * together sees both halves of its shard), and the running statistics kept are those of the first
 * replica's shard; likewise minibatch standard deviation and minibatch discrimination (virtual batch
 * norm, {@code dcgan.gNorm=vbn} or {@code dNorm=vbn}, normalises each image with its reference batch,
 * which every replica appends whole, and is unaffected: {@code DataParallelTest}). Random draws inside a network (dropout, FastGAN's random reconstruction crop)
 * come from the engine stream in replica order, so they differ from a one-device run's. Replicas run
 * from last to first, so each copies in-place state (spectral norm's power-iteration vectors, running
 * statistics) before the first replica, which computes with the parameters themselves, updates it, so
 * that every replica starts from the same spectral-norm vectors as a one-device pass, and the
 * vectors get one update per forward pass as there.
 *
 * <p><b>Execution.</b> One Java thread issues the replicas one after the other; on GPUs the engine's
 * asynchronous kernel launches overlap them only in part. Not measured: no GPU was available (see the
 * README). Replicas listed on one device (the {@code cpu,cpu} test form) gain nothing.
 *
 * <p>The wrapper is a {@link Proxy} over every interface the model implements, so a model's other
 * roles ({@link ClassConditional}, checked with {@code instanceof} by the step and the terms) and any
 * method GanModel gains later pass through unchanged; only the five forward methods are split. A
 * class-conditional model gets each shard's labels before the shard is scored.
 */
final class DataParallel implements InvocationHandler {

    /** Shard forward passes run, over all wrappers of the process (tests check the path was taken). */
    static final AtomicLong SHARD_PASSES = new AtomicLong();

    private final GanModel model;
    private final List<Device> devices;
    private int[] batchLabels;

    private DataParallel(GanModel model, List<Device> devices) {
        this.model = model;
        this.devices = List.copyOf(devices);
    }

    /**
     * {@code model} itself when {@code cfg.devices} asks for no replicas (empty, or one entry that is
     * the process's device), else the model with its forward passes split over the replicas.
     */
    static GanModel wrap(GanModel model, TrainConfig cfg) {
        List<Device> devices = ReplicaDevices.parse(cfg.devices);
        if (devices.isEmpty() || devices.size() == 1 && devices.get(0).equals(GanLab.device())) {
            return model;
        }
        int batch = model.batchSize(cfg.batch);
        if (batch < devices.size()) {
            throw new UserError(splitError(devices, batch));
        }
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        for (Class<?> c = model.getClass(); c != null; c = c.getSuperclass()) {
            collectInterfaces(c, interfaces);
        }
        return (GanModel) Proxy.newProxyInstance(model.getClass().getClassLoader(),
                interfaces.toArray(new Class<?>[0]), new DataParallel(model, devices));
    }

    private static void collectInterfaces(Class<?> c, Set<Class<?>> out) {
        for (Class<?> i : c.getInterfaces()) {
            if (out.add(i)) {
                collectInterfaces(i, out);
            }
        }
    }

    /** The replicas' devices of a model made by {@link #wrap}, or null for a model that is not wrapped. */
    static List<Device> devicesOf(GanModel m) {
        return Proxy.isProxyClass(m.getClass()) && Proxy.getInvocationHandler(m) instanceof DataParallel dp
                ? dp.devices : null;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Class<?>[] p = method.getParameterTypes();
        switch (method.getName()) {
            case "generate":
                if (is(p, Block.class, ParameterStore.class, NDArray.class, boolean.class)) {
                    return concat(run((ParameterStore) args[1], false, list((NDArray) args[2]),
                            (ps, in) -> model.generate((Block) args[0], ps, in.get(0), (boolean) args[3])));
                }
                break;
            case "generateViews":
                if (is(p, Block.class, ParameterStore.class, NDArray.class, boolean.class)) {
                    return concatLists(run((ParameterStore) args[1], false, list((NDArray) args[2]),
                            (ps, in) -> model.generateViews((Block) args[0], ps, in.get(0), (boolean) args[3])));
                }
                break;
            case "discriminate":
                if (is(p, ParameterStore.class, NDArray.class, boolean.class, boolean.class)) {
                    return gather(run((ParameterStore) args[0], true, list((NDArray) args[1]),
                            (ps, in) -> model.discriminate(ps, in.get(0), (boolean) args[2], (boolean) args[3])));
                }
                break;
            case "discriminateViews":
                if (is(p, ParameterStore.class, NDList.class, boolean.class, boolean.class)) {
                    return gather(run((ParameterStore) args[0], true, new ArrayList<>((NDList) args[1]),
                            (ps, in) -> model.discriminateViews(ps, new NDList(in), (boolean) args[2], (boolean) args[3])));
                }
                break;
            case "discriminateJoint":
                if (is(p, ParameterStore.class, NDArray.class, NDArray.class, boolean.class)) {
                    List<DiscriminatorOutput[]> parts = run((ParameterStore) args[0], true,
                            list((NDArray) args[1], (NDArray) args[2]),
                            (ps, in) -> model.discriminateJoint(ps, in.get(0), in.get(1), (boolean) args[3]));
                    return new DiscriminatorOutput[] {gather(column(parts, 0)), gather(column(parts, 1))};
                }
                break;
            case "setBatchLabels":
                batchLabels = ((int[]) args[0]).clone();
                break;
            case "equals":
                return args[0] == proxy;
            default:
                break;
        }
        try {
            return method.invoke(model, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Runs {@code pass} on each replica's shard of {@code inputs} (arrays of one batch size) and returns
     * the results in shard order. Replicas run from last to first (see the class comment).
     */
    private <T> List<T> run(ParameterStore ps, boolean scored, List<NDArray> inputs,
            BiFunction<ParameterStore, List<NDArray>, T> pass) {
        int n = (int) inputs.get(0).getShape().get(0);
        int r = devices.size();
        if (n < r) {
            throw new UserError(splitError(devices, n));
        }
        Device home = inputs.get(0).getDevice();
        int[] labels = scored ? labelsFor(n) : null;
        List<T> out = new ArrayList<>(r);
        for (int i = 0; i < r; i++) {
            out.add(null);
        }
        try {
            for (int i = r - 1; i >= 0; i--) {
                int from = shardStart(n, r, i);
                int to = shardStart(n, r, i + 1);
                Device d = devices.get(i);
                List<NDArray> shard = new ArrayList<>(inputs.size());
                for (NDArray x : inputs) {
                    NDArray s = x.get(from + ":" + to);
                    shard.add(d.equals(home) ? s : s.toDevice(d, false));
                }
                if (labels != null) {
                    ((ClassConditional) model).setBatchLabels(java.util.Arrays.copyOfRange(labels, from, to));
                }
                ParameterStore store = i == 0 && d.equals(home) ? ps : new ReplicaParameterStore(shard.get(0).getManager());
                out.set(i, pass.apply(store, shard));
                SHARD_PASSES.incrementAndGet();
            }
        } finally {
            if (labels != null) {
                ((ClassConditional) model).setBatchLabels(batchLabels);
            }
        }
        return out;
    }

    private static String splitError(List<Device> devices, int n) {
        int r = devices.size();
        return "devices (" + ReplicaDevices.describe(devices) + "): a batch of " + n + " image" + (n == 1 ? "" : "s")
                + " cannot be split over " + r + " replicas (each needs at least one); use a batch of at least "
                + r + " or fewer devices";
    }

    /** First image of shard {@code i} of {@code r} over {@code n}: the first {@code n % r} shards get one more. */
    static int shardStart(int n, int r, int i) {
        return i * (n / r) + Math.min(i, n % r);
    }

    /** The labels of a scored batch of {@code n} images (the batch's, or twice them for real and fake together). */
    private int[] labelsFor(int n) {
        if (!(model instanceof ClassConditional) || batchLabels == null) {
            return null;
        }
        int l = batchLabels.length;
        if (n == l) {
            return batchLabels;
        }
        if (n == 2 * l) {
            int[] both = new int[n];
            System.arraycopy(batchLabels, 0, both, 0, l);
            System.arraycopy(batchLabels, 0, both, l, l);
            return both;
        }
        return null;
    }

    private static NDArray concat(List<NDArray> parts) {
        Device home = parts.get(0).getDevice();
        NDList moved = new NDList(parts.size());
        for (NDArray a : parts) {
            moved.add(a.getDevice().equals(home) ? a : a.toDevice(home, false));
        }
        return NDArrays.concat(moved, 0);
    }

    private static NDList concatLists(List<NDList> parts) {
        NDList out = new NDList();
        for (int v = 0; v < parts.get(0).size(); v++) {
            List<NDArray> view = new ArrayList<>();
            for (NDList l : parts) {
                view.add(l.get(v));
            }
            out.add(concat(view));
        }
        return out;
    }

    /** One output from the shards': logits and features concatenated, auxiliary values weighted by shard size. */
    private static DiscriminatorOutput gather(List<DiscriminatorOutput> parts) {
        List<NDArray> logits = new ArrayList<>();
        List<NDArray> features = new ArrayList<>();
        List<NDArray> aux = new ArrayList<>();
        long[] sizes = new long[parts.size()];
        for (int i = 0; i < parts.size(); i++) {
            DiscriminatorOutput o = parts.get(i);
            logits.add(o.logits());
            features.add(o.features());
            aux.add(o.auxLoss());
            sizes[i] = o.logits().getShape().get(0);
        }
        Map<String, NDArray> metrics = new HashMap<>();
        for (String key : parts.get(0).auxMetrics().keySet()) {
            List<NDArray> values = new ArrayList<>();
            for (DiscriminatorOutput o : parts) {
                values.add(o.auxMetrics().get(key));
            }
            NDArray m = weightedMean(values, sizes);
            if (m != null) {
                metrics.put(key, m);
            }
        }
        return new DiscriminatorOutput(concat(logits), features.contains(null) ? null : concat(features),
                weightedMean(aux, sizes), metrics);
    }

    private static NDArray weightedMean(List<NDArray> values, long[] sizes) {
        if (values.contains(null)) {
            return null;
        }
        long total = 0;
        for (long s : sizes) {
            total += s;
        }
        Device home = values.get(0).getDevice();
        NDArray sum = null;
        for (int i = 0; i < values.size(); i++) {
            NDArray v = values.get(i).getDevice().equals(home) ? values.get(i) : values.get(i).toDevice(home, false);
            NDArray w = v.mul((float) ((double) sizes[i] / total));
            sum = sum == null ? w : sum.add(w);
        }
        return sum;
    }

    private static <T> List<T> column(List<T[]> rows, int c) {
        List<T> out = new ArrayList<>(rows.size());
        for (T[] row : rows) {
            out.add(row[c]);
        }
        return out;
    }

    private static List<NDArray> list(NDArray... arrays) {
        return List.of(arrays);
    }

    private static boolean is(Class<?>[] actual, Class<?>... expected) {
        return java.util.Arrays.equals(actual, expected);
    }
}
