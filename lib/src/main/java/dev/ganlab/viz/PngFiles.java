package dev.ganlab.viz;

import dev.ganlab.core.AtomicFiles;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** PNG encoding, and atomic PNG files: a reader never sees a half-written image. */
public final class PngFiles {

    private PngFiles() {}

    /** Writes {@code img} to {@code file} atomically. */
    public static void write(BufferedImage img, Path file) {
        AtomicFiles.write(file, encode(img));
    }

    /** Reads an image file (PNG or any format ImageIO knows); a missing or unreadable file names itself. */
    public static BufferedImage read(Path file) {
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new IOException("not an image ImageIO can read");
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + file + ": " + e.getMessage(), e);
        }
    }

    /** The PNG encoding of {@code img}. */
    public static byte[] encode(BufferedImage img) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer available");
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
