package dev.ganlab.models.progan;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.util.Pair;
import dev.ganlab.nn.ScaledWeightLayer;
import dev.ganlab.nn.WeightScaling;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What the equalized learning rate does to each layer of a network, measured on its weights (Karras
 * et al., ICLR 2018, sec. 4.1). Weights are stored N(0, 1) and multiplied at run time by the He
 * constant {@code c = gain / sqrt(fan_in)}. Adam divides each gradient by its own running RMS, so its
 * step is about the learning rate whatever the gradient's scale; relative to the weight it is
 * {@code lr / std(stored weight)}. Stored N(0, 1), that is {@code lr} in every layer; with the usual
 * He initialisation the stored weight would have the effective weight's spread {@code c}, and the
 * relative step {@code lr / c} would grow with the fan-in - wide layers would learn faster than
 * narrow ones.
 */
public final class EqualizedLr {

    private EqualizedLr() {}

    /**
     * One row per weight layer of {@code network} (initialised), in the order of its parameters:
     * {@code layer}, {@code fan_in}, {@code he_constant}, {@code stored_std}, {@code effective_std}
     * (he_constant x stored_std), and the relative Adam step {@code lr / std} of a weight stored as
     * it is here ({@code adam_step_equalized}) and of one stored at its effective scale
     * ({@code adam_step_he_init}).
     */
    public static Table layers(Block network, double learningRate) {
        StringColumn name = StringColumn.create("layer");
        LongColumn fanIn = LongColumn.create("fan_in");
        DoubleColumn he = DoubleColumn.create("he_constant");
        DoubleColumn stored = DoubleColumn.create("stored_std");
        DoubleColumn effective = DoubleColumn.create("effective_std");
        DoubleColumn stepEq = DoubleColumn.create("adam_step_equalized");
        DoubleColumn stepHe = DoubleColumn.create("adam_step_he_init");
        visit(network, "", (path, layer) -> {
            if (layer.scaling() != WeightScaling.EQUALIZED) {
                return;
            }
            NDArray w = layer.weight().getArray();                     // (out, fan_in...) stored N(0, 1)
            long out = w.getShape().get(0);
            float[] values = w.toFloatArray();
            double sd = std(values);
            name.append(path);
            fanIn.append(values.length / out);
            he.append(layer.runtimeScale());
            stored.append(sd);
            effective.append(sd * layer.runtimeScale());
            stepEq.append(learningRate / sd);
            stepHe.append(learningRate / (sd * layer.runtimeScale()));
        });
        return Table.create("equalized learning rate per layer", name, fanIn, he, stored, effective, stepEq, stepHe);
    }

    private interface Visitor {
        void layer(String path, ScaledWeightLayer layer);
    }

    private static void visit(Block b, String path, Visitor v) {
        if (b instanceof ScaledWeightLayer l) {
            v.layer(path, l);
        }
        for (Pair<String, Block> c : b.getChildren()) {
            visit(c.getValue(), path.isEmpty() ? c.getKey() : path + "/" + c.getKey(), v);
        }
    }

    private static double std(float[] x) {
        double mean = 0;
        for (float f : x) {
            mean += f;
        }
        mean /= x.length;
        double ss = 0;
        for (float f : x) {
            ss += (f - mean) * (f - mean);
        }
        return Math.sqrt(ss / x.length);
    }
}
