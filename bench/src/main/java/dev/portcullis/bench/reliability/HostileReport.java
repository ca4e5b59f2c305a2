package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What the hostile-input corpus found.
 *
 * @param tried cases sent to the suite
 * @param refused cases refused with the expected status and reason and found in the audit log
 * @param unexpected one line per case that was not (its name, what came back, what was missing);
 *     never a secret, key or whole certificate
 */
public record HostileReport(int tried, int refused, List<String> unexpected) {
    public HostileReport {
        requireNonNull(unexpected, "unexpected is null");
        unexpected = List.copyOf(unexpected);
        if (tried < 0 || refused < 0 || refused > tried) {
            throw new IllegalArgumentException("refused must be between 0 and tried");
        }
    }
}
