package dev.portcullis.gateway.drift;

import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.run.Run;
import java.util.Optional;

/**
 * One drift target as people see it: what the database holds about it, and the run of the check
 * whose result its state is (for the commit and plan summary that explain it). Immutable.
 */
public final class DriftStatus {
    private final DriftRecord record;
    // null when the state comes from no run (never checked, not submitted) or that run is gone
    private final Run result;

    public DriftStatus(DriftRecord record, Optional<Run> result) {
        this.record = requireNonNull(record, "record is null");
        this.result = requireNonNull(result, "result is null").orElse(null);
    }

    public DriftRecord record() {
        return record;
    }

    /** The run of {@link DriftRecord#resultRun}, when there is one. */
    public Optional<Run> result() {
        return Optional.ofNullable(result);
    }
}
