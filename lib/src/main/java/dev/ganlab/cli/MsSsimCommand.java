package dev.ganlab.cli;

import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDecoder;
import dev.ganlab.data.Images;
import dev.ganlab.metrics.MsSsim;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code ganlab msssim A.png B.png}: the MS-SSIM of two images. */
@Command(name = "msssim", description = {
        "Print the MS-SSIM of two images of the same size (tf.image.ssim_multiscale semantics, max value 255).",
        "Grey images are compared as grey, colour images per RGB channel; a grey and a colour image are compared"
                + " in colour. Images under 161 pixels use fewer scales with renormalised weights (printed)."})
public final class MsSsimCommand implements Runnable {

    @Parameters(index = "0", paramLabel = "A", description = "First image (PNG or JPEG).")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "Second image.")
    Path b;

    @Override
    public void run() {
        BufferedImage ia = read(a);
        BufferedImage ib = read(b);
        if (ia.getWidth() != ib.getWidth() || ia.getHeight() != ib.getHeight()) {
            throw new UserError("MS-SSIM needs images of the same size: " + a + " is " + ia.getWidth() + "x"
                    + ia.getHeight() + ", " + b + " is " + ib.getWidth() + "x" + ib.getHeight()
                    + ". Resize one of them first.");
        }
        int channels = isGrey(ia) && isGrey(ib) ? 1 : 3;
        byte[] pa = Images.fromBufferedImage(ia, channels);
        byte[] pb = Images.fromBufferedImage(ib, channels);
        MsSsim.Result r = MsSsim.compute(pa, pb, channels, ia.getHeight(), ia.getWidth());
        System.out.printf("%.6f%n", r.value());
        if (r.scales() < MsSsim.WEIGHTS.length) {
            System.out.printf("(%d of 5 scales: %dx%d is too small for all five; weights renormalised)%n",
                    r.scales(), ia.getWidth(), ia.getHeight());
        }
    }

    private static boolean isGrey(BufferedImage img) {
        return img.getColorModel().getNumColorComponents() == 1;
    }

    private static BufferedImage read(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new UserError("image " + p + " does not exist");
        }
        return ImageDecoder.decode(p);
    }
}
