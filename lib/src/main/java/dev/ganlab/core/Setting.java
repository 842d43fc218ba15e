package dev.ganlab.core;

/**
 * A setting a user can give as a Java system property or as an environment variable, such as
 * {@code -Dganlab.threads=2} or {@code GANLAB_THREADS=2}. The property wins when both are set (it is the more
 * local choice: one JVM rather than a shell), and a blank value counts as unset.
 *
 * <p>Errors about a bad value name the one that was read ({@link #origin()}), so a user who started a JVM with
 * {@code -Dganlab.threads=abc} is not told to fix an environment variable they never set.
 *
 * @param property the system property, e.g. {@code ganlab.threads}
 * @param env the environment variable, e.g. {@code GANLAB_THREADS}
 */
public record Setting(String property, String env) {

    /** The value in force, as given (callers trim and parse it), or {@code null} when neither is set. */
    public String value() {
        String p = System.getProperty(property);
        if (p != null && !p.isBlank()) {
            return p;
        }
        String e = System.getenv(env);
        return e != null && !e.isBlank() ? e : null;
    }

    /** {@link #value()}, or {@code fallback} when neither is set. */
    public String valueOr(String fallback) {
        String v = value();
        return v != null ? v : fallback;
    }

    /**
     * Which one gave {@link #value()}: {@code "-Dganlab.threads"} or {@code "GANLAB_THREADS"}, or {@code null}
     * when neither is set. Meant for messages: {@code origin() + "='" + value() + "' is not ..."}.
     */
    public String origin() {
        String p = System.getProperty(property);
        if (p != null && !p.isBlank()) {
            return "-D" + property;
        }
        String e = System.getenv(env);
        return e != null && !e.isBlank() ? env : null;
    }
}
