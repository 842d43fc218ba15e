import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;

/**
 * Writes a folder of test images for memory and loader measurements: emoji PNGs drawn on white at SIZE px,
 * saved as jpg or png.
 *   java environment/bench/MakeImageFolder.java EMOJI_DIR OUT_DIR COUNT SIZE jpg|png
 */
public class MakeImageFolder {
    public static void main(String[] a) throws Exception {
        File[] src = new File(a[0]).listFiles((d, n) -> n.endsWith(".png"));
        java.util.Arrays.sort(src);
        File out = new File(a[1]);
        out.mkdirs();
        int count = Integer.parseInt(a[2]), size = Integer.parseInt(a[3]);
        String format = a[4];
        for (int i = 0; i < count; i++) {
            BufferedImage e = ImageIO.read(src[(i * 7) % src.length]);
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, size, size);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(e, 0, 0, size, size, null);
            g.dispose();
            ImageIO.write(img, format, new File(out, String.format("img%05d.%s", i, format)));
        }
    }
}
