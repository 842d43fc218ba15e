package dev.ganlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.ganlab.core.GanLab;
import dev.ganlab.data.BatchSampler;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.models.GanModel;
import dev.ganlab.viz.ImageGrid;
import dev.ganlab.viz.PngFiles;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The run's fixed-latent sample grids and the mode-collapse alarm. Every {@code sampleEvery} steps
 * (and after the last) the generator's images of the fixed latents are saved as
 * {@code samples/step-<step>.png} (EMA generator; {@code ...-raw.png} beside it for the trained one),
 * and their diversity and coverage against fixed real images ({@link CollapseDetector}) join the next
 * history row. For a growing model the grid that ends each resolution is kept as
 * {@code samples/res-<R>px.png} ({@link #resolutionListener}).
 */
final class FixedSamples implements TrainingListener {

    /** Sample grids are saved as {@code samples/step-00000250.png} (and {@code ...-raw.png} beside EMA ones). */
    private static final String SAMPLE_GRID_NAME = "step-%08d";
    /** Names written by {@link #resolutionSampleName}. */
    private static final Pattern RESOLUTION_SAMPLE = Pattern.compile("res-(\\d+)px\\.png");

    private final GanTrainer trainer;
    private final NDArray fixedLatents;
    private final NDArray fixedReals;
    private final CollapseDetector collapse;
    private double lastDiversity = Double.NaN;
    private double lastCollapsePrecision = Double.NaN;
    private double lastCoverage = Double.NaN;

    /**
     * Draws the fixed latents from {@code latentSeed} and picks the fixed reals with
     * {@code realSeed} (both fixed per run, so a resumed run draws the same ones).
     */
    FixedSamples(GanTrainer trainer, ImageDataset data, NDManager root, long latentSeed, long realSeed) {
        this.trainer = trainer;
        TrainConfig cfg = trainer.config();
        GanLab.seedEngine(latentSeed);
        this.fixedLatents = trainer.model().sampleLatent(root, cfg.sampleCount);
        BatchSampler fixedSampler = new BatchSampler(data, realSeed, false);
        int nReal = Math.min(cfg.sampleCount, data.size());
        float[] buf = new float[nReal * data.imageLength()];
        fixedSampler.fill(0, nReal, buf);
        this.fixedReals = root.create(buf, new Shape(nReal, data.channels(), data.height(), data.width()));
        this.collapse = new CollapseDetector(realSeed);
    }

    @Override
    public void onStepEnd(GanTrainer t, long done, Map<String, Float> values) {
        if (t.timetable().samples(done)) {
            save();
        }
    }

    /** Saves the grids of the current step and measures diversity and coverage. */
    private void save() {
        GanModel model = trainer.model();
        GanLab.noGradOnThisThread();
        BufferedImage rawGrid;
        try (NDManager sm = trainer.rootManager().newSubManager(); NDScope scope = new NDScope()) {
            NDArray raw = generateBatched(trainer.generators().trained(), sm);
            Shape image = raw.getShape().slice(1);
            // A growing model's reals change with its stage (ProGAN blends them during a fade-in), so
            // compare with them as the discriminator sees them now. Set once per image size instead, the
            // reference would depend on the alpha of the first grid at that size, and a resumed run would
            // measure against other reals than the uninterrupted one.
            if (model.grows() || collapse.needsReal(image)) {
                collapse.setReal(model.prepareReals(fixedReals), trainer.rootManager());
            }
            lastDiversity = collapse.ratio(raw);
            trainer.historyRecorder().pend("diversity", lastDiversity);
            var pr = collapse.coverage(raw);
            lastCollapsePrecision = pr.precision();
            lastCoverage = pr.recall();
            trainer.historyRecorder().pend(CollapseDetector.PRECISION_KEY, lastCollapsePrecision);
            trainer.historyRecorder().pend("coverage", lastCoverage);
            rawGrid = ImageGrid.of(raw).cols(cols()).render();
        } // the raw grid's arrays are freed before the EMA grid is made (issue 18, item 4)
        long step = trainer.step();
        boolean ema = trainer.generators().hasEma();
        Path samples = trainer.dir().resolve("samples");
        String name = String.format(SAMPLE_GRID_NAME, step);
        PngFiles.write(rawGrid, samples.resolve(name + (ema ? "-raw" : "") + ".png"));
        BufferedImage grid = ema ? grid() : rawGrid;
        if (ema) {
            PngFiles.write(grid, samples.resolve(name + ".png"));
        }
        trainer.monitors().forEach(m -> m.onSamples(trainer, step, grid));
    }

    /**
     * The listener that keeps the grid ending each resolution of a growing model: after the last step,
     * or when the next step works at another resolution.
     */
    TrainingListener resolutionListener() {
        return new TrainingListener() {
            @Override
            public void onStepEnd(GanTrainer t, long done, Map<String, Float> values) {
                GanModel model = t.model();
                if (model.grows() && (t.timetable().isLast(done)
                        || model.resolutionAt(t.imagesShown()) != model.imageShape().get(1))) {
                    saveResolutionSamples();
                }
            }
        };
    }

    private void saveResolutionSamples() {
        int r = (int) trainer.model().imageShape().get(1);
        BufferedImage grid = grid();
        PngFiles.write(grid, trainer.dir().resolve("samples").resolve(resolutionSampleName(r)));
        trainer.monitors().forEach(m -> m.onResolutionDone(trainer, r, grid));
    }

    /** File name of the sample grid that ends resolution {@code resolution} (zero-padded so names sort). */
    static String resolutionSampleName(int resolution) {
        return String.format(Locale.ROOT, "res-%04dpx.png", resolution);
    }

    /** The grids of {@code samples/res-<R>px.png} by resolution, smallest first. */
    static Map<Integer, BufferedImage> resolutionSamples(Path dir) {
        Map<Integer, BufferedImage> grids = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir.resolve("samples"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = RESOLUTION_SAMPLE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    grids.put(Integer.parseInt(m.group(1)), PngFiles.read(f));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir.resolve("samples"), e);
        }
        return grids;
    }

    /** The grid of the fixed latents from the sampling generator (EMA when on). */
    BufferedImage grid() {
        GanLab.noGradOnThisThread();
        try (NDManager sm = trainer.rootManager().newSubManager(); NDScope scope = new NDScope()) {
            return ImageGrid.of(generateBatched(trainer.samplingGenerator(), sm)).cols(cols()).render();
        }
    }

    double diversity() {
        return lastDiversity;
    }

    double coverage() {
        return lastCoverage;
    }

    /**
     * Whether mode collapse is suspected: the samples look real (collapse_precision at least 0.5) while
     * their spread is below {@code threshold} times the real spread or they cover less than
     * {@code threshold} of the reals. (Without the precision condition an untrained generator, whose
     * outputs are all alike at first, raised the alarm in its first steps.)
     */
    boolean collapseSuspected(double threshold) {
        return lastCollapsePrecision >= 0.5 && (lastDiversity < threshold || lastCoverage < threshold);
    }

    private int cols() {
        return (int) Math.ceil(Math.sqrt(trainer.config().sampleCount));
    }

    private NDArray generateBatched(Block g, NDManager sm) {
        GanModel model = trainer.model();
        ParameterStore ps = trainer.parameterStore();
        int n = (int) fixedLatents.getShape().get(0);
        int b = Math.max(1, model.batchSize(trainer.config().batch));
        NDList parts = new NDList();
        for (int i = 0; i < n; i += b) {
            int from = i;
            // Each chunk's intermediates are freed as soon as its images are made: with all chunks' alive at
            // once, FastGAN's 64-image grid at 256 px held about 12 GB (issue 18, item 4).
            parts.add(PhaseScope.keepOne("grid chunk", () -> {
                NDArray zi = fixedLatents.get(from + ":" + Math.min(n, from + b));
                zi.attach(sm);
                return model.generate(g, ps, zi, false);
            }));
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts);
    }
}
