package dev.ganlab.models.progan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ProGAN's growth schedule as a pure function of the number of real images shown (Karras et al.,
 * ICLR 2018, appendix A.1): train at the start resolution for {@code stabiliseImages}, then for each
 * doubling fade the new layers in over {@code fadeInImages} (alpha rising linearly 0 -> 1) and
 * stabilise for {@code stabiliseImages} at alpha = 1; the target resolution stabilises for ever.
 *
 * <p>Phases are half-open intervals of images shown: exactly at a boundary the later phase has
 * begun (alpha = 0 on the first image of a fade-in, the stabilisation at the image where alpha would
 * reach 1). Because the stage depends on nothing but the count, a run resumed mid-phase is at exactly
 * the stage it left.
 */
public final class ProganSchedule {

    /** The two phases of a resolution. */
    public enum Phase {
        /** New layers blend in: output = lerp(old path, new path, alpha). */
        FADE_IN("fade-in"),
        /** alpha = 1: only the new path. */
        STABILISE("stabilise");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        /** "fade-in" or "stabilise". */
        public String label() {
            return label;
        }
    }

    /**
     * Where training is: resolution, phase and the fade-in weight of the new layers.
     *
     * @param resolution the resolution the networks currently work at (a power of two >= 4)
     * @param phase fade-in or stabilise
     * @param alpha weight of the new layers: in [0, 1] during a fade-in, 1 when stabilising
     */
    public record Stage(int resolution, Phase phase, double alpha) {

        public Stage {
            if (!ProganConfig.isPowerOfTwo(resolution) || resolution < 4) {
                throw new IllegalArgumentException("stage resolution " + resolution + " must be a power of two >= 4");
            }
            if (phase == null) {
                throw new IllegalArgumentException("stage phase must not be null");
            }
            if (!(alpha >= 0 && alpha <= 1)) {
                throw new IllegalArgumentException("stage alpha " + alpha + " must be in [0, 1]");
            }
            if (phase == Phase.STABILISE && alpha != 1) {
                throw new IllegalArgumentException("stage alpha " + alpha + " must be 1 when stabilising");
            }
            if (phase == Phase.FADE_IN && resolution == 4) {
                throw new IllegalArgumentException("4px has no lower resolution to fade in from");
            }
        }

        /** The stabilisation stage at {@code resolution}. */
        public static Stage stable(int resolution) {
            return new Stage(resolution, Phase.STABILISE, 1.0);
        }

        /** A fade-in stage at {@code resolution} with new-layer weight {@code alpha}. */
        public static Stage fadeIn(int resolution, double alpha) {
            return new Stage(resolution, Phase.FADE_IN, alpha);
        }

        public boolean fadingIn() {
            return phase == Phase.FADE_IN;
        }

        /**
         * The official code's level of detail: {@code log2(target / resolution) + (1 - alpha)}; 0 at the
         * target resolution once stabilised, fractional during a fade-in.
         */
        public double lod(int targetResolution) {
            return ProganConfig.log2(targetResolution) - ProganConfig.log2(resolution) + (1 - alpha);
        }

        /** E.g. "32px fade-in alpha=0.41" or "32px stabilise". */
        public String describe() {
            return fadingIn() ? String.format(Locale.ROOT, "%dpx fade-in alpha=%.2f", resolution, alpha)
                    : resolution + "px stabilise";
        }
    }

    /** Where a phase begins, in images shown. */
    public record PhaseStart(long images, int resolution, Phase phase) {}

    private final int startResolution;
    private final int targetResolution;
    private final long fadeInImages;
    private final long stabiliseImages;
    private final int growthSteps;

