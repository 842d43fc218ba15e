package dev.ganlab.latent;

import dev.ganlab.core.UserError;
import dev.ganlab.data.Datasets;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.metrics.EvaluationReport;
import dev.ganlab.metrics.Evaluator;
import dev.ganlab.metrics.Metric;
import dev.ganlab.train.TrainConfig;
import dev.ganlab.train.TrainedGenerator;
import dev.ganlab.viz.LineChart;
import dev.ganlab.viz.Plots;
import tech.tablesaw.plotly.components.Figure;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The truncation trick's quality/diversity trade-off (Brock et al. 2019, fig. 2; Karras et al. 2019,
 * sec. 3.1): for each psi the same latents are truncated ({@link LatentExplorer#truncated}) and the images
 * scored with FID (quality and coverage; lower is better) and MS-SSIM diversity (mean MS-SSIM of random
 * pairs of fakes, Odena et al. 2017; higher means less diverse). As psi falls, samples move towards the
 * generator's "average" image: MS-SSIM rises, and FID usually first falls a little (fewer bad samples)
 * and then rises (the set no longer covers the data).
 */
public final class TruncationSweep {

    private TruncationSweep() {}

    /** One psi's scores. */
    public record Row(double psi, double fid, double msssimFake) {}

    /**
     * A sweep's scores, with the real set's own MS-SSIM as the diversity to aim for.
     *
     * @param fidKey the FID's name in this feature space ({@code fid_fmnist}, ...)
     * @param reports the full report of each psi (setup records: network, sets, counts, seed)
     */
    public record Result(LatentPrior prior, String fidKey, List<Row> rows, double msssimReal,
            List<EvaluationReport> reports, List<String> warnings) {

        /** A plain-text table, one line per psi. */
        public String table() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%6s  %12s  %12s%n", "psi", fidKey,
                    "msssim_fake"));
            for (Row r : rows) {
                b.append(String.format(Locale.ROOT, "%6.3f  %12.4f  %12.4f%n", r.psi(), r.fid(), r.msssimFake()));
            }
            b.append(String.format(Locale.ROOT, "(msssim of real pairs: %.4f; truncation here: %s)%n", msssimReal,
                    prior.truncationMeaning()));
            return b.toString();
        }

        public double[] psis() {
            return rows.stream().mapToDouble(Row::psi).toArray();
        }

        public double[] fids() {
            return rows.stream().mapToDouble(Row::fid).toArray();
        }

        public double[] msssims() {
            return rows.stream().mapToDouble(Row::msssimFake).toArray();
        }

        /** FID and MS-SSIM against psi as two stacked charts (PNG-ready). */
        public BufferedImage chart() {
            double[] psi = psis();
            BufferedImage top = LineChart.create("FID against truncation psi (lower is better)").xLabel("psi")
                    .yLabel(fidKey).series(fidKey, psi, fids()).render();
            double[] real = new double[psi.length];
            Arrays.fill(real, msssimReal);
            BufferedImage bottom = LineChart.create("MS-SSIM of fake pairs against psi (higher = less diverse)")
                    .xLabel("psi").yLabel("MS-SSIM").series("fakes", psi, msssims()).series("real pairs", psi, real)
                    .render();
            BufferedImage out = new BufferedImage(Math.max(top.getWidth(), bottom.getWidth()),
                    top.getHeight() + bottom.getHeight(), BufferedImage.TYPE_INT_RGB);
            Graphics2D g = out.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.drawImage(top, 0, 0, null);
            g.drawImage(bottom, 0, top.getHeight(), null);
            g.dispose();
            return out;
        }

        /** The same as an interactive two-axis figure for notebooks. */
        public Figure figure() {
            return Plots.twoAxes("Truncation: quality (FID) and diversity (MS-SSIM) against psi", "psi", psis(),
                    fidKey, fids(), "MS-SSIM of fakes", msssims());
        }
    }

    /**
     * An evaluator for a run's sweep: FID and MS-SSIM against {@code realSpec} (blank: the run's
     * evaluation set, else its training data), resized to the generator's image size when needed.
     */
    public static Evaluator evaluatorFor(TrainedGenerator g, String realSpec, String features, int n, long seed) {
        TrainConfig cfg = g.config();
        String spec = realSpec != null && !realSpec.isBlank() ? realSpec
                : !cfg.eval.real.isBlank() ? cfg.eval.real : cfg.data;
        ImageDataset real = Datasets.load(spec);
        long c = g.model().imageShape().get(0);
        long r = g.model().imageShape().get(1);
        if (real.channels() != c || real.height() != r) {
            real = Datasets.resized(real, (int) c, (int) r);
        }
        Evaluator.Builder b = Evaluator.builder().real(real).n(n).metrics("fid,msssim").seed(seed);
        if (features != null && !features.isBlank()) {
            b.features(features);
        }
        return b.build();
    }

    /**
     * Scores {@code n} truncated samples per psi (the same latents for every psi, drawn with
     * {@code seed}).
     *
     * @throws UserError when the evaluator does not compute FID and MS-SSIM, or a psi is outside [0, 1]
     */
    public static Result run(LatentExplorer explorer, Evaluator evaluator, double[] psis, int n, long seed) {
        if (psis.length == 0) {
            throw new UserError("truncation sweep: no psi values given");
        }
        for (double psi : psis) {
            Latents.checkPsi(psi);
        }
        List<String> names = evaluator.metrics().stream().map(Metric::name).toList();
        if (!names.contains("fid") || !names.contains("msssim")) {
            throw new UserError("truncation sweep: the evaluator must compute fid and msssim, it has "
                    + evaluator.metrics());
        }
        String fidKey = Metric.scoreKey("fid", evaluator.extractor().scoreSuffix());
        List<Row> rows = new ArrayList<>();
        List<EvaluationReport> reports = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        double real = Double.NaN;
        for (double psi : psis) {
            EvaluationReport rep = evaluator.evaluate(explorer.truncated(n, seed, psi));
            reports.add(rep);
            rows.add(new Row(psi, rep.metrics().get(fidKey), rep.metrics().get("msssim_fake")));
            real = rep.metrics().get("msssim_real");
            for (String w : rep.warnings()) {
                if (!warnings.contains(w)) {
                    warnings.add(w);
                }
            }
        }
        if (explorer.prior() == LatentPrior.SPHERE) {
            warnings.add("ProGAN projects latents onto a sphere: truncation by psi in (0, 1] does not change its"
                    + " images, and psi = 0 gives one image (see LatentPrior.SPHERE)");
        }
        return new Result(explorer.prior(), fidKey, rows, real, reports, warnings);
    }
}
