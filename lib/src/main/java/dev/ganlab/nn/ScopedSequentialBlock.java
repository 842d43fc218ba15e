package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.ganlab.core.StepScope;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A {@link SequentialBlock} that frees memory layer by layer, as PyTorch does by reference counting:
 * each layer runs in its own {@link StepScope}, which closes the layer's temporaries when it returns,
 * and each intermediate output is closed once the next layer has read it. The arithmetic is the
 * sequential block's own; parameters, names and saved bytes are those of a SequentialBlock.
 *
 * <p>Why (issue 18, item 4): a DJL array holds its tensor until it is closed, so a plain sequential
 * block keeps every layer's output, and every temporary inside the layers, until the training
 * phase's scope closes. Without a graph (the fakes for the critic, sample grids) that is the whole
 * forward where one or two layers' outputs are needed; with a graph, autograd holds its own
 * reference to what the backward reads (a convolution's input, batch norm's input), and only the
 * handles of the rest (a leaky ReLU output a sum consumes, a padded convolution's
 * full-width result) go. Measured figures: lib/BENCHMARKS.md, "Peak memory by model and resolution".
 */
public class ScopedSequentialBlock extends SequentialBlock {

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Set<NDArray> given = identitySet(inputs);
        NDList current = inputs;
        for (Block block : getChildren().values()) {
            NDList in = current;
            NDList out = StepScope.keep(() -> block.forward(ps, in, training), list -> list);
            if (in != inputs) {
                // The previous layer's outputs, unless passed through (a layer may return its input).
                Set<NDArray> passed = identitySet(out);
                for (NDArray a : in) {
                    if (!passed.contains(a) && !given.contains(a)) {
                        StepScope.release(a);
                    }
                }
            }
            current = out;
        }
        return current;
    }

    private static Set<NDArray> identitySet(NDList list) {
        Set<NDArray> s = Collections.newSetFromMap(new IdentityHashMap<>());
        s.addAll(list);
        return s;
    }
}
