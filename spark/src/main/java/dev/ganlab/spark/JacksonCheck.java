package dev.ganlab.spark;

import dev.ganlab.core.UserError;

import java.nio.file.Path;

/**
 * Spark's driver serialises every RDD operation's scope with Jackson and its Scala module, which refuses any
 * jackson-databind but its own minor version ("Scala module 2.20.0 requires Jackson Databind version >= 2.20.0
 * and &lt; 2.21.0"). A class path that puts another Jackson first (a GAN Lab jar whose lib/ folder holds other
 * versions than this build's, a cluster's Spark of another release, a hand-made class path) lets the context
 * start and then fails the first job with an ExceptionInInitializerError deep in Spark. This check
 * initialises the same class before the context starts and turns that failure into one message naming the
 * jar the Jackson came from.
 */
final class JacksonCheck {

    /** Spark's holder of that Jackson mapper: initialising it registers the Scala module. */
    static final String SCOPE_CLASS = "org.apache.spark.rdd.RDDOperationScope$";

    private JacksonCheck() {}

    static void check() {
        try {
            Class.forName(SCOPE_CLASS, true, JacksonCheck.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new UserError("Spark's " + SCOPE_CLASS + " is not on the class path: is this Spark 4.1?", e);
        } catch (LinkageError e) {
            Path databind = SparkRunExecutor.codeSource(com.fasterxml.jackson.databind.cfg.PackageVersion.class);
            throw new UserError("Spark cannot start: " + SparkRunExecutor.rootMessage(e) + ". jackson-databind "
                    + com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION + " was loaded from " + databind
                    + "; put the Jackson of Spark's own jars first (GAN Lab's lib/ folder must hold the Jackson of"
                    + " the Spark it runs with: README, Sweeps on Spark)", e);
        }
    }
}
