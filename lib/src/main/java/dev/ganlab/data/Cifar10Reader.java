package dev.ganlab.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the CIFAR-10 binary version ({@code cifar-10-batches-bin}): files of 3073-byte records, one
 * label byte followed by a 32x32 image stored planar (1024 red, 1024 green, 1024 blue bytes), which
 * is exactly the {@link ImageDataset} layout.
 */
public final class Cifar10Reader {

    /** Bytes per record: 1 label + 3 * 32 * 32 pixels. */
    public static final int RECORD = 1 + 3 * 32 * 32;
    /** Class names in label order, used when {@code batches.meta.txt} is absent. */
    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");

    private Cifar10Reader() {}

    /** Loads the training batches (data_batch_1..5) or the test batch of {@code dir}. */
    public static ImageDataset load(Path dir, String split, int limit) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("CIFAR-10 folder " + dir + " does not exist (expected the extracted"
                    + " cifar-10-batches-bin folder holding data_batch_1.bin ... test_batch.bin)");
        }
        List<Path> files = new ArrayList<>();
        if (split.equals("train")) {
            for (int i = 1; i <= 5; i++) {
                files.add(dir.resolve("data_batch_" + i + ".bin"));
            }
        } else if (split.equals("test")) {
            files.add(dir.resolve("test_batch.bin"));
        } else {
            throw new DatasetException("CIFAR-10 split '" + split + "': use train or test");
        }
        List<byte[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new DatasetException(f + ": missing CIFAR-10 batch file");
            }
            long size;
            try {
                size = Files.size(f);
            } catch (IOException e) {
                throw new DatasetException(f + ": cannot read: " + e.getMessage(), e);
            }
            if (size == 0 || size % RECORD != 0) {
                throw new DatasetException(f + ": size " + size + " bytes is not a multiple of the 3073-byte"
                        + " CIFAR-10 record (truncated or not the binary version)");
            }
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16))) {
                long records = size / RECORD;
                for (long r = 0; r < records; r++) {
                    if (limit > 0 && images.size() >= limit) {
                        break;
                    }
                    int label = in.readUnsignedByte();
                    if (label > 9) {
                        throw new DatasetException(f + ": record " + r + " has label " + label
                                + " (CIFAR-10 labels are 0..9; is this CIFAR-100?)");
                    }
                    byte[] px = new byte[RECORD - 1];
                    in.readFully(px);
                    images.add(px);
                    labels.add(label);
                }
            } catch (EOFException e) {
                throw new DatasetException(f + ": truncated", e);
            } catch (IOException e) {
                throw new DatasetException(f + ": cannot read: " + e.getMessage(), e);
            }
        }
        List<String> names = CLASSES;
        Path meta = dir.resolve("batches.meta.txt");
        if (Files.isRegularFile(meta)) {
            try {
                List<String> lines = Files.readAllLines(meta, StandardCharsets.UTF_8).stream()
                        .map(String::trim).filter(s -> !s.isEmpty()).toList();
                if (lines.size() == 10) {
                    names = lines;
                }
            } catch (IOException e) {
                throw new DatasetException(meta + ": cannot read: " + e.getMessage(), e);
            }
        }
        return new ImageDataset("cifar10:" + split, 3, 32, 32, images,
                labels.stream().mapToInt(Integer::intValue).toArray(), names);
    }
}
