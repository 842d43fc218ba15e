package dev.ganlab.spark;

import dev.ganlab.core.UserError;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks that the Spark executors see the sweep folder at the same path as the driver: a task writes a
 * probe file there (without creating any folder: a node's own local disk must not pass for the shared
 * one), and the driver reads it back. Runs before any run is submitted.
 */
final class SharedFolderProbe {

    private SharedFolderProbe() {}

    /** The task: writes the token into the probe file; returns "ok HOST" or "error HOST: why". */
    static final class WriteProbe implements Function<String, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String call(String fileAndToken) {
            int nl = fileAndToken.indexOf('\n');
            Path file = Paths.get(fileAndToken.substring(0, nl));
            String host = RunTask.hostName();
            try {
                if (!Files.isDirectory(file.getParent())) {
                    return "error " + host + ": the folder " + file.getParent() + " does not exist there";
                }
                Files.writeString(file, fileAndToken.substring(nl + 1) + "\n" + host + "\n", StandardCharsets.UTF_8);
                return "ok " + host;
            } catch (IOException | RuntimeException e) {
                return "error " + host + ": " + e;
            }
        }
    }

    static void check(JavaSparkContext sc, Path folder, long timeoutSeconds) {
        String token = UUID.randomUUID().toString();
        Path probe = folder.resolve(".spark-probe-" + token);
        String group = "ganlab-probe-" + token;
        String answer;
        synchronized (sc) {
            sc.setJobGroup(group, "GAN Lab: do the executors see " + folder + "?", true);
            JavaFutureAction<List<String>> job = sc.parallelize(List.of(probe + "\n" + token), 1)
                    .map(new WriteProbe()).collectAsync();
            sc.clearJobGroup();
            try {
                answer = job.get(timeoutSeconds, TimeUnit.SECONDS).get(0);
            } catch (TimeoutException e) {
                sc.cancelJobGroup(group);
                throw new UserError("no Spark executor ran the shared-folder probe within " + timeoutSeconds + " s:"
                        + " the cluster has no free executor for this application (compare its workers' free cores and"
                        + " memory with spark.executor.memory, spark.executor.cores and spark.task.cpus; the master's"
                        + " web UI shows why the application waits), or raise " + SparkRunExecutor.PROBE_TIMEOUT);
            } catch (ExecutionException e) {
                throw new UserError("the Spark task that checks the sweep folder " + folder + " failed: "
                        + SparkRunExecutor.rootMessage(e), e);
            } catch (InterruptedException e) {
                sc.cancelJobGroup(group);
                Thread.currentThread().interrupt();
                throw new UserError("interrupted while checking that the Spark executors see " + folder);
            }
        }
        try {
            if (answer.startsWith("error")) {
                throw new UserError("the Spark executors do not see the sweep folder " + folder + " (" + answer.substring(6)
                        + "). Run folders must be on a path that every node mounts at the same place (a shared file"
                        + " system); give the sweep an 'out' there (--out)");
            }
            String host = answer.substring(3);
            String seen = Files.isRegularFile(probe) ? Files.readString(probe, StandardCharsets.UTF_8) : "";
            if (!seen.startsWith(token)) {
                throw new UserError("a Spark task on " + host + " wrote a probe file into " + folder + ", but this machine"
                        + " (the driver) does not see it: the folder is not shared between the nodes. Run folders must be"
                        + " on a path that every node mounts at the same place; give the sweep an 'out' there (--out)");
            }
        } catch (IOException e) {
            throw new UserError("cannot read the probe file " + probe + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException e) {
                // a leftover probe file is harmless
            }
        }
    }
}
