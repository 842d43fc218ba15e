package dev.ganlab.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.core.UserError;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A checkpoint kept in git in parts: git hosts refuse files of 100 MB and more, and a run carried between
 * working sessions ({@code environment/zoo/train-reference.sh NAME --carry}) may have a larger checkpoint
 * (FastGAN's is 191 MB). The carry writes {@code step-N.ckpt.part-0}, {@code .part-1}, ... and a manifest
 * {@code step-N.ckpt.parts.json}: {@code {"file": "step-N.ckpt", "size": bytes, "sha256": hex, "parts": [names
 * in order]}}. Joining concatenates the parts in that order and checks the size and digest, so a missing,
 * reordered or damaged part is an error naming the manifest, never a checkpoint that reads wrong.
 */
public final class SplitCheckpoint {

    /** A manifest's file name: the checkpoint's name with {@code .parts.json}. */
    private static final Pattern MANIFEST = Pattern.compile("step-(\\d+)\\.ckpt\\.parts\\.json");

    private SplitCheckpoint() {}

    /** The manifests in {@code dir}, newest step first (empty when the folder is missing). */
    public static List<Path> manifests(Path dir) {
        return Checkpoint.listByStep(dir, MANIFEST);
    }

    /** The step of the checkpoint a manifest describes, from its name. */
    public static long stepOf(Path manifest) {
        return Checkpoint.stepIn(manifest, MANIFEST);
    }

    /**
     * The checkpoint a manifest describes, joined into {@code outDir} (written under a temporary name and
     * renamed when whole and checked). A file already there of the manifest's size is taken as joined.
     */
    public static Path join(Path manifest, Path outDir) {
        JsonObject m;
        try {
            m = JsonParser.parseString(Files.readString(manifest)).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new UserError(manifest + ": not a readable parts manifest (" + e.getMessage() + ")", e);
        }
        String file = m.get("file").getAsString();
        long size = m.get("size").getAsLong();
        String sha256 = m.get("sha256").getAsString();
        if (!(file + ".parts.json").equals(manifest.getFileName().toString())) {
            throw new UserError(manifest + ": names the file " + file + ", not the one its own name says");
        }
        Path out = outDir.resolve(file);
        try {
            if (Files.isRegularFile(out) && Files.size(out) == size) {
                return out;
            }
            Files.createDirectories(outDir);
            Path tmp = outDir.resolve(file + ".joining");
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (OutputStream os = new DigestOutputStream(Files.newOutputStream(tmp), digest)) {
                JsonArray parts = m.getAsJsonArray("parts");
                for (JsonElement part : parts) {
                    Path p = manifest.resolveSibling(part.getAsString());
                    if (!Files.isRegularFile(p)) {
                        throw new UserError(manifest + ": its part " + p.getFileName() + " is missing");
                    }
                    try (InputStream in = Files.newInputStream(p)) {
                        in.transferTo(os);
                    }
                }
            }
            String got = HexFormat.of().formatHex(digest.digest());
            long gotSize = Files.size(tmp);
            if (gotSize != size || !got.equals(sha256)) {
                Files.delete(tmp);
                throw new UserError(manifest + ": its parts join to " + gotSize + " bytes with SHA-256 " + got
                        + ", not the " + size + " bytes and " + sha256 + " it names: a part is missing or damaged");
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot join " + manifest + " into " + outDir, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
