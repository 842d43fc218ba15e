package dev.ganlab.metrics;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * MS-SSIM diversity (Odena et al., 2017): the mean MS-SSIM of random pairs of fakes, beside that of
 * the reals (lower is more diverse; compare with the reals', not across data sets). Maths in
 * {@link MsSsim}.
 */
final class MsSsimMetric implements Metric {

    @Override
    public String name() {
        return "msssim";
    }

    @Override
    public Set<Input> needs() {
        return EnumSet.of(Input.PIXELS);
    }

    @Override
    public List<Column> columns() {
        return List.of(new Column("msssim_fake", false, Better.NONE, true),
                new Column("msssim_real", false, Better.NONE, false));
    }

    @Override
    public void measure(Inputs in, Output out) {
        int set = in.options().msssimPairs();
        int pairs = set > 0 ? set : Math.max(1, Math.min(MsSsim.DEFAULT_PAIRS, in.fake().size() / 2));
        MsSsim.Diversity f = MsSsim.diversity(in.fake(), pairs, in.seed());
        MsSsim.Diversity real = in.memo("msssim.real." + pairs, () -> MsSsim.diversity(in.real(), pairs, in.seed()));
        out.put("msssim_fake", f.mean());
        out.put("msssim_real", real.mean());
        out.setup("msssim", Map.of("pairs", pairs, "scales_fake", f.scales(), "scales_real", real.scales(), "std_fake",
                f.std(), "std_real", real.std(), "policy", "tf.image.ssim_multiscale semantics; images too small for"
                        + " 5 scales use the scales that keep 11 px, weights renormalised"));
        if (f.scales() < MsSsim.WEIGHTS.length) {
            out.warn("MS-SSIM on " + in.fake().height() + "x" + in.fake().width() + " images uses " + f.scales()
                    + " of 5 scales (renormalised weights): not comparable with 5-scale figures");
        }
    }

    @Override
    public String summary(EvaluationReport r) {
        return !r.has("msssim_fake") ? null
                : String.format(Locale.ROOT, "msssim %.4f (real %.4f)", r.get("msssim_fake"), r.get("msssim_real"));
    }
}
