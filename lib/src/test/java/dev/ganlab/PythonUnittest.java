package dev.ganlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs one of the project's Python unittest modules (checks of the scripts in {@code environment/}) from JUnit. */
final class PythonUnittest {

    private PythonUnittest() {}

    /**
     * Runs {@code module} in {@code dir} under {@code /usr/bin/python3 -X dev}, and asserts that it passed with at
     * least {@code minTests} tests and left no file unclosed (Python reports those only as warnings, so the output
     * is searched for them).
     */
    static void assertPasses(Path dir, String module, int minTests, Path log) throws Exception {
        Process p = new ProcessBuilder(List.of("/usr/bin/python3", "-X", "dev", "-W", "error::ResourceWarning", "-m",
                "unittest", "-v", module))
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), module + " did not end in 2 minutes");
        String text = Files.readString(log);
        assertEquals(0, p.exitValue(), text);
        Matcher ran = Pattern.compile("Ran (\\d+) tests").matcher(text);
        assertTrue(ran.find() && Integer.parseInt(ran.group(1)) >= minTests && text.contains("\nOK"), text);
        assertFalse(text.contains("ResourceWarning") || text.contains("Exception ignored"), text);
    }
}
