package dev.ganlab.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes PNG and JPEG files strictly: a file that no reader accepts, that throws while decoding, or
 * whose decoder warns (a truncated JPEG only warns "premature end of data" and returns a half-grey
 * picture) is an error naming the file.
 */
public final class ImageDecoder {

    private ImageDecoder() {}

    /** Decodes {@code file}; throws {@link BadImageException} when it is not a whole, readable image. */
    public static BufferedImage decode(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new BadImageException(file, "cannot open");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new BadImageException(file, "not a PNG or JPEG image (no decoder recognises its header)");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            IIOReadWarningListener listener = (src, warning) -> warnings.add(warning);
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener(listener);
                BufferedImage img = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new BadImageException(file, "decoder warning: " + String.join("; ", warnings));
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadImageException) {
                throw (BadImageException) e;
            }
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new BadImageException(file, "unreadable or truncated (" + msg + ")", e);
        }
    }

    /** Width and height of {@code file} from its header, without decoding the pixels. */
    public static int[] size(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new BadImageException(file, "not a PNG or JPEG image (no decoder recognises its header)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadImageException) {
                throw (BadImageException) e;
            }
            throw new BadImageException(file, "unreadable header (" + e.getMessage() + ")", e);
        }
    }

    /** An image file that cannot be decoded; the message starts with the file's path. */
    public static final class BadImageException extends DatasetException {
        private static final long serialVersionUID = 1L;
        private final transient Path file;
        private final String reason;

        BadImageException(Path file, String reason) {
            super(file + ": " + reason);
            this.file = file;
            this.reason = reason;
        }

        BadImageException(Path file, String reason, Throwable cause) {
            super(file + ": " + reason, cause);
            this.file = file;
            this.reason = reason;
        }

        public Path file() {
            return file;
        }

        public String reason() {
            return reason;
        }
    }
}
