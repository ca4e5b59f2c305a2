package dev.portcullis.runtime.audit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One audit event as a service records it. Never carries secret values: attributes hold names,
 * versions, paths and counts, not credentials. Immutable.
 *
 * @param eventId unique id chosen by the writer (a UUID); an event sent twice is stored once
 * @param time when it happened, at the writer (millisecond precision is kept)
 * @param service the writing service, e.g. "gateway"
 * @param actor SPIFFE ID of who acted; empty when unknown
 * @param reason stable UPPER_SNAKE reason code; empty on plain success
 * @param traceId W3C trace id (32 lowercase hex); empty when none
 * @param sourceAddress the caller's "ip:port"; empty when unknown
 * @param attributes at most 64 entries, keys up to 64 and values up to 1024 characters
 */
public record AuditEvent(UUID eventId, Instant time, String service, String actor, AuditAction action,
        AuditResource resource, AuditOutcome outcome, String reason, String traceId, String sourceAddress,
        Map<String, String> attributes) {
    public static final int MAX_ATTRIBUTES = 64;
    public static final int MAX_KEY = 64;
    public static final int MAX_VALUE = 1024;
    /** The attribute naming the span (16 lowercase hex) an event was recorded in, within its trace. */
    public static final String SPAN_ID_ATTRIBUTE = "span_id";
    private static final Pattern TRACE_ID = Pattern.compile("|[0-9a-f]{32}");

    public AuditEvent {
        requireNonNull(eventId, "eventId is null");
        requireNonNull(time, "time is null");
        requireNonNull(service, "service is null");
        requireNonNull(actor, "actor is null");
        requireNonNull(action, "action is null");
        requireNonNull(resource, "resource is null");
        requireNonNull(outcome, "outcome is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(traceId, "traceId is null");
        requireNonNull(sourceAddress, "sourceAddress is null");
        attributes = Map.copyOf(attributes);
        if (service.isEmpty() || service.length() > 64) {
            throw new IllegalArgumentException("service must be 1-64 characters");
        }
        if (resource.kind().length() > 64 || resource.id().length() > 256 || resource.repo().length() > 100
                || resource.runId().length() > 64) {
            throw new IllegalArgumentException("resource kind, id, repo or run id is too long (64, 256, 100, 64)");
        }
        if (actor.length() > 2048 || reason.length() > 128 || sourceAddress.length() > 128) {
            throw new IllegalArgumentException("actor, reason or source address is too long");
        }
        if (!TRACE_ID.matcher(traceId).matches()) {
            throw new IllegalArgumentException("trace id must be 32 lowercase hex characters or empty");
        }
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw new IllegalArgumentException("at most " + MAX_ATTRIBUTES + " attributes");
        }
        attributes.forEach((key, value) -> {
            if (key.isEmpty() || key.length() > MAX_KEY || value.length() > MAX_VALUE) {
                throw new IllegalArgumentException("attribute keys must be 1-" + MAX_KEY + " characters, values at most "
                        + MAX_VALUE);
            }
        });
        // times are kept to the millisecond everywhere (spool, wire, database, hash)
        time = Instant.ofEpochMilli(time.toEpochMilli());
    }

    /**
     * This event with {@link #SPAN_ID_ATTRIBUTE} set to {@code spanId}, unless it already names a
     * span or has no room for another attribute.
     */
    public AuditEvent inSpan(String spanId) {
        if (attributes.containsKey(SPAN_ID_ATTRIBUTE) || attributes.size() >= MAX_ATTRIBUTES) {
            return this;
        }
        Map<String, String> more = new java.util.HashMap<>(attributes);
        more.put(SPAN_ID_ATTRIBUTE, spanId);
        return new AuditEvent(eventId, time, service, actor, action, resource, outcome, reason, traceId, sourceAddress, more);
    }

    /** Starts an event of {@code action} by {@code service}, now, with a fresh id. */
    public static Builder builder(String service, AuditAction action, Instant time) {
        return new Builder(service, action, time);
    }

    /** Builds an event step by step; unset parts are empty. Not thread-safe. */
    public static final class Builder {
        private final String service;
        private final AuditAction action;
        private final Instant time;
        private UUID eventId = UUID.randomUUID();
        private String actor = "";
        private AuditResource resource = AuditResource.NONE;
        private AuditOutcome outcome = AuditOutcome.SUCCESS;
        private String reason = "";
        private String traceId = "";
        private String sourceAddress = "";
        private Map<String, String> attributes = Map.of();

        private Builder(String service, AuditAction action, Instant time) {
            this.service = service;
            this.action = action;
            this.time = time;
        }

        public Builder eventId(UUID eventId) {
            this.eventId = eventId;
            return this;
        }

        public Builder actor(String actor) {
            this.actor = actor;
            return this;
        }

        public Builder resource(AuditResource resource) {
            this.resource = resource;
            return this;
        }

        public Builder outcome(AuditOutcome outcome) {
            this.outcome = outcome;
            return this;
        }

        public Builder reason(String reason) {
            this.reason = reason;
            return this;
        }

        public Builder traceId(String traceId) {
            this.traceId = traceId;
            return this;
        }

        public Builder sourceAddress(String sourceAddress) {
            this.sourceAddress = sourceAddress;
            return this;
        }

        public Builder attributes(Map<String, String> attributes) {
            this.attributes = attributes;
            return this;
        }

        public AuditEvent build() {
            return new AuditEvent(eventId, time, service, actor, action, resource, outcome, reason, traceId,
                    sourceAddress, attributes);
        }
    }
}
