package dev.portcullis.audit.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.testing.TestDatabases;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Queries page through every filter with keyset cursors and return exactly what the filter
 * matches, in sequence order, whichever statement the store picks for the filter and database.
 * Event times are shuffled against sequence numbers, as late deliveries shuffle them. Run
 * against H2 and PostgreSQL.
 */
abstract class AuditStoreQueryContract {
    private static final Instant BASE = Instant.parse("2026-11-24T09:00:00Z");
    private static final List<AuditAction> ACTIONS =
            List.of(AuditAction.RUN_SUBMITTED, AuditAction.POLICY_DENIED, AuditAction.AUTH_FAILED, AuditAction.RUN_APPROVED);
    private static final int EVENTS = 240;
    private static final int PAGE = 7;

    private TestDatabases.Settings db;
    private HikariDataSource dataSource;
    private JdbcAuditStore store;

    protected abstract TestDatabases.Settings database();

    @BeforeEach
    void open() {
        db = database();
        dataSource = Databases.open("audit", db.jdbcUrl(), db.user(), db.password(), db.schema(), 4);
        store = new JdbcAuditStore(dataSource, Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        if (db == null) { // PostgreSQL was unreachable: the test skipped before opening anything
            return;
        }
        dataSource.close();
        TestDatabases.drop(db);
    }

    static Stream<Arguments> filters() {
        return Stream.of(
                Arguments.of("actor", EventFilter.builder().actor("spiffe://example.org/ci/app-1").build()),
                Arguments.of("one action", EventFilter.builder().actions(Set.of(AuditAction.POLICY_DENIED)).build()),
                Arguments.of("several actions", EventFilter.builder()
                        .actions(Set.of(AuditAction.AUTH_FAILED, AuditAction.POLICY_DENIED, AuditAction.RUN_APPROVED)).build()),
                Arguments.of("an action nothing has", EventFilter.builder().actions(Set.of(AuditAction.SECRET_LEAK_DETECTED)).build()),
                Arguments.of("repo", EventFilter.builder().repo("payments-db").build()),
                Arguments.of("run", EventFilter.builder().runId("run-3").build()),
                Arguments.of("trace", EventFilter.builder().traceId(String.format("%032x", 2)).build()),
                Arguments.of("outcome", EventFilter.builder().outcome(AuditOutcome.DENIED).build()),
                Arguments.of("time range", EventFilter.builder().from(BASE.plusSeconds(40)).to(BASE.plusSeconds(130)).build()),
                Arguments.of("since", EventFilter.builder().from(BASE.plusSeconds(150)).build()),
                Arguments.of("until", EventFilter.builder().to(BASE.plusSeconds(35)).build()),
                Arguments.of("an empty time range", EventFilter.builder().from(BASE.plusSeconds(40)).to(BASE.plusSeconds(40)).build()),
                Arguments.of("actor and action", EventFilter.builder().actor("spiffe://example.org/ci/app-2")
                        .actions(Set.of(AuditAction.RUN_SUBMITTED)).build()),
                Arguments.of("several actions in a time range", EventFilter.builder()
                        .actions(Set.of(AuditAction.POLICY_DENIED, AuditAction.AUTH_FAILED))
                        .from(BASE.plusSeconds(20)).to(BASE.plusSeconds(200)).build()),
                Arguments.of("repo, outcome and time range", EventFilter.builder().repo("infra-live").outcome(AuditOutcome.SUCCESS)
                        .from(BASE.plusSeconds(10)).to(BASE.plusSeconds(100)).build()),
                Arguments.of("nothing", EventFilter.builder().build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void pagingNewestFirstReturnsEveryMatchOnceNewestFirst(String name, EventFilter filter) {
        store.append(events());

        List<Long> paged = pageThrough(filter, true);

        assertEquals(expected(filter, true), paged);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void pagingOldestFirstReturnsEveryMatchOnceOldestFirst(String name, EventFilter filter) {
        store.append(events());

        List<Long> paged = pageThrough(filter, false);

        assertEquals(expected(filter, false), paged);
    }

    @Test
    void aTimeRangeHoldsTheEventsFromItsStartUpToButNotItsEnd() {
        Instant from = BASE.plusMillis(5_000);
        Instant to = BASE.plusMillis(9_000);
        store.append(List.of(at(1, from.minusMillis(1)), at(2, from), at(3, from.plusMillis(1)), at(4, to.minusMillis(1)),
                at(5, to), at(6, to.plusMillis(1))));

        List<Long> newest = sequences(store.query(EventFilter.builder().from(from).to(to).build(), true, 0, 100));
        List<Long> oldest = sequences(store.query(EventFilter.builder().from(from).to(to).build(), false, 0, 100));

        assertEquals(List.of(4L, 3L, 2L), newest);
        assertEquals(List.of(2L, 3L, 4L), oldest);
    }

    @Test
    void aTimeRangeSpanningCenturiesKeepsSequenceOrder() {
        store.append(List.of(at(1, Instant.parse("2400-01-01T00:00:00Z")), at(2, Instant.parse("1901-01-01T00:00:00Z")),
                at(3, Instant.parse("2026-11-24T09:00:00Z")), at(4, Instant.parse("1970-01-01T00:00:00Z")),
                at(5, Instant.parse("2399-12-31T23:59:59.999Z"))));

        List<Long> since = sequences(store.query(EventFilter.builder().from(Instant.parse("1900-01-01T00:00:00Z")).build(), true, 0, 100));
        List<Long> until = sequences(store.query(EventFilter.builder().to(Instant.parse("2400-01-01T00:00:00Z")).build(), true, 0, 100));

        assertEquals(List.of(5L, 4L, 3L, 2L, 1L), since);
        assertEquals(List.of(5L, 4L, 3L, 2L), until);
    }

    @Test
    void aTimeRangeOnAnEmptyLogFindsNothing() {
        List<StoredEvent> found = store.query(EventFilter.builder().from(BASE).build(), true, 0, 100);

        assertTrue(found.isEmpty());
    }

    private List<Long> pageThrough(EventFilter filter, boolean newestFirst) {
        List<Long> sequences = new ArrayList<>();
        long cursor = 0;
        while (true) {
            List<StoredEvent> page = store.query(filter, newestFirst, cursor, PAGE);
            page.forEach(event -> sequences.add(event.sequence()));
            if (page.size() < PAGE) {
                return sequences;
            }
            cursor = page.get(page.size() - 1).sequence();
        }
    }

    private List<Long> expected(EventFilter filter, boolean newestFirst) {
        List<StoredEvent> all = new ArrayList<>();
        store.scan(1, Long.MAX_VALUE, all::add);
        List<Long> matching = new ArrayList<>(all.stream().filter(event -> matches(filter, event.event()))
                .map(StoredEvent::sequence).toList());
        if (newestFirst) {
            java.util.Collections.reverse(matching);
        }
        return matching;
    }

    private static boolean matches(EventFilter filter, AuditEvent event) {
        return filter.from().map(from -> !event.time().isBefore(from)).orElse(true)
                && filter.to().map(to -> event.time().isBefore(to)).orElse(true)
                && filter.actor().map(event.actor()::equals).orElse(true)
                && (filter.actions().isEmpty() || filter.actions().contains(event.action()))
                && filter.repo().map(event.resource().repo()::equals).orElse(true)
                && filter.runId().map(event.resource().runId()::equals).orElse(true)
                && filter.outcome().map(event.outcome()::equals).orElse(true)
                && filter.traceId().map(event.traceId()::equals).orElse(true);
    }

    private static List<Long> sequences(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::sequence).toList();
    }

    /** Times shuffled against the order of appending: event n happened at a pseudo-random second. */
    private static List<AuditEvent> events() {
        return IntStream.range(0, EVENTS).mapToObj(n -> event(n, BASE.plusSeconds((n * 7919L) % EVENTS))).toList();
    }

    private static AuditEvent at(int n, Instant time) {
        return event(n, time);
    }

    private static AuditEvent event(int n, Instant time) {
        boolean denied = n % 3 == 0;
        return AuditEvent.builder("gateway", ACTIONS.get((n * 31) % ACTIONS.size()), time)
                .eventId(UUID.nameUUIDFromBytes(("query-" + n).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .actor("spiffe://example.org/ci/app-" + (n % 4))
                .resource(new AuditResource("run", "run-" + n, n % 2 == 0 ? "infra-live" : "payments-db", "run-" + (n % 5)))
                .outcome(denied ? AuditOutcome.DENIED : AuditOutcome.SUCCESS)
                .reason(denied ? "REF_NOT_ALLOWED" : "")
                .traceId(String.format("%032x", n % 7))
                .sourceAddress("10.0.0." + (n % 9) + ":4000")
                .attributes(Map.of())
                .build();
    }
}
