// GAN Lab kernel start-up: the imports every notebook uses.
// The kernel evaluates this whole file as one JShell snippet, so it holds import declarations only (no
// statements, no magics). The same file serves rapaio-jupyter-kernel (RJK_INIT_SCRIPT) and IJava
// (IJAVA_STARTUP_SCRIPTS_PATH). GAN Lab initialises the engine itself on first use.
import ai.djl.ndarray.*;
import ai.djl.ndarray.types.*;
import java.nio.file.*;
import java.util.*;
import java.awt.image.BufferedImage;
import tech.tablesaw.api.*;
import dev.ganlab.core.*;
import dev.ganlab.data.*;
import dev.ganlab.viz.*;
import static dev.ganlab.viz.Notebook.show;
import dev.ganlab.train.*;
import dev.ganlab.models.*;
import dev.ganlab.loss.*;
import dev.ganlab.metrics.*;
import dev.ganlab.experiments.*;
import dev.ganlab.nn.DiffAugment;
