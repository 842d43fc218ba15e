package dev.ganlab.metrics;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * KID (Bińkowski et al., 2018): unbiased MMD² with the cubic polynomial kernel, mean and spread over
 * random subsets ({@link Evaluator.Builder#kid}). Maths in {@link KernelInceptionDistance}.
 */
final class KidMetric implements Metric {

    @Override
    public String name() {
        return "kid";
    }

    @Override
    public Set<Input> needs() {
        return EnumSet.of(Input.FEATURES);
    }

    @Override
    public List<Column> columns() {
        return List.of(new Column("kid", true, Better.LOWER, true), new Column("kid_std", true, Better.NONE, false));
    }

    @Override
    public void measure(Inputs in, Output out) {
        KernelInceptionDistance.Result k = KernelInceptionDistance.kid(in.realFeatures(), in.fakeFeatures(),
                in.options().kidSubsets(), in.options().kidSubsetSize(), in.seed());
        out.score("kid", k.mean());
        out.score("kid_std", k.std());
        out.setup("kid", Map.of("kernel", "(x.y/d + 1)^3", "estimator", "unbiased MMD^2", "subsets", k.subsets(),
                "subset_size", k.subsetSize(), "whole_sets", k.wholeSets()));
    }

    @Override
    public String summary(EvaluationReport r) {
        String kid = r.key("kid");
        if (!r.has(kid)) {
            return null;
        }
        // Sets no larger than the subset size give one subset (both whole sets) and no spread to show.
        return r.details().get("kid") instanceof Map<?, ?> setup && Boolean.TRUE.equals(setup.get("whole_sets"))
                ? String.format(Locale.ROOT, "%s %.5f (one subset: the whole sets, no spread)", kid, r.get(kid))
                : String.format(Locale.ROOT, "%s %.5f±%.5f", kid, r.get(kid), r.get(r.key("kid_std")));
    }
}
