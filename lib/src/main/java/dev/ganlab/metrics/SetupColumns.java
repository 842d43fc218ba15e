package dev.ganlab.metrics;

import java.util.ArrayList;
import java.util.List;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.columns.Column;

/**
 * An {@link EvaluationReport.Setup} as table columns, the one way every table shows what a score was
 * measured with ({@link EvaluationTable}, {@link EvaluationLog#setups}, the run comparisons):
 * {@code features}, {@code sha256} (first {@value #SHA_PREFIX} hex digits), {@code real},
 * {@code real n}, {@code fake n}, {@code seed}, {@code preparation} (of the fakes; both sides' when
 * they differ), each name after an optional prefix ({@code eval features}).
 */
public final class SetupColumns {

    /** Hex digits of the weights' SHA-256 shown in a table (the full hash is in each report). */
    public static final int SHA_PREFIX = 12;

    private final String prefix;
    private final StringColumn features;
    private final StringColumn sha;
    private final StringColumn real;
    private final IntColumn realN;
    private final IntColumn fakeN;
    private final LongColumn seed;
    private final StringColumn preparation;

    /** Empty columns named {@code prefix + name}. */
    public SetupColumns(String prefix) {
        this.prefix = prefix;
        features = StringColumn.create(prefix + "features");
        sha = StringColumn.create(prefix + "sha256");
        real = StringColumn.create(prefix + "real");
        realN = IntColumn.create(prefix + "real n");
        fakeN = IntColumn.create(prefix + "fake n");
        seed = LongColumn.create(prefix + "seed");
        preparation = StringColumn.create(prefix + "preparation");
    }

    /** The first {@value #SHA_PREFIX} hex digits of a SHA-256. */
    public static String shortSha(String sha256) {
        return sha256.substring(0, Math.min(SHA_PREFIX, sha256.length()));
    }

    /** Adds a row. */
    public SetupColumns append(EvaluationReport.Setup s) {
        features.append(s.features());
        sha.append(shortSha(s.featuresSha256()));
        real.append(s.real());
        realN.append(s.realCount());
        fakeN.append(s.fakeCount());
        seed.append(s.seed());
        preparation.append(s.realPreparation().equals(s.fakePreparation()) ? s.fakePreparation()
                : "real: " + s.realPreparation() + "; fake: " + s.fakePreparation());
        return this;
    }

    /** Adds an empty row (a run without evaluations). */
    public SetupColumns appendMissing() {
        all().forEach(Column::appendMissing);
        return this;
    }

    /** Every column, in the order above. */
    public List<Column<?>> all() {
        return List.of(features, sha, real, realN, fakeN, seed, preparation);
    }

    /** The columns of these names (without the prefix), in the order given. */
    public List<Column<?>> only(String... names) {
        List<Column<?>> out = new ArrayList<>();
        for (String n : names) {
            out.add(all().stream().filter(c -> c.name().equals(prefix + n)).findFirst().orElseThrow(
                    () -> new IllegalArgumentException("no setup column '" + n + "'")));
        }
        return out;
    }
}
