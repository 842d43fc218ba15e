package dev.ganlab.data;

/** What an image-folder load does with a file that cannot be decoded. */
public enum BadImagePolicy {
    /** Stop with an error naming the file (default: nothing is silently dropped). */
    FAIL,
    /** Leave the file out, count it, and report the count and the files in the {@link LoadReport}. */
    SKIP;

    /** Parses "fail" or "skip" (any case). */
    public static BadImagePolicy parse(String s) {
        for (BadImagePolicy p : values()) {
            if (p.name().equalsIgnoreCase(s.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown bad-image policy '" + s + "': use fail or skip");
    }
}