    public ProganSchedule(int startResolution, int targetResolution, long fadeInImages, long stabiliseImages) {
        if (!ProganConfig.isPowerOfTwo(startResolution) || startResolution < 4) {
            throw new IllegalArgumentException("schedule start resolution " + startResolution
                    + " must be a power of two >= 4");
        }
        if (!ProganConfig.isPowerOfTwo(targetResolution) || targetResolution < startResolution) {
            throw new IllegalArgumentException("schedule target resolution " + targetResolution
                    + " must be a power of two >= the start resolution " + startResolution);
        }
        if (fadeInImages < 0 || stabiliseImages < 0) {
            throw new IllegalArgumentException("schedule fade-in images " + fadeInImages + " and stabilise images "
                    + stabiliseImages + " must be >= 0");
        }
        if (targetResolution > startResolution && fadeInImages + stabiliseImages < 1) {
            throw new IllegalArgumentException("schedule needs fade-in + stabilise images >= 1 to grow from "
                    + startResolution + " to " + targetResolution);
        }
        this.startResolution = startResolution;
        this.targetResolution = targetResolution;
        this.fadeInImages = fadeInImages;
        this.stabiliseImages = stabiliseImages;
        this.growthSteps = ProganConfig.log2(targetResolution) - ProganConfig.log2(startResolution);
    }

    /** The schedule of a (validated) config. */
    public static ProganSchedule of(ProganConfig cfg) {
        return new ProganSchedule(cfg.startResolution, cfg.targetResolution, cfg.fadeInImages, cfg.stabiliseImages);
    }

    /** The stage after {@code images} real images have been shown. */
    public Stage at(long images) {
        if (images < 0) {
            throw new IllegalArgumentException("images shown " + images + " must be >= 0");
        }
        if (growthSteps == 0 || images < stabiliseImages) {
            return Stage.stable(startResolution);
        }
        long sinceFirstGrowth = images - stabiliseImages;
        long period = fadeInImages + stabiliseImages;
        long step = 1 + sinceFirstGrowth / period; // 1 = first doubling
        if (step > growthSteps) {
            return Stage.stable(targetResolution);
        }
        int resolution = startResolution << step;
        long into = sinceFirstGrowth % period;
        if (into < fadeInImages) {
            return Stage.fadeIn(resolution, (double) into / fadeInImages);
        }
        return Stage.stable(resolution);
    }

    /** Whether going from {@code before} to {@code after} images shown changes the resolution. */
    public boolean changesResolution(long before, long after) {
        return at(before).resolution() != at(after).resolution();
    }

    /** Images shown when the fade-in of {@code resolution} begins (not defined for the start resolution). */
    public long fadeInStart(int resolution) {
        int step = stepOf(resolution);
        if (step == 0) {
            throw new IllegalArgumentException("the start resolution " + resolution + " has no fade-in");
        }
        return stabiliseImages + (step - 1) * (fadeInImages + stabiliseImages);
    }

    /** Images shown when the stabilisation at {@code resolution} begins (0 for the start resolution). */
    public long stabiliseStart(int resolution) {
        return stepOf(resolution) == 0 ? 0 : fadeInStart(resolution) + fadeInImages;
    }

    /** Images after which the stage no longer changes (the target resolution's stabilisation starts). */
    public long growthEnd() {
        return stabiliseStart(targetResolution);
    }

    /**
     * Every phase in order with the image count at which it begins, for plots and progress reports.
     * Phases of zero length are left out; the target's stabilisation, which never ends, is always last.
     */
    public List<PhaseStart> phases() {
        List<PhaseStart> list = new ArrayList<>();
        for (int r = startResolution; r <= targetResolution; r *= 2) {
            if (r > startResolution && fadeInImages > 0) {
                list.add(new PhaseStart(fadeInStart(r), r, Phase.FADE_IN));
            }
            if (stabiliseImages > 0 || r == targetResolution) {
                list.add(new PhaseStart(stabiliseStart(r), r, Phase.STABILISE));
            }
        }
        return list;
    }

    public int startResolution() {
        return startResolution;
    }

    public int targetResolution() {
        return targetResolution;
    }

    public long fadeInImages() {
        return fadeInImages;
    }

    public long stabiliseImages() {
        return stabiliseImages;
    }

    private int stepOf(int resolution) {
        if (!ProganConfig.isPowerOfTwo(resolution) || resolution < startResolution || resolution > targetResolution) {
            throw new IllegalArgumentException("resolution " + resolution + " is not a power of two between "
                    + startResolution + " and " + targetResolution);
        }
        return ProganConfig.log2(resolution) - ProganConfig.log2(startResolution);
    }
}
