package dev.ganlab.viz;

import java.awt.image.BufferedImage;
import java.lang.reflect.Method;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

/**
 * Shows pictures, figures and tables in the Jupyter output of the running kernel.
 *
 * <p>Notebooks call {@code Notebook.show(x)} and stay kernel-neutral: this class finds the kernel's
 * display function by reflection - rapaio-jupyter-kernel's {@code Global.display(mime, value)} or
 * IJava's {@code Display.display(DisplayData)} - so the same notebook runs under either. Outside a
 * kernel (a test, plain JShell, the command line) it prints a one-line description instead.
 *
 * <p>What is shown as what: {@link BufferedImage} as image/png; a Tablesaw {@link Figure} as an
 * interactive plotly chart (text/html, plotly.js inlined once per session, see {@link Plots}); a
 * Tablesaw {@link Table} as an HTML table; {@link Html} as given; anything else as text.
 */
public final class Notebook {

    private static final String RAPAIO_GLOBAL = "org.rapaio.jupyter.kernel.global.Global";
    private static final String IJAVA_DISPLAY = "io.github.spencerpark.ijava.runtime.Display";
    private static final String IJAVA_DATA = "io.github.spencerpark.jupyter.kernel.display.DisplayData";

    private static volatile Bridge bridge;

    private Notebook() {}

    /** HTML to show as it is. */
    public record Html(String html) {}

    /** Shows {@code value} in the cell's output. */
    public static void show(Object value) {
        Rendered r = render(value);
        bridge().display(r.mime, r.payload, null);
    }

    /** Shows an HTML fragment. */
    public static void showHtml(String html) {
        show(new Html(html));
    }

    /** Whether a Jupyter kernel this class can talk to is running in this JVM. */
    public static boolean inKernel() {
        return !(bridge() instanceof ConsoleBridge);
    }

    /** An output area that later calls replace in place (live training monitors). */
    public static LiveDisplay live() {
        return new LiveDisplay();
    }

    /** A display slot that is replaced on each {@link #update}. */
    public static final class LiveDisplay {
        private String id;

        private LiveDisplay() {}

        /**
         * Replaces the slot's content. Plotly figures are not allowed here: a replaced output may be the
         * one that carried plotly.js. Use a {@link LineChart} picture instead.
         */
        public synchronized void update(Object value) {
            if (value instanceof Figure) {
                throw new IllegalArgumentException("live displays take pictures or HTML, not plotly figures;"
                        + " render the chart with LineChart");
            }
            Rendered r = render(value);
            if (id == null) {
                id = bridge().display(r.mime, r.payload, UUID.randomUUID().toString());
            } else {
                bridge().update(id, r.mime, r.payload);
            }
        }
    }

    private record Rendered(String mime, Object payload) {}

    private static Rendered render(Object value) {
        if (value instanceof BufferedImage img) {
            return new Rendered("image/png", img);
        }
        if (value instanceof Figure fig) {
            return new Rendered("text/html", Plots.html(fig));
        }
        if (value instanceof Table t) {
            return new Rendered("text/html", Tables.html(t, 40));
        }
        if (value instanceof Html h) {
            return new Rendered("text/html", h.html());
        }
        return new Rendered("text/plain", String.valueOf(value));
    }

    private static Bridge bridge() {
        Bridge b = bridge;
        if (b == null) {
            synchronized (Notebook.class) {
                if (bridge == null) {
                    bridge = detect();
                }
                b = bridge;
            }
        }
        return b;
    }

    private static Bridge detect() {
        ClassLoader[] loaders = {Thread.currentThread().getContextClassLoader(), Notebook.class.getClassLoader()};
        for (ClassLoader cl : loaders) {
            try {
                Class<?> g = Class.forName(RAPAIO_GLOBAL, true, cl);
                return new RapaioBridge(g);
            } catch (ReflectiveOperationException | LinkageError e) {
                // not this kernel
            }
            try {
                Class<?> d = Class.forName(IJAVA_DISPLAY, true, cl);
                Class<?> data = Class.forName(IJAVA_DATA, true, cl);
                return new IJavaBridge(d, data);
            } catch (ReflectiveOperationException | LinkageError e) {
                // not this kernel
            }
        }
        return new ConsoleBridge();
    }

    /** How a kernel is asked to show something. */
    private interface Bridge {
        /** Shows {@code payload} as {@code mime}; returns the display id used. */
        String display(String mime, Object payload, String id);

        void update(String id, String mime, Object payload);
    }

