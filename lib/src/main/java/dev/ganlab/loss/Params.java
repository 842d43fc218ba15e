package dev.ganlab.loss;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

import java.util.ArrayList;
import java.util.List;

/** Parameter-list helpers shared by losses, optimisers and the training loop. */
public final class Params {

    private Params() {}

    /** The parameters of {@code block} that are trained (not running statistics or power-iteration vectors). */
    public static List<Parameter> trainable(Block block) {
        List<Parameter> out = new ArrayList<>();
        for (var p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                out.add(p.getValue());
            }
        }
        return out;
    }

    /**
     * Turns gradient recording on or off for parameters. Off during a pass that only needs input
     * gradients (a penalty's first pass, the discriminator during the generator's step) saves the
     * parameter-gradient work and leaves their accumulated gradients untouched.
     */
    public static void setRequiresGradient(List<Parameter> params, boolean on) {
        for (Parameter p : params) {
            if (p.isInitialized()) {
                p.getArray().setRequiresGradient(on);
            }
        }
    }
}
