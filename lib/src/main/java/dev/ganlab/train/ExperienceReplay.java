package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;

/**
 * Experience replay of generated images (Shrivastava et al., 2017; Salimans et al.'s historical
 * view): the discriminator keeps seeing some old fakes, so the generator cannot win by hopping back
 * to a mode the discriminator has forgotten. A buffer of past fakes lives on the device; each
 * discriminator step replaces a fraction of the fake batch with random buffer entries and writes the
 * batch's fresh fakes into random slots (reservoir style). The buffer is part of checkpoints.
 */
public final class ExperienceReplay {

    private final int capacity;
    private final float fraction;
    private final NDManager manager;
    private NDArray buffer;
    private int filled;

    public ExperienceReplay(int capacity, float fraction, NDManager manager) {
        this.capacity = capacity;
        this.fraction = fraction;
        this.manager = manager;
    }

    /** Images held so far. */
    public int size() {
        return filled;
    }

    /**
     * Returns the batch the discriminator should see: {@code fakes} with its first
     * {@code round(fraction * N)} images replaced by buffered ones (once the buffer holds a batch),
     * and stores the fresh fakes. The result belongs to {@code fakes}' manager.
     */
    public NDArray mix(NDArray fakes, SplittableRandom rng) {
        Shape s = fakes.getShape();
        long n = s.get(0);
        Shape image = s.slice(1);
        if (buffer == null || !buffer.getShape().slice(1).equals(image)) {
            // First use, or the image size changed (ProGAN grew): start a new buffer.
            if (buffer != null) {
                buffer.close();
            }
            buffer = manager.zeros(new Shape(capacity).addAll(image), fakes.getDataType(), fakes.getDevice());
            NDScope.unregister(buffer); // outlives the training step's scope
            filled = 0;
        }
        NDArray out = fakes;
        int k = Math.round(fraction * n);
        if (filled >= n && k > 0) {
            long[] idx = new long[k];
            for (int i = 0; i < k; i++) {
                idx[i] = rng.nextInt(filled);
            }
            NDArray old = buffer.get(fakes.getManager().create(idx));
            old.attach(fakes.getManager());
            out = old.concat(fakes.get(new NDIndex(k + ":")), 0);
        }
        for (int i = 0; i < n; i++) {
            int slot = filled < capacity ? filled++ : rng.nextInt(capacity);
            buffer.set(new NDIndex(slot), fakes.get(i));
        }
        return out;
    }

    public void save(DataOutputStream out) throws IOException {
        out.writeInt(filled);
        out.writeBoolean(buffer != null);
        if (buffer != null) {
            byte[] b = buffer.encode();
            out.writeInt(b.length);
            out.write(b);
        }
    }

    public void load(DataInputStream in) throws IOException {
        filled = in.readInt();
        if (in.readBoolean()) {
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            if (buffer != null) {
                buffer.close();
            }
            buffer = NDArray.decode(manager, b).toDevice(manager.getDevice(), false);
            NDScope.unregister(buffer);
        }
    }
}
