package dev.ganlab.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What a load did besides returning images: files skipped under {@link BadImagePolicy#SKIP}. */
public final class LoadReport {

    private final List<String> skipped = Collections.synchronizedList(new ArrayList<>());

    void skip(String file, String reason) {
        skipped.add(file + ": " + reason);
    }

    /** Records a line of {@link #skipped()} as it was (a disk cache's record of its build). */
    void skipLine(String line) {
        skipped.add(line);
    }

    /** One line per skipped file: {@code path: reason}. */
    public List<String> skipped() {
        synchronized (skipped) {
            return List.copyOf(skipped);
        }
    }

    public int skippedCount() {
        return skipped.size();
    }

    @Override
    public String toString() {
        return skipped.isEmpty() ? "no files skipped" : skipped.size() + " unreadable file(s) skipped";
    }
}
