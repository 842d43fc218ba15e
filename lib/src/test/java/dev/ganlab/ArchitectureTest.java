package dev.ganlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dependency direction of lib/ARCHITECTURE.md: a package may use only packages of lower layers
 * (and itself, with its subpackages). Read from the sources: import lines and fully qualified
 * {@code dev.ganlab.x.} names in code (comments stripped), so a violation is reported with its file
 * and line before anyone has to untangle it.
 */
class ArchitectureTest {

    /** Layer of each top-level package; higher layers use lower ones, never the reverse or sideways. */
    static final Map<String, Integer> LAYERS = Map.ofEntries(
            Map.entry("core", 0),
            Map.entry("data", 1),
            Map.entry("nn", 2), Map.entry("loss", 2), Map.entry("viz", 2),
            Map.entry("models", 3), Map.entry("metrics", 3),
            Map.entry("objective", 4),
            Map.entry("train", 5),
            Map.entry("experiments", 6), Map.entry("bench", 6), Map.entry("latent", 6),
            Map.entry("cli", 7));

    private static final Pattern PACKAGE = Pattern.compile("^package dev\\.ganlab\\.(\\w+)", Pattern.MULTILINE);
    private static final Pattern USE = Pattern.compile("\\bdev\\.ganlab\\.(\\w+)\\.");

    /** The violations in one source file: "path:line: a -> b (import ...)". */
    static List<String> violations(String path, String source) {
        List<String> out = new ArrayList<>();
        Matcher pm = PACKAGE.matcher(source);
        if (!pm.find()) {
            out.add(path + ": no dev.ganlab package declaration");
            return out;
        }
        String from = pm.group(1);
        Integer fromLayer = LAYERS.get(from);
        if (fromLayer == null) {
            out.add(path + ": package '" + from + "' has no layer in ArchitectureTest.LAYERS (and ARCHITECTURE.md)");
            return out;
        }
        String[] lines = stripComments(source).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("package ")) {
                continue;
            }
            Matcher m = USE.matcher(line);
            while (m.find()) {
                String to = m.group(1);
                if (to.equals(from)) {
                    continue;
                }
                Integer toLayer = LAYERS.get(to);
                if (toLayer == null || toLayer >= fromLayer) {
                    out.add(path + ":" + (i + 1) + ": " + from + " (layer " + fromLayer + ") -> " + to + " (layer "
                            + toLayer + "): " + line.trim());
                }
            }
        }
        return out;
    }

    /**
     * The source with comments and string literals blanked, line numbers kept (a class named in a
     * string, such as the main class of a child process, is not a compile-time dependency).
     */
    static String stripComments(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? s.length() : end + 2;
                for (int k = i; k < end; k++) {
                    b.append(s.charAt(k) == '\n' ? '\n' : ' ');
                }
                i = end;
            } else if (s.startsWith("//", i)) {
                int end = s.indexOf('\n', i);
                i = end < 0 ? s.length() : end;
            } else if (s.charAt(i) == '"') {
                int end = i + 1;
                while (end < s.length() && s.charAt(end) != '"' && s.charAt(end) != '\n') {
                    end += s.charAt(end) == '\\' ? 2 : 1;
                }
                b.append("\"\"");
                i = end + 1;
            } else {
                b.append(s.charAt(i));
                i++;
            }
        }
        return b.toString();
    }

    @Test
    void everyImportFollowsTheLayers() throws IOException {
        Path root = Paths.get("src/main/java/dev/ganlab"); // Maven runs tests in lib/
        if (!Files.isDirectory(root)) {
            root = Paths.get("lib/src/main/java/dev/ganlab"); // an IDE may run them in the checkout
        }
        assertTrue(Files.isDirectory(root), "sources not found from " + Paths.get("").toAbsolutePath());
        List<String> bad = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                bad.addAll(violations(root.relativize(p).toString(), Files.readString(p)));
                files++;
            }
        }
        assertTrue(files > 100, "sources found: " + files);
        assertTrue(bad.isEmpty(), bad.size() + " uses against the layers core < data < nn, loss, viz < models,"
                + " metrics < train < experiments, bench < cli:\n" + String.join("\n", bad));
    }

    @Test
    void theCheckFindsUpwardSidewaysAndQualifiedUses() {
        String models = "package dev.ganlab.models.fastgan;\n\nimport dev.ganlab.train.GanTrainer;\n"
                + "import dev.ganlab.nn.Conv2d;\n// dev.ganlab.train.X in a comment is fine\n"
                + "class A { Object m() { return dev.ganlab.metrics.Fid.class; } }\n"
                + "class B { String main = \"dev.ganlab.cli.Main\"; }\n";
        List<String> v = violations("A.java", models);
        assertEquals(2, v.size(), v.toString());
        assertTrue(v.get(0).startsWith("A.java:3: models (layer 3) -> train (layer 5)"), v.get(0));
        assertTrue(v.get(1).startsWith("A.java:6: models (layer 3) -> metrics (layer 3)"), v.get(1));
        assertEquals(List.of(), violations("B.java", "package dev.ganlab.core;\nimport java.util.List;\n"));
        assertTrue(violations("C.java", "package dev.ganlab.core;\nimport dev.ganlab.data.DataPaths;\n")
                .get(0).contains("core (layer 0) -> data (layer 1)"));
    }
}
