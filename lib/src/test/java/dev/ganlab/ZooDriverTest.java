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
 *
 * <p>Also one evaluation's noise ({@code environment/zoo/eval_noise.py}, checked by
 * {@code test_eval_noise.py} with a stand-in {@code java}): each seed samples and scores with that seed and the
 * recipe's own evaluation settings, the spread is the sample standard deviation, scored seeds are reused, and
 * the report's paragraph calls a curve flat only when its last net move is below one sd.
 */
class ZooDriverTest {

    @TempDir Path tmp;

    @Test
    void carriedRunBookkeepingChecksPass() throws Exception {
        PythonUnittest.assertPasses(NotebooksIT.ROOT.resolve("environment/zoo"), "test_train_reference", 8,
                tmp.resolve("unittest.log"));
    }

    @Test
    void evaluationNoiseChecksPass() throws Exception {
        PythonUnittest.assertPasses(NotebooksIT.ROOT.resolve("environment/zoo"), "test_eval_noise", 11,
                tmp.resolve("noise-unittest.log"));
    }
}
