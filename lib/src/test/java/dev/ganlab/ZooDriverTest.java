package dev.ganlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The reference-model driver's bookkeeping for runs carried between sessions
 * ({@code environment/zoo/train_reference.py}): runs its Python checks,
 * {@code environment/zoo/test_train_reference.py} (parts that join to the same bytes, damaged parts
 * refused, the run further on continues, only the zoo's export removes the carried run), on fake run
 * folders; no training.
 */
class ZooDriverTest {

    @Test
    void carriedRunBookkeepingChecksPass() throws Exception {
        Process p = new ProcessBuilder(List.of("/usr/bin/python3", "-W", "error::ResourceWarning", "-m", "unittest",
                "-v", "test_train_reference"))
                .directory(NotebooksIT.ROOT.resolve("environment/zoo").toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "test_train_reference.py did not end");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("Ran 5 tests") && text.contains("\nOK"), text);
    }
}
