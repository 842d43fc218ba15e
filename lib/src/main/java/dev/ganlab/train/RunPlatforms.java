package dev.ganlab.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ganlab.core.ComputePlatform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Which platform trained which steps of a run ({@value #FILE}), and the notice a resume gives when it continues
 * a checkpoint written on another platform.
 *
 * <p>Exact resume holds on one platform (same engine build, device, thread count and vector instructions): there
 * a resumed run repeats the uninterrupted one bit for bit. A checkpoint carried to another machine continues the
 * same recipe from the same state, but the sums round differently from its first step ({@link ComputePlatform});
 * the run still says so, at the start of training and in {@value #FILE}, so that a curve stitched from several
 * machines is read as such. Each {@code train()} session appends one line: the time, the step it starts from, this
 * process's platform and, for a resume, the platform that wrote the checkpoint (null for a checkpoint written before
 * GAN Lab recorded it) and what differs.
 */
final class RunPlatforms {

    /** The run folder's log of sessions and their platforms. */
    static final String FILE = "platforms.jsonl";
    /** The checkpoint header's key for the platform that wrote it. */
    static final String HEADER = "platform";

    private final Path file;
    private final boolean resumed;
    private final JsonObject checkpointPlatform;
    private boolean recorded;

    /** {@code checkpointPlatform}: the resumed checkpoint's header entry (null: none or a new run). */
    RunPlatforms(Path runDir, boolean resumed, JsonObject checkpointPlatform) {
        this.file = runDir.resolve(FILE);
        this.resumed = resumed;
        this.checkpointPlatform = checkpointPlatform;
    }

    /** What differs between the checkpoint's platform and {@code here} (empty: the same, or not known). */
    List<String> differences(ComputePlatform here) {
        return checkpointPlatform == null ? List.of() : here.differences(ComputePlatform.fromJson(checkpointPlatform));
    }

    /** The notice for a resume onto another platform, or empty. */
    Optional<String> notice(ComputePlatform here, long step) {
        List<String> d = differences(here);
        if (!resumed || d.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("resumed on another platform than the one that wrote the step-" + step + " checkpoint ("
                + String.join("; ", d) + "): the run continues from that state, but its sums round differently here,"
                + " so from this step on it is not bit for bit the run the earlier platform would have trained"
                + " (see " + FILE + ")");
    }

    /** Appends this session's line, once per trainer (the first train() call). */
    void recordStart(ComputePlatform here, long step) {
        if (recorded) {
            return;
        }
        JsonObject line = new JsonObject();
        line.addProperty("time", Instant.now().toString());
        line.addProperty("step", step);
        line.addProperty("resumed", resumed);
        line.add("platform", here.toJson());
        if (resumed) {
            line.add("checkpointPlatform", checkpointPlatform);
            JsonArray d = new JsonArray();
            differences(here).forEach(d::add);
            line.add("differences", checkpointPlatform == null ? null : d);
        }
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        recorded = true;
    }
}
