package dev.ganlab.metrics;

import dev.ganlab.core.UserError;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Inception Score (Salimans et al., 2016) over {@link InceptionScore#DEFAULT_SPLITS} splits of the
 * fakes' class probabilities; needs a network with a classifier head. Maths in {@link InceptionScore}.
 */
final class IsMetric implements Metric {

    @Override
    public String name() {
        return "is";
    }

    @Override
    public Set<Input> needs() {
        return EnumSet.of(Input.LOGITS);
    }

    @Override
    public List<Column> columns() {
        return List.of(new Column("is", true, Better.HIGHER, true), new Column("is_std", true, Better.NONE, false));
    }

    @Override
    public void checkCounts(int real, int fake) {
        if (fake < InceptionScore.DEFAULT_SPLITS) {
            throw new UserError("metric is: needs at least " + InceptionScore.DEFAULT_SPLITS + " fake images (one per"
                    + " split), got " + fake + "; raise --n or generate more images");
        }
    }

    @Override
    public void measure(Inputs in, Output out) {
        InceptionScore.Result r = InceptionScore.score(in.fakeLogits());
        out.score("is", r.mean());
        out.score("is_std", r.std());
        out.setup("is", Map.of("splits", r.splits(), "classes", in.fakeLogits().cols()));
    }

    @Override
    public String summary(EvaluationReport r) {
        String is = r.key("is");
        return !r.has(is) ? null : String.format(Locale.ROOT, "%s %.3f±%.3f", is, r.get(is), r.get(r.key("is_std")));
    }
}
