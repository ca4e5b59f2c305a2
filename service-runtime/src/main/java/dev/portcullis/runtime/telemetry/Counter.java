package dev.portcullis.runtime.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.metrics.LongCounter;
import java.util.Map;

/**
 * A monotonic count, for domain code that must stay free of the OpenTelemetry API. Labels are
 * names from closed vocabularies (an outcome, a state, a command of the catalog): never a run id,
 * an identity, a repository or anything a caller chooses freely, which would make one time series
 * per value. Thread-safe; never blocks.
 */
public final class Counter {
    private final LongCounter counter;

    Counter(LongCounter counter) {
        this.counter = requireNonNull(counter, "counter is null");
    }

    /** Adds one under {@code labels}. */
    public void add(Map<String, String> labels) {
        add(1, labels);
    }

    /** Adds {@code amount} (not negative) under {@code labels}. */
    public void add(long amount, Map<String, String> labels) {
        if (amount < 0) {
            throw new IllegalArgumentException("a counter only grows, was given " + amount);
        }
        counter.add(amount, Telemetry.attributes(labels));
    }
}
