package dev.ganlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One version of each library on a class path that holds both GAN Lab and Spark. The JVM reads the
 * {@code Class-Path} of every jar on its class path and searches the jars it names right after that jar:
 * GAN Lab's jar beside its {@code lib/} folder (lib/target/ganlab.jar in the reactor build, ganlab.jar in a
 * Spark executor's {@code spark.executor.extraClassPath}) brings its own dependency versions in ahead of
 * Spark's. Where the two differ, the first wins; for Jackson, Spark's jackson-module-scala then refuses to
 * start ("requires Jackson Databind version >= 2.20.0"). The parent POM therefore gives the library the
 * versions Spark uses; this test fails when they part again (a new Spark or a new library dependency).
 */
class ClassPathVersionsTest {

    /** artifactId-version.jar, the version starting at the first "-digit". */
    private static final Pattern FILE = Pattern.compile("(.+?)-(\\d[^/]*)\\.jar");

    @Test
    void everyLibraryHasOneVersionOnTheDriversClassPathWithManifestsFollowed() throws IOException {
        Map<String, Set<String>> versions = new TreeMap<>();
        Map<String, Set<String>> where = new TreeMap<>();
        List<Path> jars = expanded(System.getProperty("java.class.path"));
        for (Path jar : jars) {
            String[] av = artifactAndVersion(jar);
            if (av != null) {
                versions.computeIfAbsent(av[0], k -> new TreeSet<>()).add(av[1]);
                where.computeIfAbsent(av[0], k -> new TreeSet<>()).add(jar.toString());
            }
        }
        // A copied jar's name carries its classifier after the version (pytorch-native-cpu-2.3.1-linux-x86_64.jar):
        // the same version as the repository's 2.3.1 folder.
        versions.values().forEach(vs -> vs.removeIf(v -> vs.stream().anyMatch(w -> v.startsWith(w + "-"))));
        assertTrue(versions.containsKey("spark-core_2.13") && versions.containsKey("jackson-databind"),
                "the class path was read: " + versions.keySet());
        List<String> twice = new ArrayList<>();
        versions.forEach((artifact, vs) -> {
            if (vs.size() > 1) {
                twice.add(artifact + " " + vs + " from " + where.get(artifact));
            }
        });
        assertEquals(List.of(), twice, "libraries with more than one version (align them in the parent POM)");
    }

    /** The class path's jars in the JVM's search order: each jar followed by what its manifest names. */
    static List<Path> expanded(String classPath) throws IOException {
        Set<Path> seen = new LinkedHashSet<>();
        Deque<Path> todo = new ArrayDeque<>();
        for (String e : classPath.split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                todo.addLast(Paths.get(e).toAbsolutePath().normalize());
            }
        }
        while (!todo.isEmpty()) {
            Path p = todo.removeFirst();
            if (!Files.isRegularFile(p) || !p.toString().endsWith(".jar") || !seen.add(p)) {
                continue;
            }
            List<Path> named = new ArrayList<>();
            try (JarFile jf = new JarFile(p.toFile())) {
                Manifest m = jf.getManifest();
                String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
                if (cp != null) {
                    for (String entry : cp.trim().split("\\s+")) {
                        URI u = p.toUri().resolve(entry);
                        if ("file".equals(u.getScheme())) {
                            named.add(Paths.get(u).normalize());
                        }
                    }
                }
            }
            for (int i = named.size() - 1; i >= 0; i--) {
                todo.addFirst(named.get(i)); // searched right after the jar that names them
            }
        }
        return new ArrayList<>(seen);
    }

    /**
     * Artifact and version of a jar: from the Maven repository layout (.../artifact/version/artifact-version*.jar)
     * where it is one, else from the file name as copy-dependencies writes it.
     */
    static String[] artifactAndVersion(Path jar) {
        String name = jar.getFileName().toString();
        Path versionDir = jar.getParent();
        Path artifactDir = versionDir == null ? null : versionDir.getParent();
        if (artifactDir != null && artifactDir.getFileName() != null) {
            String artifact = artifactDir.getFileName().toString();
            String version = versionDir.getFileName().toString();
            if (name.startsWith(artifact + "-" + version)) {
                return new String[] {artifact, version};
            }
        }
        Matcher m = FILE.matcher(name);
        return m.matches() ? new String[] {m.group(1), m.group(2)} : null;
    }
}
