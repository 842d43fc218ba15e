package dev.ganlab;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.util.ArrayList;
import java.util.List;

/** Looks into networks for tests: parameter names, layers of a type, and weight changes. */
public final class BlockChecks {

    private BlockChecks() {}

    /** The names of a block's parameters, in the order checkpoints store them. */
    public static List<String> parameterNames(Block b) {
        List<String> names = new ArrayList<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            names.add(p.getKey());
        }
        return names;
    }

    /** Whether {@code b} or any block below it is a {@code type}. */
    public static boolean contains(Block b, Class<?> type) {
        if (type.isInstance(b)) {
            return true;
        }
        for (Block child : b.getChildren().values()) {
            if (contains(child, type)) {
                return true;
            }
        }
        return false;
    }

    /** {@code b} and every block below it that is a {@code type}, each before its children, children in order. */
    public static <T> List<T> blocksOf(Block b, Class<T> type) {
        List<T> out = new ArrayList<>();
        if (type.isInstance(b)) {
            out.add(type.cast(b));
        }
        for (Block child : b.getChildren().values()) {
            out.addAll(blocksOf(child, type));
        }
        return out;
    }

    /** The largest absolute difference of two arrays of the same length. */
    public static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths " + a.length + " and " + b.length + " differ");
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
