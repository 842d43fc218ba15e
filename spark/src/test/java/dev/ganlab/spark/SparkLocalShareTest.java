package dev.ganlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.spark.SparkRunExecutor.LocalShare;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Without a master, a Spark sweep shares this machine as the local executor does: one run per two engine
 * threads, each run with its share of the threads as spark.task.cpus (before: local[cores / 2] with one thread per
 * run, so on 2 cores one run on one thread and a core idle, and a given spark.task.cpus above the slots failed
 * inside Spark).
 */
class SparkLocalShareTest {

    @Test
    void runsAndTheirThreadsFollowTheLocalExecutorsRule() {
        assertEquals(new LocalShare("local[2]", 2), SparkRunExecutor.localShare(null, null, 2, 2),
                "2 cores: one run of 2 threads");
        assertEquals(new LocalShare("local[8]", 2), SparkRunExecutor.localShare(null, null, 8, 8), "4 runs of 2");
        assertEquals(new LocalShare("local[16]", 16), SparkRunExecutor.localShare(null, null, 16, 2),
                "threads beyond the cores count as the cores for the runs; the run keeps the threads it was given");
        assertEquals(new LocalShare("local[3]", 1), SparkRunExecutor.localShare(3, null, 2, 2),
                "the spec's workers, each with at least one thread");
    }

    @Test
    void aGivenTaskCpusSetsTheRunsWhenTheSpecDoesNot() {
        assertEquals(new LocalShare("local[8]", 4), SparkRunExecutor.localShare(null, "4", 8, 8), "8 cores, 4 a run: 2 runs");
        assertEquals(new LocalShare("local[6]", 3), SparkRunExecutor.localShare(2, "3", 2, 2),
                "the spec's workers and the given cpus: room for both runs");
        UserError e = assertThrows(UserError.class, () -> SparkRunExecutor.localShare(1, "two", 2, 2));
        assertTrue(e.getMessage().startsWith("spark.task.cpus=two: expected a positive whole number of cores"),
                e.getMessage());
    }

    @Test
    void anExecutorWithoutAMasterStartsSparkWithThatShare() {
        LocalShare expected = SparkRunExecutor.localShare(null, null, GanLab.plannedThreads(),
                Runtime.getRuntime().availableProcessors());
        try (SparkRunExecutor ex = SparkRunExecutor.create(null, Map.of(), null)) {
            assertEquals(expected.master(), ex.master());
            assertEquals(Integer.toString(expected.taskCpus()), ex.context().getConf().get("spark.task.cpus"));
            int slots = Integer.parseInt(expected.master().replaceAll("\\D", ""));
            assertEquals(slots / expected.taskCpus(), ex.parallelism(), "runs at once");
        }
    }
}
