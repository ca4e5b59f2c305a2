package dev.portcullis.audit.api;

import dev.portcullis.audit.alert.AlertRule;
import dev.portcullis.audit.store.EventFilter;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.runtime.transport.ProtoTime;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.GetConsistencyProofRequest;
import dev.portcullis.v1.GetInclusionProofRequest;
import dev.portcullis.v1.ListAlertsRequest;
import dev.portcullis.v1.QueryOrder;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.VerifyRequest;
import dev.portcullis.v1.WatchAlertsRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * The audit service's requests parsed into domain values, every bound of {@code audit.proto}
 * checked and every violation reported at once. Each method returns values the domain can trust
 * or throws an {@link InvalidRequestException} (a cursor or page token a {@link DomainException}
 * of kind INVALID); nothing else.
 */
final class AuditRequests {
    static final int MAX_BATCH = 500;
    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 10_000;
    static final int DEFAULT_ALERT_PAGE = 50;
    static final int MAX_ALERT_PAGE = 500;
    private static final int MAX_FILTER = 2048;
    /** More action filters than there are actions can only repeat some. */
    private static final int MAX_ACTIONS = AuditAction.values().length;

    private AuditRequests() {}

    /** Every event well-formed and written in {@code callerService}'s own name. */
    static List<AuditEvent> batch(AppendRequest request, String callerService) {
        FieldParser fields = new FieldParser();
        if (request.getEventsCount() == 0 || request.getEventsCount() > MAX_BATCH) {
            fields.reject("events", "must hold 1 to " + MAX_BATCH + " events");
            fields.throwIfInvalid();
        }
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < request.getEventsCount(); i++) {
            String field = "events[" + i + "]";
            dev.portcullis.v1.AuditEvent proto = request.getEvents(i);
            fields.parse(field, "", ignored -> AuditEvents.fromProto(proto)).ifPresent(event -> {
                if (!event.service().equals(callerService)) {
                    // one service may not write events in another's name
                    fields.reject(field + ".service", "must be '" + callerService + "', the caller's own service name");
                } else {
                    events.add(event);
                }
            });
        }
        fields.throwIfInvalid();
        return events;
    }

    /** What a delegate (the web console) may append with its certificate alone: the requests it refused itself. */
    static final Set<AuditAction> DELEGATE_ACTIONS = EnumSet.of(AuditAction.AUTH_FAILED);

    /**
     * Checks that {@code events}, appended by a delegate without the service role, are all refusals it
     * made itself: {@link #DELEGATE_ACTIONS} with outcome DENIED, naming no actor (it authenticated no
     * one), no repository and no run (a stolen delegate certificate must not frame a person or a run).
     *
     * @throws DomainException DENIED {@code DELEGATE_EVENT_NOT_ALLOWED} naming the first other event
     */
    static void delegateRefusals(List<AuditEvent> events) {
        for (int i = 0; i < events.size(); i++) {
            AuditEvent event = events.get(i);
            if (!DELEGATE_ACTIONS.contains(event.action()) || event.outcome() != AuditOutcome.DENIED
                    || !event.actor().isEmpty() || !event.resource().repo().isEmpty() || !event.resource().runId().isEmpty()) {
                throw new DomainException(DomainException.Kind.DENIED, "DELEGATE_EVENT_NOT_ALLOWED",
                        "a delegate may append only its own refusals (auth.failed, outcome DENIED, no actor, repo or run)",
                        Map.of("event", Integer.toString(i), "action", event.action().dottedName()));
            }
        }
    }

    /**
     * A query: its filter and order, how many events at most, the sequence to continue after (0:
     * start), and whether the answer comes in batches or one event a message.
     */
    record Querying(EventFilter filter, boolean newestFirst, int limit, long after, boolean batched) {}

    static Querying querying(QueryRequest request) {
        FieldParser fields = new FieldParser();
        boolean newestFirst = request.getOrder() != QueryOrder.QUERY_ORDER_OLDEST_FIRST;
        EventFilter.Builder filter = EventFilter.builder();
        if (request.hasFromTime()) {
            fields.parse("from_time", "", ignored -> ProtoTime.toInstant(request.getFromTime())).ifPresent(filter::from);
        }
        if (request.hasToTime()) {
            fields.parse("to_time", "", ignored -> ProtoTime.toInstant(request.getToTime())).ifPresent(filter::to);
        }
        if (request.hasActor()) {
            filter.actor(request.getActor());
        }
        if (request.getActionsCount() > MAX_ACTIONS) {
            fields.reject("actions", "must name at most " + MAX_ACTIONS + " actions");
        } else if (request.getActionsCount() > 0) {
            Set<AuditAction> actions = EnumSet.noneOf(AuditAction.class);
            for (int i = 0; i < request.getActionsCount(); i++) {
                Optional<AuditAction> action = AuditEvents.fromProto(request.getActions(i));
                if (action.isPresent()) {
                    actions.add(action.get());
                } else {
                    fields.reject("actions[" + i + "]", "is not a known action");
                }
            }
            filter.actions(actions);
        }
        if (request.hasRepo()) {
            filter.repo(request.getRepo());
        }
        if (request.hasRunId()) {
            filter.runId(request.getRunId());
        }
        if (request.hasOutcome()) {
            Optional<AuditOutcome> outcome = AuditEvents.fromProto(request.getOutcome());
            if (outcome.isPresent()) {
                filter.outcome(outcome.get());
            } else {
                fields.reject("outcome", "is not a known outcome");
            }
        }
        if (request.hasTraceId()) {
            filter.traceId(request.getTraceId());
        }
        for (String text : List.of(request.getActor(), request.getRepo(), request.getRunId(), request.getTraceId())) {
            if (text.length() > MAX_FILTER) {
                fields.reject("filter", "filter values are at most " + MAX_FILTER + " characters");
                break;
            }
        }
        int limit = request.getLimit() == 0 ? DEFAULT_LIMIT : request.getLimit();
        // uint32 on the wire: above 2^31-1 it arrives negative
        if (limit > MAX_LIMIT || limit < 0) {
            fields.reject("limit", "must be at most " + MAX_LIMIT);
        }
        long after = request.getCursor().isEmpty() ? 0
                : fields.parse("cursor", request.getCursor(), cursor -> AuditGrpcService.Cursors.sequence(cursor, newestFirst))
                        .orElse(0L);
        fields.throwIfInvalid();
        return new Querying(filter.build(), newestFirst, limit, after, request.getBatched());
    }

    /** A range of the chain to verify: from 1 (or the first given), to the newest (0) or the last given. */
    record Verifying(long fromSequence, long toSequence) {}

    static Verifying verifying(VerifyRequest request) {
        FieldParser fields = new FieldParser();
        long from = fields.unsigned64("from_sequence", request.getFromSequence());
        long to = fields.unsigned64("to_sequence", request.getToSequence());
        if (to > 0 && to < from) {
            fields.reject("to_sequence", "must not be below from_sequence");
        }
        fields.throwIfInvalid();
        return new Verifying(from, to);
    }

    /**
     * An inclusion proof to give: of the event at {@code sequence}, or (sequence 0) of the one
     * with the event id given; in the tree of {@code treeSize} (0: the newest checkpoint's).
     */
    record Proving(long sequence, List<UUID> eventIdIfAny, long treeSize) {
        Proving {
            eventIdIfAny = List.copyOf(eventIdIfAny);
        }
    }

    static Proving proving(GetInclusionProofRequest request) {
        FieldParser fields = new FieldParser();
        long treeSize = fields.unsigned64("tree_size", request.getTreeSize());
        Proving proving = switch (request.getLeafCase()) {
            case SEQUENCE -> {
                long sequence = fields.unsigned64("sequence", request.getSequence());
                if (sequence == 0) {
                    fields.reject("sequence", "sequences start at 1");
                }
                yield new Proving(sequence, List.of(), treeSize);
            }
            case EVENT_ID -> new Proving(0, fields.parse("event_id", request.getEventId(), raw -> {
                if (raw.length() != 36) {
                    throw new IllegalArgumentException("must be a UUID");
                }
                return UUID.fromString(raw);
            }).map(List::of).orElse(List.of()), treeSize);
            case LEAF_NOT_SET -> {
                fields.reject("sequence", "one of sequence and event_id is required");
                yield null;
            }
        };
        fields.throwIfInvalid();
        // a sequence beyond the tree size is OUT_OF_RANGE, decided where the log's size is known (LogProofs)
        return proving;
    }

    /** A consistency proof to give, between two tree sizes (to 0: the newest checkpoint's). */
    record Consisting(long fromSize, long toSize) {}

    static Consisting consisting(GetConsistencyProofRequest request) {
        FieldParser fields = new FieldParser();
        long from = fields.unsigned64("from_size", request.getFromSize());
        long to = fields.unsigned64("to_size", request.getToSize());
        fields.throwIfInvalid();
        if (to > 0 && from > to) {
            throw new DomainException(DomainException.Kind.INVALID, "SIZES_OUT_OF_ORDER", "from_size must not exceed to_size",
                    Map.of());
        }
        return new Consisting(from, to);
    }

    /** A page of alerts: since when (if at all), of which rule (if any), before which sequence, how many. */
    record AlertPage(List<Instant> sinceIfAny, List<String> ruleIfAny, long before, int pageSize) {
        AlertPage {
            sinceIfAny = List.copyOf(sinceIfAny);
            ruleIfAny = List.copyOf(ruleIfAny);
        }

        Optional<Instant> since() {
            return sinceIfAny.stream().findFirst();
        }

        Optional<String> rule() {
            return ruleIfAny.stream().findFirst();
        }
    }

    static AlertPage alertPage(ListAlertsRequest request) {
        FieldParser fields = new FieldParser();
        int pageSize = request.getPageSize() == 0 ? DEFAULT_ALERT_PAGE : request.getPageSize();
        // uint32 on the wire: above 2^31-1 it arrives negative
        if (pageSize > MAX_ALERT_PAGE || pageSize < 0) {
            fields.reject("page_size", "must be at most " + MAX_ALERT_PAGE);
        }
        long before = request.getPageToken().isEmpty() ? Long.MAX_VALUE
                : fields.parse("page_token", request.getPageToken(), token -> AuditGrpcService.Cursors.sequence(token, true))
                        .orElse(0L);
        if (request.hasRule() && AlertRule.byRuleName(request.getRule()).isEmpty()) {
            fields.reject("rule", "is not a known alert rule");
        }
        List<Instant> since = new ArrayList<>();
        if (request.hasSince()) {
            fields.parse("since", "", ignored -> ProtoTime.toInstant(request.getSince())).ifPresent(since::add);
        }
        fields.throwIfInvalid();
        return new AlertPage(since, request.hasRule() ? List.of(request.getRule()) : List.of(), before, pageSize);
    }

    /** The sequence to watch alerts after, when the caller named one; empty for "from now on". */
    static OptionalLong watchAfter(WatchAlertsRequest request) {
        if (!request.hasAfterSequence()) {
            return OptionalLong.empty();
        }
        FieldParser fields = new FieldParser();
        long after = fields.unsigned64("after_sequence", request.getAfterSequence());
        fields.throwIfInvalid();
        return OptionalLong.of(after);
    }
}
