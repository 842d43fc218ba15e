package dev.ganlab.train;

import dev.ganlab.core.UserError;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The sample grids a run saved ({@code samples/step-N.png}, the EMA generator's when it had one;
 * {@code step-N-raw.png} are the trained generator's), for showing progress over training.
 */
public final class SampleGrids {

    private static final Pattern NAME = Pattern.compile("step-(\\d+)\\.png");
    private static final Pattern RAW_NAME = Pattern.compile("step-(\\d+)-raw\\.png");

    private SampleGrids() {}

    /** The run's grids in step order (raw-generator grids left out when an EMA grid exists). */
    public static List<Path> list(Path runDir) {
        Path dir = runDir.resolve("samples");
        if (!Files.isDirectory(dir)) {
            throw new UserError(runDir + " has no samples/ folder (is it a GAN Lab run?)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(SampleGrids::stepOf)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The run's grids read, by step, oldest first; none when the run has no {@code samples/} folder yet. */
    public static SortedMap<Long, BufferedImage> byStep(Path runDir) {
        SortedMap<Long, BufferedImage> grids = new TreeMap<>();
        if (Files.isDirectory(runDir.resolve("samples"))) {
            for (Path p : list(runDir)) {
                grids.put(stepOf(p), read(p));
            }
        }
        return grids;
    }

    /**
     * The run's grids of one generator, by step: the EMA generator's ({@code step-N.png}) or the raw one's
     * ({@code step-N-raw.png}; for a run without EMA, {@code step-N.png}, which is the raw generator's there).
     *
     * @throws UserError when the run saved no grids of that generator
     */
    public static SortedMap<Long, BufferedImage> read(Path runDir, boolean ema) {
        boolean runHasEma;
        try (Stream<Path> s = Files.list(runDir.resolve("samples"))) {
            runHasEma = s.anyMatch(p -> RAW_NAME.matcher(p.getFileName().toString()).matches());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + runDir.resolve("samples"), e);
        }
        if (ema && !runHasEma) {
            throw new UserError(runDir + " saved no EMA sample grids (the run keeps no EMA generator)");
        }
        SortedMap<Long, BufferedImage> out = new TreeMap<>();
        for (Path p : list(runDir)) {
            long step = stepOf(p);
            Path file = !ema && runHasEma ? p.resolveSibling(String.format("step-%s-raw.png", digits(p))) : p;
            if (Files.exists(file)) {
                out.put(step, read(file));
            }
        }
        return out;
    }

    private static String digits(Path grid) {
        Matcher m = NAME.matcher(grid.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(grid + " is not a step-N.png sample grid");
        }
        return m.group(1);
    }

    /** The step a grid file was saved at. */
    public static long stepOf(Path grid) {
        Matcher m = NAME.matcher(grid.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(grid + " is not a step-N.png sample grid");
        }
        return Long.parseLong(m.group(1));
    }

    /** {@code k} grids spread evenly from the first to the last (all when there are at most k). */
    public static List<Path> spread(List<Path> grids, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k " + k + " must be >= 1");
        }
        if (grids.size() <= k) {
            return grids;
        }
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            int idx = k == 1 ? grids.size() - 1 : (int) Math.round(i * (grids.size() - 1) / (double) (k - 1));
            if (out.isEmpty() || !out.get(out.size() - 1).equals(grids.get(idx))) {
                out.add(grids.get(idx));
            }
        }
        return out;
    }

    /** Reads a grid. */
    public static BufferedImage read(Path grid) {
        try {
            BufferedImage img = ImageIO.read(grid.toFile());
            if (img == null) {
                throw new UserError(grid + " is not a readable PNG");
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + grid, e);
        }
    }
}
