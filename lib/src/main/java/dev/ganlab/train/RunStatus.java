package dev.ganlab.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.ganlab.core.AtomicFiles;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * {@code status.json} of a run: what state it is in, for people and for the run registry.
 *
 * <p>Liveness: every write stamps the time ({@code updated}, the run's heartbeat: the trainer writes
 * at each log row and checkpoint), the machine ({@code host}) and its boot ({@code bootId}, Linux's
 * {@code /proc/sys/kernel/random/boot_id}); the trainer records its {@code pid}. A file that says
 * {@code running} is believed by {@link #liveStatus} only while that process can be alive: on the same
 * machine and boot its pid must name a live process that started before the last write (not a later
 * process that reused the number); after a reboot it cannot be; on another machine, where the pid
 * cannot be checked, the heartbeat must be younger than {@link #HEARTBEAT_TIMEOUT}. Otherwise the run
 * {@code crashed} (killed by the OOM killer or kill -9, machine restarted): nothing wrote a final
 * status, and resuming continues from its last checkpoint.
 */
public final class RunStatus {

    // The status names, the only ones a run folder can show (status.json's "status" field, and two
    // that readers derive). Scripts outside Java read the same words (environment/repro, check_interrupts.py).

    /** Training (the trainer writes it when it starts and at each heartbeat). */
    public static final String RUNNING = "running";
    /** Reached its step count (written by the trainer). */
    public static final String FINISHED = "finished";
    /** Stopped cleanly and checkpointed: resuming continues from there (trainer, or a sweep that stopped it). */
    public static final String INTERRUPTED = "interrupted";
    /** A loss or parameter went non-finite; the message names step and value (written by the trainer). */
    public static final String DIVERGED = "diverged";
    /** Ended with an error, written by the trainer or by a sweep whose worker died before the run could say so. */
    public static final String FAILED = "failed";
    /** Shown by readers for a running status whose process is gone; never written by a run. */
    public static final String CRASHED = "crashed";
    /** Shown by readers for a folder with no status yet (a sweep planned it, or it never started). */
    public static final String PENDING = "pending";
    /**
     * Shown by readers for a reference model folder ({@code ganlab export}, {@link ReferenceModel}): a trained
     * generator with its scores and history, no checkpoint to resume; never written by a run.
     */
    public static final String EXPORTED = "exported";
    /** Every status a run folder can show, in the order tables count them. */
    public static final List<String> STATUSES = List.of(PENDING, RUNNING, FINISHED, DIVERGED, INTERRUPTED, CRASHED,
            FAILED, EXPORTED);

    /**
     * How long a run on another machine may stay silent before readers call it crashed. The trainer
     * writes at each log row and checkpoint; 30 minutes covers a slow in-run evaluation between them.
     */
    public static final Duration HEARTBEAT_TIMEOUT = Duration.ofMinutes(30);

    /** {@link #RUNNING}, {@link #FINISHED}, {@link #INTERRUPTED}, {@link #DIVERGED} or {@link #FAILED}. */
    public String status;
    public long step;
    public long steps;
    public long images;
    public String message = "";
    public String lastCheckpoint;
    public long pid;
    /** Host name of the machine that last wrote this file. */
    public String host;
    /** Boot of that machine (Linux boot_id), so that a pid from before a restart is not trusted. */
    public String bootId;
    public String started;
    /** Time of the last write (ISO-8601): the heartbeat. */
    public String updated;

    @Override
    public String toString() {
        return status + " at step " + step + "/" + steps + " (" + images + " images)"
                + (message == null || message.isEmpty() ? "" : ": " + message);
    }

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** Writes the file, stamping the heartbeat time, this host and this boot. */
    public void write(Path file) {
        updated = Instant.now().toString();
        host = Machine.HOST;
        bootId = Machine.BOOT_ID;
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

    /** The status to show now: {@link #status}, except {@link #CRASHED} for a running run whose process is gone. */
    public String liveStatus() {
        return liveStatus(Instant.now());
    }

    /** {@link #liveStatus()} as seen at {@code now}. */
    String liveStatus(Instant now) {
        if (!RUNNING.equals(status)) {
            return status;
        }
        return writerMayBeAlive(now) ? RUNNING : CRASHED;
    }

    private boolean writerMayBeAlive(Instant now) {
        Instant written = parseOrNull(updated);
        boolean otherHost = host != null && Machine.HOST != null && !host.equals(Machine.HOST);
        if (otherHost) {
            return written == null || Duration.between(written, now).compareTo(HEARTBEAT_TIMEOUT) <= 0;
        }
        if (bootId != null && Machine.BOOT_ID != null && !bootId.equals(Machine.BOOT_ID)) {
            return false;      // this machine restarted since the write
        }
        return processAlive(pid, written);
    }

    /**
     * Whether process {@code pid} of this machine is alive and is the one that wrote at {@code written}:
     * a live process with that pid that started after the write is another one that reused the number.
     */
    static boolean processAlive(long pid, Instant written) {
        if (pid <= 0) {
            return false;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (h.isEmpty()) {
            return false;
        }
        Optional<Instant> processStart = h.get().info().startInstant();
        // Start times are reported at a coarse resolution: allow a second of slack.
        return processStart.isEmpty() || written == null || !processStart.get().isAfter(written.plusSeconds(1));
    }

    private static Instant parseOrNull(String time) {
        if (time == null) {
            return null;
        }
        try {
            return Instant.parse(time);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** This machine's name and boot, read once. */
    static final class Machine {
        static final String HOST = hostName();
        static final String BOOT_ID = bootId();

        private static String hostName() {
            String h = readTrimmed(Path.of("/proc/sys/kernel/hostname"));
            if (h != null) {
                return h;
            }
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return null;
            }
        }

        private static String bootId() {
            return readTrimmed(Path.of("/proc/sys/kernel/random/boot_id"));
        }

        private static String readTrimmed(Path p) {
            try {
                String s = Files.readString(p).trim();
                return s.isEmpty() ? null : s;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        private Machine() {}
    }
}
