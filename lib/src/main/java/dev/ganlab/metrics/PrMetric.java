package dev.ganlab.metrics;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Improved precision and recall (Kynkäänniemi et al., 2019), k = {@value PrecisionRecall#DEFAULT_K}.
 * Maths in {@link PrecisionRecall}. Sweeps rank by recall (the diversity half) when nothing is said.
 */
final class PrMetric implements Metric {

    @Override
    public String name() {
        return "pr";
    }

    @Override
    public Set<Input> needs() {
        return EnumSet.of(Input.FEATURES);
    }

    @Override
    public List<Column> columns() {
        return List.of(new Column("precision", true, Better.HIGHER, true),
                new Column("recall", true, Better.HIGHER, true));
    }

    @Override
    public Column rankedBy() {
        return columns().get(1);
    }

    @Override
    public void checkCounts(int real, int fake) {
        Metric.requireAtLeast(name(), PrecisionRecall.DEFAULT_K + 1, real, fake);
    }

    @Override
    public void measure(Inputs in, Output out) {
        PrecisionRecall.Result r = PrecisionRecall.compute(in.realFeatures(), in.fakeFeatures());
        out.score("precision", r.precision());
        out.score("recall", r.recall());
        out.setup("pr", Map.of("k", r.k()));
    }

    @Override
    public String summary(EvaluationReport r) {
        String p = r.key("precision");
        String rc = r.key("recall");
        return !r.has(p) ? null : String.format(Locale.ROOT, "%s %.3f %s %.3f", p, r.get(p), rc, r.get(rc));
    }
}
