package dev.ganlab.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.ganlab.core.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code status.json} of a run: what state it is in, for people and for the run registry. A run whose
 * status says running but whose process is gone was interrupted.
 */
public final class RunStatus {

    /**
     * running, finished, diverged or interrupted; a sweep writes failed when a run's worker process
     * ended with an error before the run could say so itself.
     */
    public String status;
    public long step;
    public long steps;
    public long images;
    public String message = "";
    public String lastCheckpoint;
    public long pid;
    public String started;
    public String updated;

    @Override
    public String toString() {
        return status + " at step " + step + "/" + steps + " (" + images + " images)"
                + (message == null || message.isEmpty() ? "" : ": " + message);
    }

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    public void write(Path file) {
        updated = java.time.Instant.now().toString();
        AtomicFiles.writeString(file, GSON.toJson(this));
    }

    /** Reads a status file, or null when there is none. */
    public static RunStatus read(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return GSON.fromJson(Files.readString(file), RunStatus.class);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
