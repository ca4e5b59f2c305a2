package dev.portcullis.runtime.audit;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.Optional;
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
                .setAction(toProto(event.action()))
                .setResource(dev.portcullis.v1.AuditResource.newBuilder()
                        .setKind(event.resource().kind()).setId(event.resource().id())
                        .setRepo(event.resource().repo()).setRunId(event.resource().runId()))
                .setOutcome(toProto(event.outcome()))
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
        AuditAction action = fromProto(proto.getAction())
                .orElseThrow(() -> new IllegalArgumentException("action is unknown"));
        AuditOutcome outcome = fromProto(proto.getOutcome())
                .orElseThrow(() -> new IllegalArgumentException("outcome is unknown"));
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

    /** The contract form of {@code action}. */
    public static dev.portcullis.v1.AuditAction toProto(AuditAction action) {
        return switch (action) {
            case AUTH_FAILED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_AUTH_FAILED;
            case REQUEST_INVALID -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_REQUEST_INVALID;
            case RUN_SUBMITTED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_RUN_SUBMITTED;
            case POLICY_ALLOWED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_POLICY_ALLOWED;
            case POLICY_DENIED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_POLICY_DENIED;
            case RUN_AWAITING_APPROVAL -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_RUN_AWAITING_APPROVAL;
            case RUN_APPROVED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_RUN_APPROVED;
            case RUN_REJECTED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_RUN_REJECTED;
            case RUN_EXPIRED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_RUN_EXPIRED;
            case RUN_QUEUED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_RUN_QUEUED;
            case RUN_STARTED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_RUN_STARTED;
            case RUN_FINISHED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_RUN_FINISHED;
            case RUN_CANCELLED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_RUN_CANCELLED;
            case TASK_STARTED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_TASK_STARTED;
            case TASK_FINISHED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_TASK_FINISHED;
            case TASK_CANCELLED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_TASK_CANCELLED;
            case SECRET_ISSUED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_SECRET_ISSUED;
            case SECRET_LEAK_DETECTED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_SECRET_LEAK_DETECTED;
            case CATALOG_LOADED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_CATALOG_LOADED;
            case CATALOG_REJECTED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_CATALOG_REJECTED;
            case BREAKGLASS_USED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_BREAKGLASS_USED;
            case AUDIT_CHECKPOINT -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_AUDIT_CHECKPOINT;
            case SCM_PUSH -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_SCM_PUSH;
            case SCM_PROTECTION_CHANGED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_SCM_PROTECTION_CHANGED;
            case SCM_PERMISSION_CHANGED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_SCM_PERMISSION_CHANGED;
            case SCM_DEPLOY_KEY_ADDED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_SCM_DEPLOY_KEY_ADDED;
            case SCM_DEPLOY_KEY_REMOVED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_SCM_DEPLOY_KEY_REMOVED;
            case CI_WORKFLOW_RUN -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_CI_WORKFLOW_RUN;
            case CI_LOGIN_FAILED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_CI_LOGIN_FAILED;
            case ARTIFACT_PUBLISHED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_ARTIFACT_PUBLISHED;
            case SOURCE_EVENT -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_SOURCE_EVENT;
            case SOURCE_DELIVERY_REFUSED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_SOURCE_DELIVERY_REFUSED;
            case SOURCE_SILENT -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_SOURCE_SILENT;
            case DRIFT_DETECTED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_DRIFT_DETECTED;
            case DRIFT_CLEARED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_DRIFT_CLEARED;
            case DRIFT_CHECK_FAILED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_DRIFT_CHECK_FAILED;
            case DRIFT_CHECK_REQUESTED -> dev.portcullis.v1.AuditAction.AUDIT_ACTION_DRIFT_CHECK_REQUESTED;
        };
    }

    /** The domain form of {@code action}; empty for UNSPECIFIED and values this version does not know. */
    public static Optional<AuditAction> fromProto(dev.portcullis.v1.AuditAction action) {
        return switch (action) {
            case AUDIT_ACTION_AUTH_FAILED -> Optional.of(AuditAction.AUTH_FAILED);
            case AUDIT_ACTION_REQUEST_INVALID -> Optional.of(AuditAction.REQUEST_INVALID);
            case AUDIT_ACTION_RUN_SUBMITTED -> Optional.of(AuditAction.RUN_SUBMITTED);
            case AUDIT_ACTION_POLICY_ALLOWED -> Optional.of(AuditAction.POLICY_ALLOWED);
            case AUDIT_ACTION_POLICY_DENIED -> Optional.of(AuditAction.POLICY_DENIED);
            case AUDIT_ACTION_RUN_AWAITING_APPROVAL -> Optional.of(AuditAction.RUN_AWAITING_APPROVAL);
            case AUDIT_ACTION_RUN_APPROVED -> Optional.of(AuditAction.RUN_APPROVED);
            case AUDIT_ACTION_RUN_REJECTED -> Optional.of(AuditAction.RUN_REJECTED);
            case AUDIT_ACTION_RUN_EXPIRED -> Optional.of(AuditAction.RUN_EXPIRED);
            case AUDIT_ACTION_RUN_QUEUED -> Optional.of(AuditAction.RUN_QUEUED);
            case AUDIT_ACTION_RUN_STARTED -> Optional.of(AuditAction.RUN_STARTED);
            case AUDIT_ACTION_RUN_FINISHED -> Optional.of(AuditAction.RUN_FINISHED);
            case AUDIT_ACTION_RUN_CANCELLED -> Optional.of(AuditAction.RUN_CANCELLED);
            case AUDIT_ACTION_TASK_STARTED -> Optional.of(AuditAction.TASK_STARTED);
            case AUDIT_ACTION_TASK_FINISHED -> Optional.of(AuditAction.TASK_FINISHED);
            case AUDIT_ACTION_TASK_CANCELLED -> Optional.of(AuditAction.TASK_CANCELLED);
            case AUDIT_ACTION_SECRET_ISSUED -> Optional.of(AuditAction.SECRET_ISSUED);
            case AUDIT_ACTION_SECRET_LEAK_DETECTED -> Optional.of(AuditAction.SECRET_LEAK_DETECTED);
            case AUDIT_ACTION_CATALOG_LOADED -> Optional.of(AuditAction.CATALOG_LOADED);
            case AUDIT_ACTION_CATALOG_REJECTED -> Optional.of(AuditAction.CATALOG_REJECTED);
            case AUDIT_ACTION_BREAKGLASS_USED -> Optional.of(AuditAction.BREAKGLASS_USED);
            case AUDIT_ACTION_AUDIT_CHECKPOINT -> Optional.of(AuditAction.AUDIT_CHECKPOINT);
            case AUDIT_ACTION_SCM_PUSH -> Optional.of(AuditAction.SCM_PUSH);
            case AUDIT_ACTION_SCM_PROTECTION_CHANGED -> Optional.of(AuditAction.SCM_PROTECTION_CHANGED);
            case AUDIT_ACTION_SCM_PERMISSION_CHANGED -> Optional.of(AuditAction.SCM_PERMISSION_CHANGED);
            case AUDIT_ACTION_SCM_DEPLOY_KEY_ADDED -> Optional.of(AuditAction.SCM_DEPLOY_KEY_ADDED);
            case AUDIT_ACTION_SCM_DEPLOY_KEY_REMOVED -> Optional.of(AuditAction.SCM_DEPLOY_KEY_REMOVED);
            case AUDIT_ACTION_CI_WORKFLOW_RUN -> Optional.of(AuditAction.CI_WORKFLOW_RUN);
            case AUDIT_ACTION_CI_LOGIN_FAILED -> Optional.of(AuditAction.CI_LOGIN_FAILED);
            case AUDIT_ACTION_ARTIFACT_PUBLISHED -> Optional.of(AuditAction.ARTIFACT_PUBLISHED);
            case AUDIT_ACTION_SOURCE_EVENT -> Optional.of(AuditAction.SOURCE_EVENT);
            case AUDIT_ACTION_SOURCE_DELIVERY_REFUSED -> Optional.of(AuditAction.SOURCE_DELIVERY_REFUSED);
            case AUDIT_ACTION_SOURCE_SILENT -> Optional.of(AuditAction.SOURCE_SILENT);
            case AUDIT_ACTION_DRIFT_DETECTED -> Optional.of(AuditAction.DRIFT_DETECTED);
            case AUDIT_ACTION_DRIFT_CLEARED -> Optional.of(AuditAction.DRIFT_CLEARED);
            case AUDIT_ACTION_DRIFT_CHECK_FAILED -> Optional.of(AuditAction.DRIFT_CHECK_FAILED);
            case AUDIT_ACTION_DRIFT_CHECK_REQUESTED -> Optional.of(AuditAction.DRIFT_CHECK_REQUESTED);
            case AUDIT_ACTION_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
        };
    }

    /** The contract form of {@code outcome}. */
    public static dev.portcullis.v1.AuditOutcome toProto(AuditOutcome outcome) {
        return switch (outcome) {
            case SUCCESS -> dev.portcullis.v1.AuditOutcome.AUDIT_OUTCOME_SUCCESS;
            case FAILURE -> dev.portcullis.v1.AuditOutcome.AUDIT_OUTCOME_FAILURE;
            case DENIED -> dev.portcullis.v1.AuditOutcome.AUDIT_OUTCOME_DENIED;
        };
    }

    /** The domain form of {@code outcome}; empty for UNSPECIFIED and values this version does not know. */
    public static Optional<AuditOutcome> fromProto(dev.portcullis.v1.AuditOutcome outcome) {
        return switch (outcome) {
            case AUDIT_OUTCOME_SUCCESS -> Optional.of(AuditOutcome.SUCCESS);
            case AUDIT_OUTCOME_FAILURE -> Optional.of(AuditOutcome.FAILURE);
            case AUDIT_OUTCOME_DENIED -> Optional.of(AuditOutcome.DENIED);
            case AUDIT_OUTCOME_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
        };
    }
}
