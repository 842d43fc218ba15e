package dev.ganlab.metrics;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * FID (Heusel et al., 2017): the Fréchet distance between Gaussians fitted to real and fake features,
 * with FID_infinity (Chong &amp; Forsyth, 2020, {@link FidInfinity}) below 10,000 fakes or when asked
 * for ({@link Evaluator.Builder#fidInfinity}). Maths in {@link FrechetDistance}.
 */
final class FidMetric implements Metric {

    @Override
    public String name() {
        return "fid";
    }

    @Override
    public Set<Input> needs() {
        return EnumSet.of(Input.FEATURES);
    }

    @Override
    public List<Column> columns() {
        return List.of(new Column("fid", true, Better.LOWER, true), new Column("fid_infinity", true, Better.LOWER, true));
    }

    @Override
    public void measure(Inputs in, Output out) {
        FrechetDistance.Reference real = in.memo("fid.reference", () -> new FrechetDistance.Reference(in.realStats()));
        out.score("fid", real.distanceTo(GaussianStats.of(in.fakeFeatures())));
        int fakes = in.fake().size();
        boolean small = fakes < FrechetDistance.UNBIASED_SAMPLE_COUNT;
        String infKey = out.scoreKey("fid_infinity");
        if (small) {
            out.warn("FID from " + fakes + " fakes (< " + FrechetDistance.UNBIASED_SAMPLE_COUNT
                    + ") is biased upward and not comparable across sample counts; compare equal counts (or"
                    + " " + infKey + " where reported)");
        }
        Boolean asked = in.options().fidInfinity();
        if (asked == null ? small : asked) {
            FidInfinity.Outcome o = FidInfinity.estimate(real, in.fakeFeatures(), in.seed(), infKey);
            if (o.computed()) {
                FrechetDistance.Extrapolation ex = o.line();
                out.put(infKey, ex.fidInfinity());
                out.setup("fid_infinity", Map.of("method", "Chong & Forsyth 2020: least-squares line in 1/N over "
                        + ex.sizes().length + " random subsets of the fakes, read at 1/N = 0", "sizes", ex.sizes(),
                        "fids", ex.fids(), "slope", ex.slope()));
            } else {
                out.warn(o.omittedBecause());
            }
        }
    }

    @Override
    public String summary(EvaluationReport r) {
        String fid = r.key("fid");
        if (!r.has(fid)) {
            return null;
        }
        String inf = r.key("fid_infinity");
        return String.format(Locale.ROOT, "%s %.3f", fid, r.get(fid))
                + (r.has(inf) ? String.format(Locale.ROOT, " (inf %.3f)", r.get(inf)) : "");
    }
}
