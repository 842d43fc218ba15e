package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Saves and restores a block's parameter values by name, in place. DJL's own loadParameters replaces
 * every parameter's array with a new one, which drops requires-grad and leaves anything holding the
 * old arrays (EMA pairs, optimiser bookkeeping) pointing at dead values; copying into the existing
 * arrays keeps identities, devices and gradient flags.
 */
public final class ParameterIO {

    private ParameterIO() {}

    public static void save(Block block, DataOutputStream out) throws IOException {
        List<Pair<String, Parameter>> params = new java.util.ArrayList<>();
        block.getParameters().forEach(params::add);
        out.writeInt(params.size());
        for (Pair<String, Parameter> p : params) {
            out.writeUTF(p.getKey());
            byte[] b = p.getValue().getArray().encode();
            out.writeInt(b.length);
            out.write(b);
        }
    }

    /** Copies saved values into {@code block}'s parameters; names and shapes must match. */
    public static void load(Block block, DataInputStream in) throws IOException {
        List<Pair<String, Parameter>> params = new java.util.ArrayList<>();
        block.getParameters().forEach(params::add);
        int n = in.readInt();
        if (n != params.size()) {
            throw new IOException("saved block has " + n + " parameters, this one " + params.size());
        }
        NDArray first = params.isEmpty() ? null : params.get(0).getValue().getArray();
        try (NDManager tmp = first == null ? null : first.getManager().newSubManager(); NDScope scope = new NDScope()) {
            for (Pair<String, Parameter> p : params) {
                String name = in.readUTF();
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                if (!name.equals(p.getKey())) {
                    throw new IOException("saved parameter '" + name + "' where '" + p.getKey() + "' was expected");
                }
                NDArray dst = p.getValue().getArray();
                NDArray src = NDArray.decode(tmp, b);
                if (!src.getShape().equals(dst.getShape())) {
                    throw new IOException("parameter '" + name + "' was saved as " + src.getShape() + ", is " + dst.getShape());
                }
                dst.muli(0).addi(src.toDevice(dst.getDevice(), false));
            }
        }
    }
}
