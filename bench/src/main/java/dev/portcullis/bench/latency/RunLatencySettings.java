package dev.portcullis.bench.latency;

import static java.util.Objects.requireNonNull;

import dev.portcullis.bench.reliability.ReliabilitySettings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the run-latency benchmark runs.
 *
 * @param runs sequential watched runs measured, each next to a bare run of the same command
 * @param warmUp watched and bare runs before the measured ones, not counted (JIT, connection pools)
 * @param callers concurrent callers of the concurrent round, each with its own identity and folder;
 *     the sequential runs go round the same identities, so no identity's submit limit is what is measured
 * @param concurrentRuns runs of the concurrent round in all (and as many bare runs)
 * @param bound each phase (sequential, concurrent) submits nothing new after this long
 * @param dataDir the suite's data directory; emptied first
 * @param store where the gateway and the audit service keep their data
 */
public record RunLatencySettings(int runs, int warmUp, int callers, int concurrentRuns, Duration bound, Path dataDir,
        Store store) {
    public RunLatencySettings {
        if (runs < 1 || runs > 1000) {
            throw new IllegalArgumentException("--runs must be between 1 and 1000");
        }
        if (warmUp < 0 || warmUp > 100) {
            throw new IllegalArgumentException("the warm-up must be between 0 and 100 runs");
        }
        if (callers < 1 || callers > 64) {
            throw new IllegalArgumentException("callers must be between 1 and 64");
        }
        if (concurrentRuns < 0 || concurrentRuns > 10_000) {
            throw new IllegalArgumentException("concurrent runs must be between 0 and 10000");
        }
        requireNonNull(bound, "bound is null");
        if (bound.isNegative() || bound.isZero() || bound.compareTo(Duration.ofMinutes(30)) > 0) {
            throw new IllegalArgumentException("the bound must be positive and at most 30 minutes");
        }
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(store, "store is null");
    }

    /** The gateway's and the audit service's database. */
    public sealed interface Store {
        /** Embedded H2 in the data directory, as {@code portcullis dev} runs. */
        record H2() implements Store {}

        /** PostgreSQL; the schemas PREFIX_gateway and PREFIX_audit are dropped at the start. */
        record Postgres(ReliabilitySettings.Database database, String schemaPrefix) implements Store {
            public Postgres {
                requireNonNull(database, "database is null");
                if (!requireNonNull(schemaPrefix, "schemaPrefix is null").matches("[a-z][a-z0-9_]{0,40}")) {
                    throw new IllegalArgumentException("the schema prefix must be a lowercase SQL identifier");
                }
            }
        }
    }
}
