package dev.ganlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ganlab.core.UserError;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Without a master, a Spark sweep shares this machine as the local executor does: one run per two engine
 * threads, each run with an equal share of the threads as spark.task.cpus (before, local[cores / 2] with one
 * thread per run: on 2 cores, one run on one thread and a core idle).
 */
class SparkLocalShareTest {

    @Test
    void runsAndTheirThreadsFollowTheLocalExecutorsRule() {
        assertEquals(1, SparkExecutorFactory.defaultWorkers(2, 2));
        assertEquals(4, SparkExecutorFactory.defaultWorkers(8, 8));
        assertEquals(1, SparkExecutorFactory.defaultWorkers(16, 2), "threads beyond the cores count as the cores");
        assertEquals(1, SparkExecutorFactory.defaultWorkers(1, 8), "at least one run");

        Map<String, String> settings = new HashMap<>();
        assertEquals("local[2]", SparkRunExecutor.defaultLocalMaster(settings, 1, 2), "one run of 2 threads on 2 cores");
        assertEquals("2", settings.get("spark.task.cpus"));
        settings = new HashMap<>();
        assertEquals("local[8]", SparkRunExecutor.defaultLocalMaster(settings, 4, 2));
        assertEquals("2", settings.get("spark.task.cpus"));
    }

    @Test
    void aGivenTaskCpusIsKeptAndTheMasterHasRoomForEveryRun() {
        Map<String, String> settings = new HashMap<>(Map.of("spark.task.cpus", "3"));
        assertEquals("local[6]", SparkRunExecutor.defaultLocalMaster(settings, 2, 1));
        assertEquals("3", settings.get("spark.task.cpus"));
        UserError e = assertThrows(UserError.class,
                () -> SparkRunExecutor.defaultLocalMaster(new HashMap<>(Map.of("spark.task.cpus", "two")), 1, 1));
        assertTrue(e.getMessage().startsWith("spark.task.cpus=two: expected a positive whole number of cores"),
                e.getMessage());
    }
}