    /** rapaio-jupyter-kernel: {@code Global.display(mime, value)}, {@code updateDisplay(id, mime, value)}. */
    private static final class RapaioBridge implements Bridge {
        private final Method display;
        private final Method update;

        RapaioBridge(Class<?> global) throws NoSuchMethodException {
            display = global.getMethod("display", String.class, Object.class);
            update = global.getMethod("updateDisplay", String.class, String.class, Object.class);
        }

        @Override
        public String display(String mime, Object payload, String id) {
            try {
                return (String) display.invoke(null, mime, payload);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("kernel display failed: " + e.getCause(), e);
            }
        }

        @Override
        public void update(String id, String mime, Object payload) {
            try {
                update.invoke(null, id, mime, payload);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("kernel display update failed: " + e.getCause(), e);
            }
        }
    }

    /** IJava: everything goes as an HTML DisplayData (pictures as data URIs). */
    private static final class IJavaBridge implements Bridge {
        private final Method display;
        private final Method update;
        private final Class<?> dataClass;
        private final Method putHtml;
        private final Method setDisplayId;

        IJavaBridge(Class<?> displayClass, Class<?> dataClass) throws NoSuchMethodException {
            this.display = displayClass.getMethod("display", Object.class);
            this.update = displayClass.getMethod("updateDisplay", String.class, Object.class);
            this.dataClass = dataClass;
            this.putHtml = dataClass.getMethod("putHTML", String.class);
            this.setDisplayId = dataClass.getMethod("setDisplayId", String.class);
        }

        private Object data(String mime, Object payload, String id) throws ReflectiveOperationException {
            Object d = dataClass.getConstructor().newInstance();
            putHtml.invoke(d, asHtml(mime, payload));
            if (id != null) {
                setDisplayId.invoke(d, id);
            }
            return d;
        }

        @Override
        public String display(String mime, Object payload, String id) {
            try {
                return (String) display.invoke(null, data(mime, payload, id));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("kernel display failed: " + e.getCause(), e);
            }
        }

        @Override
        public void update(String id, String mime, Object payload) {
            try {
                update.invoke(null, id, data(mime, payload, null));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("kernel display update failed: " + e.getCause(), e);
            }
        }
    }

    /** No kernel: a one-line description on standard output. */
    private static final class ConsoleBridge implements Bridge {
        @Override
        public String display(String mime, Object payload, String id) {
            System.out.println(describe(mime, payload));
            return id == null ? UUID.randomUUID().toString() : id;
        }

        @Override
        public void update(String id, String mime, Object payload) {
            System.out.println(describe(mime, payload));
        }

        private static String describe(String mime, Object payload) {
            if (payload instanceof BufferedImage img) {
                return "[image " + img.getWidth() + "x" + img.getHeight() + "]";
            }
            if (mime.equals("text/html")) {
                return "[html, " + payload.toString().length() + " characters]";
            }
            return payload.toString();
        }
    }

    static String asHtml(String mime, Object payload) {
        if (payload instanceof BufferedImage img) {
            return imgTag(img);
        }
        if (mime.equals("text/html")) {
            return payload.toString();
        }
        return "<pre>" + escape(payload.toString()) + "</pre>";
    }

    /** An {@code <img>} tag carrying the picture as a PNG data URI. */
    public static String imgTag(BufferedImage img) {
        return "<img src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(PngFiles.encode(img))
                + "\" width=\"" + img.getWidth() + "\" height=\"" + img.getHeight() + "\"/>";
    }

    /**
     * Pictures side by side, each with its caption underneath (wrapping onto further rows when the page
     * is narrow): e.g. a run's sample grid at every resolution, in the order of the map.
     */
    public static Html gallery(Map<String, BufferedImage> captioned) {
        if (captioned.isEmpty()) {
            throw new IllegalArgumentException("gallery: no pictures to show");
        }
        StringBuilder html = new StringBuilder("<div style=\"display:flex;flex-wrap:wrap;gap:16px;align-items:flex-end\">");
        for (Map.Entry<String, BufferedImage> e : captioned.entrySet()) {
            html.append("<figure style=\"margin:0;text-align:center\">").append(imgTag(e.getValue()))
                    .append("<figcaption style=\"font-family:sans-serif;font-size:13px\">").append(escape(e.getKey()))
                    .append("</figcaption></figure>");
        }
        return new Html(html.append("</div>").toString());
    }

    /** Escapes text for HTML. */
    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
