package dev.ganlab;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class or method that takes seconds (trains for many steps, extracts features of
 * thousands of images, starts a JVM): JUnit tag {@value #TAG}. {@code mvn -B -pl lib test -Pfast}
 * leaves these out; the plain {@code mvn test} and CI run everything. A test earns the mark from its
 * measured time in the surefire reports (above about 1.5 s on a 2-core machine), not from its topic.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(Slow.TAG)
public @interface Slow {
    /** The JUnit tag, excluded by the {@code fast} Maven profile. */
    String TAG = "slow";
}
