package dev.portcullis.runtime.transport;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Instants in their contract form, {@code google.protobuf.Timestamp}, and back. */
public final class ProtoTime {
    private ProtoTime() {}

    public static Timestamp of(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    /** The range {@code google.protobuf.Timestamp} allows: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z. */
    private static final long MIN_SECONDS = -62_135_596_800L;
    private static final long MAX_SECONDS = 253_402_300_799L;

    /**
     * The instant {@code timestamp} names.
     *
     * @throws IllegalArgumentException when it lies outside the range the Timestamp type defines
     *     or its nanos are outside 0-999999999 (the JDK would throw DateTimeException or
     *     ArithmeticException for some of these, and accept others silently)
     */
    public static Instant toInstant(Timestamp timestamp) {
        if (timestamp.getSeconds() < MIN_SECONDS || timestamp.getSeconds() > MAX_SECONDS
                || timestamp.getNanos() < 0 || timestamp.getNanos() > 999_999_999) {
            throw new IllegalArgumentException("must be a timestamp between 0001-01-01 and 9999-12-31, nanos 0-999999999");
        }
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }
}
