package dev.ganlab.metrics;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * ProGAN's sliced Wasserstein distance (Karras et al., 2018) per Laplacian-pyramid level, x1e3 as the
 * paper reports it: the mean over levels {@code swd_x1e3} and each level {@code swd_<res>_x1e3}. Maths
 * in {@link SlicedWasserstein}.
 */
final class SwdMetric implements Metric {

    @Override
    public String name() {
        return "swd";
    }

    @Override
    public Set<Input> needs() {
        return EnumSet.of(Input.PIXELS);
    }

    @Override
    public List<Column> columns() {
        return List.of(new Column("swd_x1e3", false, Better.LOWER, true));
    }

    @Override
    public void measure(Inputs in, Output out) {
        SlicedWasserstein.Result r = SlicedWasserstein.compute(in.real(), in.fake(), in.seed());
        out.put("swd_x1e3", r.meanX1e3());
        for (int i = 0; i < r.resolutions().length; i++) {
            out.put("swd_" + r.resolutions()[i] + "_x1e3", r.perLevelX1e3()[i]);
        }
        out.setup("swd", Map.of("scale", "x1e3 (as ProGAN reports)", "levels", r.resolutions(), "images", r.images(),
                "descriptors_per_image_and_level", SlicedWasserstein.NHOODS_PER_IMAGE, "directions",
                SlicedWasserstein.DIR_REPEATS + " x " + SlicedWasserstein.DIRS_PER_REPEAT));
    }

    @Override
    public String summary(EvaluationReport r) {
        return !r.has("swd_x1e3") ? null : String.format(Locale.ROOT, "swd_x1e3 %.3f", r.get("swd_x1e3"));
    }
}
