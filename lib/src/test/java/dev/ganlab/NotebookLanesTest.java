package dev.ganlab;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notebook runner's parallel lanes without a kernel: runs {@code environment/test_run_notebooks.py} (the
 * order lanes take notebooks in, notebook 04 waiting for the others, {@code --jobs} and its errors, and the
 * merging of a cell's stream fragments when an executed notebook is saved).
 * {@link NotebooksIT} executes the notebooks themselves in two lanes.
 */
class NotebookLanesTest {

    @TempDir Path tmp;

    @Test
    void laneChecksPass() throws Exception {
        PythonUnittest.assertPasses(NotebooksIT.ROOT.resolve("environment"), "test_run_notebooks", 14,
                tmp.resolve("unittest.log"));
    }
}
