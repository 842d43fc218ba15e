package dev.ganlab.train;

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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
     * The checkpoint a manifest describes, joined into {@code outDir}, a folder of its own that holds the
     * joined checkpoint and nothing else: it is written under a temporary name, checked against the
     * manifest's size and SHA-256 and renamed, with a stamp {@code FILE.sha256} beside it. A later call
     * reuses it only when the stamp matches the manifest; every other file in the folder (an older carry's
     * checkpoint, a join that stopped halfway) is removed first.
     */
    public static Path join(Path manifest, Path outDir) {
        Manifest m = Manifest.read(manifest);
        Path out = outDir.resolve(m.file());
        Path stamp = outDir.resolve(m.file() + ".sha256");
        Path tmp = outDir.resolve(m.file() + ".joining");
        try {
            boolean joined = Files.isRegularFile(out) && Files.isRegularFile(stamp)
                    && Files.readString(stamp).strip().equals(m.sha256()) && Files.size(out) == m.size();
            Files.createDirectories(outDir);
            try (Stream<Path> files = Files.list(outDir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (!joined || !(f.equals(out) || f.equals(stamp))) {
                        Files.delete(f);
                    }
                }
            }
            if (joined) {
                return out;
            }
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (OutputStream os = new DigestOutputStream(Files.newOutputStream(tmp), digest)) {
                for (String part : m.parts()) {
                    Path p = manifest.resolveSibling(part);
                    if (!Files.isRegularFile(p)) {
                        throw new UserError(manifest + ": its part " + part + " is missing");
                    }
                    try (InputStream in = Files.newInputStream(p)) {
                        in.transferTo(os);
                    }
                }
            }
            String got = HexFormat.of().formatHex(digest.digest());
            long gotSize = Files.size(tmp);
            if (gotSize != m.size() || !got.equals(m.sha256())) {
                throw new UserError(manifest + ": its parts join to " + gotSize + " bytes with SHA-256 " + got
                        + ", not the " + m.size() + " bytes and " + m.sha256() + " it names: a part is missing or damaged");
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(stamp, m.sha256() + "\n");
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot join " + manifest + " into " + outDir, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            try {
                Files.deleteIfExists(tmp); // a failed join leaves no partial file (a finished one was renamed)
            } catch (IOException e) {
                // the next join removes it
            }
        }
    }

    /** A manifest's fields, checked: its own name is {@code file}'s, parts are bare names {@code file.part-N}. */
    private record Manifest(String file, long size, String sha256, List<String> parts) {

        static Manifest read(Path manifest) {
            try {
                JsonObject o = JsonParser.parseString(Files.readString(manifest)).getAsJsonObject();
                String file = o.get("file").getAsString();
                long size = o.get("size").getAsLong();
                String sha256 = o.get("sha256").getAsString();
                List<String> parts = new ArrayList<>();
                for (JsonElement e : o.getAsJsonArray("parts")) {
                    parts.add(e.getAsString());
                }
                if (!(file + ".parts.json").equals(manifest.getFileName().toString())) {
                    throw new UserError(manifest + ": names the file " + file + ", not the one its own name says");
                }
                for (String part : parts) {
                    if (!part.matches(Pattern.quote(file) + "\\.part-\\d+")) {
                        throw new UserError(manifest + ": part '" + part + "' is not named " + file + ".part-N");
                    }
                }
                if (parts.isEmpty() || size < 0 || !sha256.matches("[0-9a-f]{64}")) {
                    throw new UserError(manifest + ": needs a size, a lower-case hex SHA-256 and at least one part");
                }
                return new Manifest(file, size, sha256, parts);
            } catch (UserError e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new UserError(manifest + ": not a readable parts manifest (file, size, sha256, parts): "
                        + e, e);
            }
        }
    }
}
