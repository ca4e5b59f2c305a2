package dev.portcullis.audit.source;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditOutcome;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Portcullis' generic signed JSON, for sources without a webhook format of their own (Jenkins,
 * artefact repositories, …). The whole body is signed ({@code X-Portcullis-Signature:
 * sha256=HEX}, HMAC-SHA256 with the source's secret), and so are the delivery id and the send
 * time inside it:
 *
 * <pre>{@code
 * {"delivery_id": "jenkins-7f3c…",            1-128 of A-Z a-z 0-9 . _ : -
 *  "sent_at": "2026-11-24T09:00:00Z",          ISO-8601; within the replay window of now
 *  "events": [                                 1-100
 *    {"action": "ci.login_failed",             scm.*, ci.*, artifact.published or source.event
 *     "time": "2026-11-24T08:59:58Z",          optional, default sent_at
 *     "actor": "jenkins:alice",                optional, never a spiffe:// identity
 *     "outcome": "failure",                    optional: success (default), failure, denied
 *     "reason": "BAD_PASSWORD",                optional, UPPER_SNAKE
 *     "repo": "acme/infra-live",               optional, with "repo_url" to match the catalog
 *     "repo_url": "https://github.com/acme/infra-live.git",
 *     "resource": {"kind": "job", "id": "deploy"},  optional
 *     "source_address": "10.1.2.3",            optional
 *     "attributes": {"user": "alice"}}]}       optional, string values
 * }</pre>
 */
final class GenericPayloads {
    private static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern REASON = Pattern.compile("|[A-Z][A-Z0-9_]{0,127}");

    private GenericPayloads() {}

    /** The signed envelope of a generic delivery. */
    record Envelope(String deliveryId, Instant sentAt) {}

    static Envelope envelope(JsonPayload body) {
        String deliveryId = body.text("delivery_id");
        if (!DELIVERY_ID.matcher(deliveryId).matches()) {
            throw new MalformedPayloadException("delivery_id must be 1-128 characters of A-Z a-z 0-9 . _ : -");
        }
        return new Envelope(deliveryId, instant(body.text("sent_at"), "sent_at"));
    }

    static void map(JsonPayload body, Instant sentAt, SourceEvents out) {
        List<JsonPayload> events = body.elements("events");
        if (events.isEmpty() || events.size() > SourceEvents.MAX_EVENTS) {
            throw new MalformedPayloadException("events must hold 1 to " + SourceEvents.MAX_EVENTS + " events");
        }
        for (JsonPayload event : events) {
            AuditAction action = AuditAction.byDottedName(event.text("action"))
                    .filter(AuditAction::reportableBySource)
                    .orElseThrow(() -> new MalformedPayloadException(
                            "events[].action must be one of scm.*, ci.*, artifact.published or source.event"));
            String actor = event.text("actor");
            if (actor.toLowerCase(Locale.ROOT).startsWith("spiffe:")) {
                throw new MalformedPayloadException("events[].actor must not be a SPIFFE identity");
            }
            String reason = event.text("reason");
            if (!REASON.matcher(reason).matches()) {
                throw new MalformedPayloadException("events[].reason must be UPPER_SNAKE");
            }
            SourceEvents.Draft draft = out.add(action)
                    .time(event.has("time") ? instant(event.text("time"), "events[].time") : sentAt)
                    .outcome(outcome(event.text("outcome")))
                    .reason(reason);
            if (!actor.isEmpty()) {
                int colon = actor.indexOf(':');
                draft.actor(colon > 0 ? actor.substring(0, colon) : out.source().name().value(),
                        colon > 0 ? actor.substring(colon + 1) : actor);
            }
            if (!event.text("repo").isEmpty() || !event.text("repo_url").isEmpty()) {
                draft.repository(event.text("repo"), event.text("repo_url"));
            }
            if (event.at("resource").isObject()) {
                draft.resource(event.text("resource", "kind"), event.text("resource", "id"));
            }
            if (!event.text("source_address").isEmpty()) {
                draft.sourceAddress(event.text("source_address"));
            }
            JsonPayload attributes = event.at("attributes");
            for (String key : attributes.fieldNames()) {
                if (key.isEmpty() || key.length() > 64 || List.of("source", "delivery_id", "provider_event").contains(key)) {
                    throw new MalformedPayloadException("events[].attributes keys must be 1-64 characters and not reserved");
                }
                draft.attribute(key, attributes.at(key).asText());
            }
            draft.add();
        }
    }

    private static AuditOutcome outcome(String text) {
        return switch (text) {
            case "", "success" -> AuditOutcome.SUCCESS;
            case "failure" -> AuditOutcome.FAILURE;
            case "denied" -> AuditOutcome.DENIED;
            default -> throw new MalformedPayloadException("events[].outcome must be success, failure or denied");
        };
    }

    private static Instant instant(String text, String field) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new MalformedPayloadException(field + " must be an ISO-8601 instant, e.g. 2026-11-24T09:00:00Z");
        }
    }
}
