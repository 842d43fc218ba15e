package dev.ganlab.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.HashMap;
import java.util.Map;

/**
 * The parameters one replica of {@link DataParallel} computes with during one forward pass: a copy of
 * each parameter on the replica's device, made when a layer first asks for it.
 *
 * <p>A trained parameter (one that requires a gradient at that moment) is copied with a differentiable
 * op ({@code toDevice} to another device, {@code add(0)} on the same one), so inside a gradient
 * collector the copy is a node of the autograd graph and the backward pass carries the replica's
 * gradient back into the parameter's own {@code .grad}, where PyTorch sums it with the other
 * replicas'. That sum is the reduce, and the next pass copying the updated parameter again is the
 * broadcast (PyTorch's {@code nn.DataParallel} replicates the same way). State a layer updates in
 * place (spectral norm's power-iteration vectors, batch norm's running statistics) is copied
 * detached: a replica's update of it stays in its copy and is dropped with it.
 *
 * <p>DJL's own {@link ParameterStore} cannot serve here: it keys copies by device ("Duplicated devices
 * are not allowed"), keeps them as separate leaves synchronised by a {@code ParameterServer} that
 * runs a DJL {@code Optimizer} on every copy, whereas GAN Lab's {@link GanOptimizer} (Adam,
 * RMSprop, SGD with checkpointed moments) updates one copy.
 */
final class ReplicaParameterStore extends ParameterStore {

    private final NDManager owner;
    private final Map<String, NDArray> copies = new HashMap<>();

    /** @param owner the manager that owns the copies (the step's), closed with it */
    ReplicaParameterStore(NDManager owner) {
        super(owner, false);
        this.owner = owner;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        if (parameter == null) {
            return null;
        }
        return copies.computeIfAbsent(parameter.getId(), id -> copy(parameter.getArray(), device));
    }

    private NDArray copy(NDArray master, Device device) {
        boolean trained = master.hasGradient();
        NDArray c;
        if (!device.equals(master.getDevice())) {
            c = master.toDevice(device, false); // differentiable when trained; a plain copy otherwise
        } else {
            // duplicate() is detached on this engine; add(0) is a differentiable copy (exact: x + 0 = x).
            c = trained ? master.add(0f) : master.duplicate();
        }
        c.attach(owner);
        return c;
    }
}
