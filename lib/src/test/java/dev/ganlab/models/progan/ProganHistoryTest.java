package dev.ganlab.models.progan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

/** Steps, images and seconds per resolution from a history table. */
class ProganHistoryTest {

    @Test
    void intervalsCountForTheResolutionOfTheirRow() {
        Table h = Table.create("h",
                DoubleColumn.create("step", 10, 20, 30, 40, 50),
                DoubleColumn.create("images", 160, 320, 400, 480, 560),
                DoubleColumn.create("seconds", 1, 2, 4, 6, 9),
                DoubleColumn.create("resolution", 4, 4, 8, 8, 16));
        Table t = ProganHistory.perResolution(h);
        assertEquals(3, t.rowCount());
        assertArrayEquals(new int[] {4, 8, 16}, t.intColumn("resolution").asIntArray());
        assertArrayEquals(new long[] {20, 20, 10}, t.longColumn("steps").asLongArray());
        assertArrayEquals(new long[] {320, 160, 80}, t.longColumn("images").asLongArray());
        assertArrayEquals(new double[] {2, 4, 3}, t.doubleColumn("seconds").asDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {160, 40, 80 / 3.0}, t.doubleColumn("images/s").asDoubleArray(), 1e-12);
    }

    @Test
    void aHistoryWithoutStagesIsRejectedNamingTheColumn() {
        Table h = Table.create("dcgan", DoubleColumn.create("step", new double[] {10}),
                DoubleColumn.create("images", new double[] {640}), DoubleColumn.create("seconds", new double[] {1}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProganHistory.perResolution(h));
        assertTrue(e.getMessage().contains("'resolution'"), e.getMessage());
    }
}
