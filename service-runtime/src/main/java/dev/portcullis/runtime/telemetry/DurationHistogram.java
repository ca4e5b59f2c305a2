package dev.portcullis.runtime.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.metrics.DoubleHistogram;
import java.time.Duration;
import java.util.Map;

/**
 * A distribution of durations, recorded in seconds, for domain code that must stay free of the
 * OpenTelemetry API. Labels follow {@link Counter}'s rule: closed vocabularies only.
 * Thread-safe; never blocks.
 */
public final class DurationHistogram {
    private final DoubleHistogram histogram;

    DurationHistogram(DoubleHistogram histogram) {
        this.histogram = requireNonNull(histogram, "histogram is null");
    }

    /** Records {@code duration} (a negative one, from a clock stepped back, counts as zero). */
    public void record(Duration duration, Map<String, String> labels) {
        double seconds = duration.isNegative() ? 0 : duration.toNanos() / 1e9;
        histogram.record(seconds, Telemetry.attributes(labels));
    }
}
