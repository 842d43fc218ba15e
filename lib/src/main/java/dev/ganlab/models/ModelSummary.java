package dev.ganlab.models;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import dev.ganlab.core.GanLab;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Each block of a model's generator and discriminator with its output shape and parameter count,
 * and the totals, as torchinfo's {@code summary} does for PyTorch ({@code ganlab summary}; in a
 * notebook {@code Notebook.show(ModelSummary.of(model).table())} or print it).
 *
 * <p>The summary walks the block tree of any {@link GanModel} (DJL child blocks, in the order they
 * were added), so it needs nothing from the model beyond its two networks. Shapes are what each block
 * was initialised with: batch 2 from {@link GanModel#initializeGenerator} and
 * {@link GanModel#initializeDiscriminator}, shown as {@code N}. A growing model (ProGAN) holds every
 * resolution's layers from the start, so its summary is the network at its final resolution, with the
 * toRGB/fromRGB layers of all resolutions.
 *
 * <p>"Parameters" counts the trainable values only, as torchinfo's "Trainable params": batch-norm
 * running statistics and the spectral-norm vectors u, v are state, not parameters, and are counted
 * apart as non-trainable values. A parameter shared by two blocks is counted once in the totals.
 */
public final class ModelSummary {

    /** Default depth of rows shown: networks' children (1), their children (2), and one more (3). */
    public static final int DEFAULT_DEPTH = 3;

    /**
     * One block.
     *
     * @param depth 1 for the network's own children, 2 for theirs, ...
     * @param name the block's name in its parent (e.g. {@code 01Linear}, {@code stem}, {@code toRGB8})
     * @param layer what the block is (its description for a layer, its class for a container)
     * @param outputShape the block's output shape(s), batch axis shown as {@code N}
     * @param parameters trainable values of the block and everything under it
     * @param nonTrainable values of its state (running statistics, spectral-norm vectors)
     */
    public record Row(int depth, String name, String layer, String outputShape, long parameters, long nonTrainable) {}

    /**
     * One network.
     *
     * @param name "generator" or "discriminator"
     * @param inputShape what it takes, batch axis as {@code N}
     * @param rows its blocks, depth first
     * @param parameters trainable values in total
     * @param nonTrainable state values in total
     */
    public record Network(String name, String inputShape, List<Row> rows, long parameters, long nonTrainable) {}

    private final String model;
    private final Network generator;
    private final Network discriminator;

    private ModelSummary(String model, Network generator, Network discriminator) {
        this.model = model;
        this.generator = generator;
        this.discriminator = discriminator;
    }

    /** The summary of a model to {@link #DEFAULT_DEPTH}. */
    public static ModelSummary of(GanModel model) {
        return of(model, DEFAULT_DEPTH);
    }

    /**
     * The summary of a model with rows down to {@code depth}. A model whose networks are not
     * initialised yet is initialised in a scratch manager for the walk and cleared again afterwards,
     * so it is left as it was (a trainer will still initialise it from its own seed).
     */
    public static ModelSummary of(GanModel model, int depth) {
        if (depth < 0) {
            throw new IllegalArgumentException("summary depth " + depth + " must be >= 0");
        }
        Block g = model.generator();
        Block d = model.discriminator();
        boolean initG = !g.isInitialized();
        boolean initD = !d.isInitialized();
        if (!initG && !initD) {
            return new ModelSummary(model.name(), describe("generator", g, depth), describe("discriminator", d, depth));
        }
        NDManager scratch = GanLab.newManager();
        try {
            if (initG) {
                model.initializeGenerator(g, scratch);
            }
            if (initD) {
                model.initializeDiscriminator(scratch);
            }
            return new ModelSummary(model.name(), describe("generator", g, depth), describe("discriminator", d, depth));
        } finally {
            // Parameters back to uninitialised, then their arrays go with the scratch manager.
            if (initG) {
                g.clear();
            }
            if (initD) {
                d.clear();
            }
            scratch.close();
        }
    }

    /** Rows down to {@code depth} and totals of one initialised network. */
    public static Network describe(String name, Block network, int depth) {
        if (!network.isInitialized()) {
            throw new IllegalStateException(name + " is not initialised: its parameter shapes are not known yet");
        }
        List<Row> rows = new ArrayList<>();
        for (Pair<String, Block> child : network.getChildren()) {
            walk(child.getKey(), child.getValue(), 1, depth, rows);
        }
        long[] totals = count(network);
        return new Network(name, shapes(network.getInputShapes()), Collections.unmodifiableList(rows), totals[0],
                totals[1]);
    }

    private static void walk(String name, Block b, int level, int depth, List<Row> rows) {
        if (level > depth) {
            return;
        }
        long[] n = count(b);
        String layer = b.getChildren().isEmpty() && !(b instanceof SequentialBlock) ? b.toString()
                : b.getClass().getSimpleName();
        rows.add(new Row(level, name, layer, outputShape(b), n[0], n[1]));
        for (Pair<String, Block> child : b.getChildren()) {
            walk(child.getKey(), child.getValue(), level + 1, depth, rows);
        }
    }

    /** {trainable values, non-trainable values} of a block and its children, each parameter once. */
    private static long[] count(Block b) {
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        long trainable = 0;
        long state = 0;
        for (Pair<String, Parameter> p : b.getParameters()) {
            Parameter param = p.getValue();
            if (!seen.add(param)) {
                continue;
            }
            long size = param.getArray().getShape().size();
            if (param.requiresGradient()) {
                trainable += size;
            } else {
                state += size;
            }
        }
        return new long[] {trainable, state};
    }

    private static String outputShape(Block b) {
        Shape[] in;
        try {
            in = b.getInputShapes();
        } catch (IllegalStateException e) {
            return "?"; // a block its parent never initialised (not reached by the walk)
        }
        return in == null ? "?" : shapes(b.getOutputShapes(in));
    }

    private static String shapes(Shape[] shapes) {
        List<String> parts = new ArrayList<>();
        for (Shape s : shapes) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < s.dimension(); i++) {
                sb.append(i == 0 ? "N" : ", " + s.get(i));
            }
            parts.add(sb.append(')').toString());
        }
        return String.join(", ", parts);
    }

    /** The model's name, e.g. "dcgan". */
    public String model() {
        return model;
    }

    public Network generator() {
        return generator;
    }

    public Network discriminator() {
        return discriminator;
    }

    /** Trainable values of the generator. */
    public long generatorParameters() {
        return generator.parameters();
    }

    /** Trainable values of the discriminator. */
    public long discriminatorParameters() {
        return discriminator.parameters();
    }

    /** Both networks' rows as a table (network, depth, block, layer, output shape, parameters). */
    public Table table() {
        StringColumn net = StringColumn.create("network");
        IntColumn depth = IntColumn.create("depth");
        StringColumn block = StringColumn.create("block");
        StringColumn layer = StringColumn.create("layer");
        StringColumn shape = StringColumn.create("output shape");
        LongColumn params = LongColumn.create("parameters");
        LongColumn state = LongColumn.create("non-trainable");
        for (Network n : List.of(generator, discriminator)) {
            for (Row r : n.rows()) {
                net.append(n.name());
                depth.append(r.depth());
                block.append("  ".repeat(r.depth() - 1) + r.name());
                layer.append(r.layer());
                shape.append(r.outputShape());
                params.append(r.parameters());
                state.append(r.nonTrainable());
            }
            net.append(n.name());
            depth.append(0);
            block.append("total");
            layer.append("");
            shape.append("");
            params.append(n.parameters());
            state.append(n.nonTrainable());
        }
        return Table.create(model + " summary", net, depth, block, layer, shape, params, state);
    }

    /**
     * The summary as text: per network a header, one line per block, and the totals; the last two lines
     * are {@code generator parameters N} and {@code discriminator parameters N}.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Network n : List.of(generator, discriminator)) {
            int nameWidth = "block".length();
            int layerWidth = "layer".length();
            int shapeWidth = "output shape".length();
            for (Row r : n.rows()) {
                nameWidth = Math.max(nameWidth, 2 * (r.depth() - 1) + r.name().length());
                layerWidth = Math.max(layerWidth, r.layer().length());
                shapeWidth = Math.max(shapeWidth, r.outputShape().length());
            }
            String fmt = "%-" + nameWidth + "s  %-" + layerWidth + "s  %-" + shapeWidth + "s  %,14d%s%n";
            sb.append(String.format(Locale.ROOT, "%s %s, input %s%n", model, n.name(), n.inputShape()));
            if (!n.rows().isEmpty()) {
                sb.append(String.format(Locale.ROOT, "%-" + nameWidth + "s  %-" + layerWidth + "s  %-" + shapeWidth
                        + "s  %14s%n", "block", "layer", "output shape", "parameters"));
            }
            for (Row r : n.rows()) {
                String state = r.nonTrainable() > 0 ? String.format(Locale.ROOT, "  (+%,d non-trainable)",
                        r.nonTrainable()) : "";
                sb.append(String.format(Locale.ROOT, fmt, "  ".repeat(r.depth() - 1) + r.name(), r.layer(),
                        r.outputShape(), r.parameters(), state));
            }
            sb.append(String.format(Locale.ROOT, "%s non-trainable values %d (batch-norm statistics, spectral-norm"
                    + " vectors)%n%n", n.name(), n.nonTrainable()));
        }
        sb.append(String.format(Locale.ROOT, "generator parameters %d%n", generator.parameters()));
        sb.append(String.format(Locale.ROOT, "discriminator parameters %d%n", discriminator.parameters()));
        return sb.toString();
    }
}
