package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the reliability suite runs.
 *
 * @param callers concurrent CI callers, each with its own identity
 * @param runsPerCaller plan runs each caller submits and watches, one after the other
 * @param duration no new run is submitted after this long; runs in flight are still watched to their end
 * @param seed seeds the fault points, victims and downtimes
 * @param faults SIGKILLs injected during the load
 * @param dataDir the suite's data directory; emptied first
 * @param database the PostgreSQL the gateway and the audit service use
 * @param schemaPrefix their schemas are PREFIX_gateway and PREFIX_audit, dropped at the start
 * @param faultTargets the services the faults go round (in a seeded order): all four, or fewer
 */
public record ReliabilitySettings(int callers, int runsPerCaller, Duration duration, long seed, int faults, Path dataDir,
        Database database, String schemaPrefix, List<String> faultTargets) {
    public ReliabilitySettings {
        if (callers < 1 || callers > 1000) {
            throw new IllegalArgumentException("--callers must be between 1 and 1000");
        }
        if (runsPerCaller < 1 || runsPerCaller > 1000) {
            throw new IllegalArgumentException("--runs-per-caller must be between 1 and 1000");
        }
        requireNonNull(duration, "duration is null");
        if (duration.isNegative() || duration.isZero() || duration.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--duration must be positive and at most 1h");
        }
        if (faults < 0 || faults > 100) {
            throw new IllegalArgumentException("--faults must be between 0 and 100");
        }
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(database, "database is null");
        if (!requireNonNull(schemaPrefix, "schemaPrefix is null").matches("[a-z][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException("the schema prefix must be a lowercase SQL identifier");
        }
        faultTargets = List.copyOf(faultTargets);
        if (faultTargets.isEmpty() || !ServiceProcesses.SERVICES.containsAll(faultTargets)) {
            throw new IllegalArgumentException("fault targets must be some of " + ServiceProcesses.SERVICES);
        }
    }

    /** A PostgreSQL database; the password is never printed. */
    public record Database(String jdbcUrl, String user, String password) {
        public Database {
            requireNonNull(jdbcUrl, "jdbcUrl is null");
            requireNonNull(user, "user is null");
            requireNonNull(password, "password is null");
            if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("the reliability suite needs a jdbc:postgresql: URL");
            }
        }

        /** The URL with {@code currentSchema} set to {@code schema}. */
        public String inSchema(String schema) {
            return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        }

        @Override
        public String toString() {
            return "Database[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=redacted]";
        }
    }
}
