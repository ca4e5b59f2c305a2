package dev.portcullis.runtime.telemetry;

import static java.util.Objects.requireNonNull;

/**
 * A gauge or counter whose values are read at each collection (a scrape, an OTLP export) from
 * a callback; {@link #close()} stops reading it. Thread-safe.
 */
public final class ObservedMetric implements AutoCloseable {
    private final AutoCloseable instrument;

    ObservedMetric(AutoCloseable instrument) {
        this.instrument = requireNonNull(instrument, "instrument is null");
    }

    @Override
    public void close() {
        try {
            instrument.close();
        } catch (Exception e) {
            // the SDK's observable instruments only unregister their callback
            throw new IllegalStateException("cannot unregister a metric callback", e);
        }
    }
}
