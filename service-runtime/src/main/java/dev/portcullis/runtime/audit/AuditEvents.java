package dev.portcullis.runtime.audit;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import dev.portcullis.v1.AuditOutcome;
import java.time.Instant;
import java.util.UUID;

/**
 * Converts audit events between the domain and the {@code portcullis.v1} contract. Used by the
 * outbox (to ship) and by the audit service's api (to ingest).
 */
public final class AuditEvents {
    private AuditEvents() {}

    /**
     * The stored form of {@code event}: its serialized contract form. The outbox spool and the
     * gateway's table of audit events not yet handed to the outbox both keep events this way.
     */
    public static byte[] encode(AuditEvent event) {
        return toProto(event).toByteArray();
    }

    /**
     * The event {@link #encode} stored.
     *
     * @throws IllegalArgumentException when the bytes are no event this version understands
     */
    public static AuditEvent decode(byte[] stored) {
        try {
            return fromProto(dev.portcullis.v1.AuditEvent.parseFrom(stored));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a serialized audit event");
        }
    }

    /** The contract form of {@code event}. */
    public static dev.portcullis.v1.AuditEvent toProto(AuditEvent event) {
        return dev.portcullis.v1.AuditEvent.newBuilder()
                .setEventId(event.eventId().toString())
                .setTime(Timestamp.newBuilder().setSeconds(event.time().getEpochSecond()).setNanos(event.time().getNano()))
                .setService(event.service())
                .setActor(event.actor())
                .setAction(dev.portcullis.v1.AuditAction.valueOf("AUDIT_ACTION_" + event.action().name()))
                .setResource(dev.portcullis.v1.AuditResource.newBuilder()
                        .setKind(event.resource().kind()).setId(event.resource().id())
                        .setRepo(event.resource().repo()).setRunId(event.resource().runId()))
                .setOutcome(AuditOutcome.valueOf("AUDIT_OUTCOME_" + event.outcome().name()))
                .setReason(event.reason())
                .setTraceId(event.traceId())
                .setSourceAddress(event.sourceAddress())
                .putAllAttributes(event.attributes())
                .build();
    }

    /**
     * The domain form of a received event.
     *
     * @throws IllegalArgumentException naming what is malformed (unknown action, bad id, …)
     */
    public static AuditEvent fromProto(dev.portcullis.v1.AuditEvent proto) {
        UUID id;
        try {
            id = UUID.fromString(proto.getEventId());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("event_id must be a UUID");
        }
        if (!id.toString().equals(proto.getEventId())) {
            throw new IllegalArgumentException("event_id must be a UUID in lowercase canonical form");
        }
        if (!proto.hasTime()) {
            throw new IllegalArgumentException("time is required");
        }
        AuditAction action = switch (proto.getAction()) {
            case AUDIT_ACTION_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException("action is unknown");
            default -> AuditAction.valueOf(proto.getAction().name().substring("AUDIT_ACTION_".length()));
        };
        dev.portcullis.runtime.audit.AuditOutcome outcome = switch (proto.getOutcome()) {
            case AUDIT_OUTCOME_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException("outcome is unknown");
            default -> dev.portcullis.runtime.audit.AuditOutcome.valueOf(
                    proto.getOutcome().name().substring("AUDIT_OUTCOME_".length()));
        };
        // the range google.protobuf.Timestamp defines (as transport.ProtoTime checks it): beyond it
        // the JDK throws DateTimeException, which is no field violation
        if (proto.getTime().getSeconds() < -62_135_596_800L || proto.getTime().getSeconds() > 253_402_300_799L
                || proto.getTime().getNanos() < 0 || proto.getTime().getNanos() > 999_999_999) {
            throw new IllegalArgumentException("time must lie between 0001-01-01 and 9999-12-31, nanos 0-999999999");
        }
        Instant time = Instant.ofEpochSecond(proto.getTime().getSeconds(), proto.getTime().getNanos());
        return new AuditEvent(id, time, proto.getService(), proto.getActor(), action,
                new AuditResource(proto.getResource().getKind(), proto.getResource().getId(),
                        proto.getResource().getRepo(), proto.getResource().getRunId()),
                outcome, proto.getReason(), proto.getTraceId(), proto.getSourceAddress(), proto.getAttributesMap());
    }
}
