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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference-model driver's bookkeeping for runs carried between sessions
 * ({@code environment/zoo/train_reference.py}): runs its Python checks,
 * {@code environment/zoo/test_train_reference.py} (parts that join to the same bytes, damaged or missing
 * parts refused with no file left, the run further on continues and is not replaced by an older one, only
 * the zoo's export removes the carried run), on fake run folders; no training. An unclosed file in the
 * driver fails it too (Python reports those only as warnings, so the output is searched for them).
 */
class ZooDriverTest {

    @TempDir Path tmp;

    @Test
    void carriedRunBookkeepingChecksPass() throws Exception {
        Path log = tmp.resolve("unittest.log");
        Process p = new ProcessBuilder(List.of("python3", "-X", "dev", "-W", "error::ResourceWarning", "-m", "unittest",
                "-v", "test_train_reference"))
                .directory(NotebooksIT.ROOT.resolve("environment/zoo").toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "test_train_reference.py did not end in 2 minutes");
        String text = Files.readString(log);
        assertEquals(0, p.exitValue(), text);
        Matcher ran = Pattern.compile("Ran (\\d+) tests").matcher(text);
        assertTrue(ran.find() && Integer.parseInt(ran.group(1)) >= 8 && text.contains("\nOK"), text);
        assertFalse(text.contains("ResourceWarning") || text.contains("Exception ignored"), text);
    }
}
