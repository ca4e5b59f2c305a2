package dev.portcullis.runtime.transport;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Instants in their contract form, {@code google.protobuf.Timestamp}, and back. */
public final class ProtoTime {
    private ProtoTime() {}

    public static Timestamp of(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    public static Instant toInstant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }
}
