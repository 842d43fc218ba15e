package dev.ganlab;

import java.nio.file.Path;
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
        PythonUnittest.assertPasses(NotebooksIT.ROOT.resolve("environment/zoo"), "test_train_reference", 8,
                tmp.resolve("unittest.log"));
    }
}
