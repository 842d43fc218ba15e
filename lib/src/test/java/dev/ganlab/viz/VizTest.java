package dev.ganlab.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.AtomicFiles;
import dev.ganlab.data.ImageDataset;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VizTest {

    @TempDir Path dir;

    @Test
    void gridPlacesTilesRowMajorWithPaddingAndScale() {
        // Four 2x2 grey tiles with values 10, 20, 30, 40; 2 columns, pad 1, scale 3.
        float[] v = new float[4 * 4];
        for (int i = 0; i < 4; i++) {
            for (int k = 0; k < 4; k++) {
                v[i * 4 + k] = (10 * (i + 1)) / 127.5f - 1f;
            }
        }
        ImageDataset ds = ImageDataset.fromFloats(v, 4, 1, 2, 2, "tiles");
        BufferedImage g = ImageGrid.of(ds, 0, 4).cols(2).pad(1).scale(3).render();
        assertEquals(1 + 2 * (6 + 1), g.getWidth());
        assertEquals(1 + 2 * (6 + 1), g.getHeight());
        assertEquals(0xFFFFFF, g.getRGB(0, 0) & 0xFFFFFF, "padding is background");
        assertEquals(10, g.getRGB(1, 1) & 0xFF, "tile 0 at top left");
        assertEquals(20, g.getRGB(8, 1) & 0xFF, "tile 1 to its right");
        assertEquals(30, g.getRGB(1, 8) & 0xFF, "tile 2 starts the second row");
        assertEquals(40, g.getRGB(13, 13) & 0xFF, "tile 3, last scaled pixel");
    }

    @Test
    void defaultScaleEnlargesSmallTiles() {
        ImageDataset ds = ImageDataset.fromFloats(new float[28 * 28], 1, 1, 28, 28, "one");
        assertEquals(2 + 2 * 28 + 2, ImageGrid.of(ds, 0, 1).render().getWidth(), "pad, tile at 2x, pad");
    }

    @Test
    void smallerTilesAreEnlargedToFillTheLargestTilesCell() {
        // A 4x4 tile of value 50 beside a 16x16 one of 200, scale 1, pad 0: the small tile is drawn at 4x and
        // fills its 16x16 cell (before, it sat 4x4 in the cell's corner, the rest background).
        BufferedImage small = grey(4, 50);
        BufferedImage big = grey(16, 200);
        BufferedImage g = ImageGrid.of(List.of(small, big)).cols(2).pad(0).scale(1).render();
        assertEquals(32, g.getWidth());
        assertEquals(50, g.getRGB(0, 0) & 0xFF);
        assertEquals(50, g.getRGB(15, 15) & 0xFF, "the small tile's last pixel, 4x, fills the cell");
        assertEquals(200, g.getRGB(16, 0) & 0xFF);
        // A 6x6 tile in a 16x16 cell: enlarged 2x (the largest whole factor that fits) and centred, 2 px border.
        BufferedImage odd = ImageGrid.of(List.of(grey(6, 50), big)).cols(2).pad(0).scale(1).render();
        assertEquals(0xFF, odd.getRGB(1, 1) & 0xFF, "background around a tile that does not fill its cell");
        assertEquals(50, odd.getRGB(2, 2) & 0xFF);
        assertEquals(50, odd.getRGB(13, 13) & 0xFF);
        assertEquals(0xFF, odd.getRGB(14, 14) & 0xFF);
    }

    private static BufferedImage grey(int size, int value) {
        BufferedImage im = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                im.setRGB(x, y, value * 0x010101);
            }
        }
        return im;
    }

    @Test
    void ticksAreNiceAndCoverTheRange() {
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, LineChart.ticks(0.03, 0.97, 5), 1e-12);
        double[] t = LineChart.ticks(-3.3, 12.1, 6);
        assertTrue(t[0] <= -3.3 && t[t.length - 1] >= 12.1);
        assertEquals(5.0, t[1] - t[0], 1e-12);
        assertEquals("1.5k", LineChart.fmt(1500));
    }

    @Test
    void lineChartDrawsSeriesColours() {
        BufferedImage img = LineChart.create("loss").series("d", new double[] {0, 1, 2}, new double[] {1, Double.NaN, 3})
                .series("g", new double[] {0, 1, 2}, new double[] {2, 2, 2}).size(300, 200).render();
        boolean blue = false;
        boolean orange = false;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int c = img.getRGB(x, y) & 0xFFFFFF;
                blue |= c == 0x1f77b4;
                orange |= c == 0xff7f0e;
            }
        }
        assertTrue(blue && orange, "both series drawn in their palette colours");
        assertThrows(IllegalArgumentException.class, () -> LineChart.create("x").series("s", new double[2], new double[3]));
    }

    @Test
    void aPointOnTheLastStepIsDrawnInsideTheFrameNotOnIt() {
        // A one-point series at the largest step (notebook 04's 3,000-step run beside 60-step ones), at the lowest
        // value so its marker sits in the bottom half, below the legend (drawn top right in the same colour): its
        // colour must appear there left of the frame's right edge, and nothing of it on or beyond the edge.
        BufferedImage img = LineChart.create("fid").series("long", new double[] {3000}, new double[] {50})
                .series("short", new double[] {0, 60}, new double[] {120, 110}).size(300, 200).render();
        int frameRight = 300 - 12;
        int inside = 0;
        int outside = 0;
        for (int y = img.getHeight() / 2; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == 0x1f77b4) {
                    if (x < frameRight) {
                        inside++;
                    } else {
                        outside++;
                    }
                }
            }
        }
        assertTrue(inside > 0, "the point is drawn, inside the frame");
        assertEquals(0, outside, "no part of the marker lies on or beyond the frame");
    }

    @Test
    void singlePointsOnTheSameStepWithCloseValuesAreAllVisible() {
        // Notebook 04's chart: four loss families scored once at step 60, two of them 1 FID apart (121.3 and
        // 120.4), beside a 3,000-step curve. Each point must keep pixels of its own colour (one marker must not
        // cover the other), in the left part of the picture, away from the legend at the top right.
        BufferedImage img = LineChart.create("fid").series("hinge", new double[] {60}, new double[] {121.3})
                .series("ns", new double[] {60}, new double[] {120.4})
                .series("long", new double[] {0, 1500, 3000}, new double[] {250, 90, 45}).size(400, 240).render();
        int[] count = new int[2];
        double[] meanX = new double[2];
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth() / 4; x++) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                for (int k = 0; k < 2; k++) {
                    if (rgb == (LineChart.PALETTE[k].getRGB() & 0xFFFFFF)) {
                        count[k]++;
                        meanX[k] += x;
                    }
                }
            }
        }
        assertTrue(count[0] >= 10 && count[1] >= 10, "pixels of each point's own colour: " + count[0] + ", " + count[1]);
        assertTrue(meanX[0] / count[0] + 5 < meanX[1] / count[1],
                "the two markers are spread apart on their step, in legend order");
    }

    @Test
    void pointsSetApartOnTheLastStepStayInsideTheFrame() {
        // Two runs scored once at the last step (and a third a pixel away): set apart, they must not be pushed
        // onto or past the frame's right edge. Low values keep them in the bottom half, away from the legend.
        BufferedImage img = LineChart.create("fid").series("a", new double[] {3000}, new double[] {50})
                .series("b", new double[] {3000}, new double[] {51})
                .series("c", new double[] {2995}, new double[] {52})
                .series("curve", new double[] {0, 60}, new double[] {120, 110}).size(300, 200).render();
        int frameRight = 300 - 12;
        for (int k = 0; k < 3; k++) {
            int inside = 0;
            int outside = 0;
            for (int y = img.getHeight() / 2; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    if ((img.getRGB(x, y) & 0xFFFFFF) == (LineChart.PALETTE[k].getRGB() & 0xFFFFFF)) {
                        if (x < frameRight) {
                            inside++;
                        } else {
                            outside++;
                        }
                    }
                }
            }
            assertTrue(inside >= 10, "series " + k + " is drawn inside the frame: " + inside + " pixels");
            assertEquals(0, outside, "series " + k + ": nothing on or beyond the frame");
        }
    }

    @Test
    void groupedBarsDrawOneColouredTracePerSeriesSideBySide() {
        Map<String, double[]> series = new java.util.LinkedHashMap<>();
        series.put("precision", new double[] {0.25, 0.75});
        series.put("recall", new double[] {0.5, 0.125});
        String js = Plots.groupedBars("pr", "fraction", List.of("run a", "run b"), series).asJavascript("d");
        assertTrue(js.contains("precision") && js.contains("recall"), js);
        assertTrue(js.contains("0.125") && js.contains("0.75"), js);
        assertTrue(js.contains("#1f77b4") && js.contains("#ff7f0e"), "one palette colour per series: " + js);
        assertEquals(2, js.split("type: 'bar'", -1).length - 1, "two bar traces: " + js);
        series.put("short", new double[] {1});
        assertThrows(IllegalArgumentException.class, () -> Plots.groupedBars("pr", "y", List.of("a", "b"), series));
    }

    @Test
    void plotlyIsInlinedOnceAndStandalonePagesCarryTheirOwn() throws Exception {
        // The installed copy from environment/setup.sh (the README's test command runs it first).
        assertTrue(Files.isRegularFile(Plots.plotlyPath()), "plotly.js missing: run environment/setup.sh");
        Plots.resendPlotly();
        var fig = Plots.lines("t", "x", "y", new double[] {1, 2}, Map.of("a", new double[] {3, 4}), false);
        String first = Plots.html(fig);
        String second = Plots.html(fig);
        assertTrue(first.contains("window.__ganlabDefine") && first.contains("Plotly.newPlot"));
        assertFalse(second.contains("window.__ganlabDefine"));
        assertTrue(second.contains("Plotly.newPlot"));
        Path page = dir.resolve("p.html");
        Plots.saveHtml(page, "title", fig);
        String html = Files.readString(page);
        assertTrue(html.length() > 1_000_000, "standalone page embeds plotly.js");
        assertTrue(html.contains("Plotly.newPlot"));
    }

    @Test
    void galleryCaptionsEveryPictureInOrder() {
        BufferedImage a = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        BufferedImage b = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        Map<String, BufferedImage> m = new java.util.LinkedHashMap<>();
        m.put("8 px", a);
        m.put("16 px <final>", b);
        String html = Notebook.gallery(m).html();
        assertEquals(2, html.split("<img ", -1).length - 1, html);
        int first = html.indexOf("<figcaption");
        assertTrue(html.indexOf("8 px</figcaption>") > first && html.indexOf("16 px &lt;final&gt;</figcaption>")
                > html.indexOf("8 px</figcaption>"), "captions escaped and in order: " + html);
        assertThrows(IllegalArgumentException.class, () -> Notebook.gallery(Map.of()));
    }

    @Test
    void twoAxesPutsTheSecondSeriesOnAnAxisOnTheRight() {
        var fig = Plots.twoAxes("growth", "images", new double[] {0, 1, 2}, "resolution", new double[] {4, 8, 8},
                "alpha", new double[] {1, 0.5, 1});
        String js = fig.asJavascript("d");
        assertTrue(js.contains("yaxis2") && js.contains("overlaying") && js.contains("right"), js);
        assertTrue(js.contains("'y2'") || js.contains("\"y2\""), js);
        assertThrows(IllegalArgumentException.class, () -> Plots.twoAxes("t", "x", new double[] {0, 1}, "a",
                new double[] {1}, "b", new double[] {1, 2}));
    }

    @Test
    void sparseLinesKeepOnlyTheRowsWithAValuePerSeries() {
        tech.tablesaw.api.Table t = tech.tablesaw.api.Table.create("h",
                tech.tablesaw.api.DoubleColumn.create("images", new double[] {10, 20, 30, 40}),
                tech.tablesaw.api.DoubleColumn.create("swd_16", new double[] {Double.NaN, 5, Double.NaN, 3}),
                tech.tablesaw.api.DoubleColumn.create("swd_32", new double[] {Double.NaN, Double.NaN, Double.NaN, 7}));
        // Tablesaw writes the numbers as quoted strings.
        String js = Plots.sparseLines(t, "swd", "images", "swd_16", "swd_32").asJavascript("d")
                .replace("\"", "").replace(" ", "");
        assertTrue(js.contains("x:[20.0,40.0]") && js.contains("y:[5.0,3.0]"), js);
        assertTrue(js.contains("x:[40.0]") && js.contains("y:[7.0]"), "a single value still forms a series: " + js);
        assertFalse(js.contains("NaN"), js);
        assertTrue(js.contains("lines+markers"), js);
        assertThrows(IllegalArgumentException.class, () -> Plots.sparseLines(t, "x", "images", "fid"));
    }

    @Test
    void pngFilesAreWrittenWholeAndReadBack() throws Exception {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(2, 1, 0x123456);
        Path f = dir.resolve("sub/x.png");
        PngFiles.write(img, f);
        assertEquals(0x123456, ImageIO.read(f.toFile()).getRGB(2, 1) & 0xFFFFFF);
        assertEquals(0x123456, PngFiles.read(f).getRGB(2, 1) & 0xFFFFFF);
        var missing = assertThrows(java.io.UncheckedIOException.class, () -> PngFiles.read(dir.resolve("none.png")));
        assertTrue(missing.getMessage().contains("none.png"), missing.getMessage());
        try (var files = Files.list(f.getParent())) {
            assertEquals(List.of(f), files.toList(), "no temporary file left behind");
        }
        AtomicFiles.writeString(f, "replaced");
        assertEquals("replaced", Files.readString(f));
    }

    @Test
    void seriesWithTheirOwnStepsSkipMissingPointsAndShareALegendPerGroup() {
        String js = Plots.lines("t", "step", "fid", List.of(
                new Plots.Series("run a", new double[] {10, 20, 30}, new double[] {5, Double.NaN, 3}, "#123456", "cell"),
                new Plots.Series("run b", new double[] {10, 30}, new double[] {6, 4}, "#123456", "cell")), false)
                .asJavascript("d");
        assertTrue(js.contains("x: [\"10.0\",\"30.0\"]"), "the NaN point is left out: " + js);
        assertEquals(1, js.split("showlegend: true", -1).length - 1, "one legend entry for the group: " + js);
        assertTrue(js.contains("run b") && js.contains("#123456"), js);
    }

    @Test
    void aSpreadPlotNamesItsGroupsAndMarksMeanAndStd() {
        String js = Plots.spread("s", "", "fid", List.of("a", "b"), null,
                List.of(new double[] {1, 3}, new double[] {10, Double.NaN}), null, false).asJavascript("d");
        assertTrue(js.contains("tickmode: 'array'") && js.contains("ticktext: [\"a\",\"b\"]"), js);
        // Group a: mean 2, sample std sqrt(2); its bar runs from 2 - sqrt(2) to 2 + sqrt(2).
        assertTrue(js.contains("\"" + (2 - Math.sqrt(2)) + "\"") && js.contains("\"" + (2 + Math.sqrt(2)) + "\""), js);
        assertTrue(js.contains("y: [\"2.0\",\"10.0\"]"), "means: " + js);
        assertThrows(IllegalArgumentException.class, () -> Plots.spread("s", "", "y", List.of("a"), null,
                List.of(new double[] {1}, new double[] {2}), null, false));
    }
}
