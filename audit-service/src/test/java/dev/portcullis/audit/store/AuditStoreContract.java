package dev.portcullis.audit.store;

import dev.portcullis.runtime.database.Databases;
import static dev.portcullis.audit.store.AuditEventsForTests.event;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.audit.chain.ChainHash;
import dev.portcullis.audit.chain.ChainVerifier;
import dev.portcullis.audit.chain.Checkpoint;
import dev.portcullis.audit.chain.LogProofs;
import dev.portcullis.audit.chain.MerkleProofs;
import dev.portcullis.audit.chain.MerkleTree;
import dev.portcullis.audit.chain.NaiveTree;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.testing.TestDatabases;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one contract every AuditStore meets, run against H2 and PostgreSQL. */
abstract class AuditStoreContract {
    protected TestDatabases.Settings db;
    protected HikariDataSource dataSource;
    protected JdbcAuditStore store;

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

    private static List<AuditEvent> events(int from, int to) {
        return IntStream.range(from, to).mapToObj(AuditEventsForTests::event).toList();
    }

    private List<StoredEvent> all() {
        List<StoredEvent> rows = new ArrayList<>();
        store.scan(1, Long.MAX_VALUE, rows::add);
        return rows;
    }

    @Test
    void appendedEventsAreChainedInOrder() {
        store.append(events(0, 3));
        store.append(events(3, 5));

        List<StoredEvent> rows = all();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), rows.stream().map(StoredEvent::sequence).toList());
        assertEquals(ChainHash.GENESIS, rows.get(0).previousHash());
        for (int i = 1; i < rows.size(); i++) {
            assertEquals(rows.get(i - 1).hash(), rows.get(i).previousHash());
        }
        assertTrue(rows.stream().allMatch(StoredEvent::hashHolds));
        assertEquals(event(4), rows.get(4).event());
        assertEquals(5, store.headSequence());
    }

    /**
     * Events stored before the attribute column was written by Jackson: their column text and chain
     * hashes, as the hand-written codec produced them, must come out of the store unchanged.
     */
    @Test
    void storedAttributesAndHashesKeepTheirBytes() throws Exception {
        List<Map<String, String>> attributes = List.of(
                Map.of("environment", "prod", "note", "quote \" and \\ and \n"),
                Map.of("Z", "\u0000\u0001\u001f\u007f\b\f\r\t", "a", "é ünï 日本語 🚨", "É", "\u2028\u2029</script>&<>"),
                Map.of(),
                Map.of("path", "a/b\\c", "n", "-0012.50e+3", "🚨", "\ud83d\udea8", "k", ""));
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < attributes.size(); i++) {
            AuditEvent base = event(i);
            events.add(new AuditEvent(base.eventId(), base.time(), base.service(), base.actor(), base.action(),
                    base.resource(), base.outcome(), base.reason(), base.traceId(), base.sourceAddress(), attributes.get(i)));
        }
        store.append(events);

        List<String> columns = new ArrayList<>();
        try (var connection = dataSource.getConnection();
                var select = connection.prepareStatement("SELECT attributes FROM audit_event ORDER BY seq");
                var rows = select.executeQuery()) {
            while (rows.next()) {
                columns.add(rows.getString(1));
            }
        }
        assertEquals(V1_COLUMNS, columns);
        List<StoredEvent> stored = all();
        assertEquals(V1_HASHES, stored.stream().map(StoredEvent::hash).toList());
        assertTrue(stored.stream().allMatch(StoredEvent::hashHolds));
        for (int i = 0; i < stored.size(); i++) {
            assertEquals(attributes.get(i), stored.get(i).event().attributes());
        }
    }

    // written by the hand-written CanonicalJson (commit 9af78e9) and ChainHash v1
    private static final List<String> V1_COLUMNS = List.of(
            "{\"environment\":\"prod\",\"note\":\"quote \\\" and \\\\ and \\n\"}",
            "{\"Z\":\"\\u0000\\u0001\\u001f\u007f\\b\\f\\r\\t\",\"a\":\"\u00e9 \u00fcn\u00ef \u65e5\u672c\u8a9e \ud83d\udea8\",\"\u00c9\":\"\u2028\u2029</script>&<>\"}",
            "{}",
            "{\"k\":\"\",\"n\":\"-0012.50e+3\",\"path\":\"a/b\\\\c\",\"\ud83d\udea8\":\"\ud83d\udea8\"}");
    private static final List<String> V1_HASHES = List.of(
            "c72430c4dcd1a4315e408b336e0a920daadab46f12e046575c98a02feb88d00f",
            "a80b4fdd52d56e7b56e1e8b95d2bfe7aa1543d54e6f115dd9d0815209f4974ca",
            "3f020e5f908eda16cc7f220c0cf151ae2395f0ff912d3089ac6117bb262010c5",
            "240cb8327847d7975e78eaace32911f5a0640e55a1c8fb8ea6a746544c4995c0");

    @Test
    void anEventSentTwiceIsStoredOnce() {
        store.append(events(0, 3));

        AppendResult again = store.append(List.of(event(1), event(3), event(3), event(2)));

        assertEquals(1, again.stored().size());
        assertEquals(3, again.duplicates());
        assertEquals(4, store.headSequence());
    }

    @Test
    void concurrentAppendersKeepOneIntactChain() throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int base = w * 1000;
            done.add(writers.submit(() -> {
                for (int batch = 0; batch < 10; batch++) {
                    store.append(events(base + batch * 25, base + batch * 25 + 25));
                }
            }));
        }
        for (Future<?> future : done) {
            future.get(60, TimeUnit.SECONDS);
        }
        writers.shutdown();

        ChainVerifier verifier = new ChainVerifier(1, ChainHash.GENESIS);
        store.scan(1, Long.MAX_VALUE, verifier::accept);
        var report = verifier.finish(store.headSequence(), null);
        assertTrue(report.intact(), report.problem());
        assertEquals(1000, report.checked());
    }

    @Test
    void queriesFilterByEveryFieldInEitherOrderWithCursors() {
        store.append(events(0, 60));

        EventFilter byActor = EventFilter.builder().actor("spiffe://example.org/ci/app-1").build();
        assertEquals(15, store.query(byActor, true, 0, 100).size());
        EventFilter denials = EventFilter.builder().actions(Set.of(AuditAction.POLICY_DENIED)).outcome(AuditOutcome.DENIED).build();
        assertEquals(20, store.query(denials, false, 0, 100).size());
        assertEquals(30, store.query(EventFilter.builder().repo("payments-db").build(), false, 0, 100).size());
        assertEquals(12, store.query(EventFilter.builder().runId("run-3").build(), false, 0, 100).size());
        assertEquals(9, store.query(EventFilter.builder().traceId(String.format("%032x", 2)).build(), false, 0, 100).size());
        EventFilter window = EventFilter.builder().from(Instant.parse("2026-11-24T09:00:10Z"))
                .to(Instant.parse("2026-11-24T09:00:20Z")).build();
        assertEquals(10, store.query(window, false, 0, 100).size());

        List<StoredEvent> firstPage = store.query(EventFilter.builder().build(), true, 0, 25);
        List<StoredEvent> secondPage = store.query(EventFilter.builder().build(), true, firstPage.get(24).sequence(), 25);
        assertEquals(60, firstPage.get(0).sequence());
        assertEquals(35, secondPage.get(0).sequence());
        List<StoredEvent> oldest = store.query(EventFilter.builder().build(), false, 58, 25);
        assertEquals(List.of(59L, 60L), oldest.stream().map(StoredEvent::sequence).toList());
    }

    @Test
    void theNewestCheckpointIsKept() {
        store.append(events(0, 3));
        store.saveCheckpoint(new Checkpoint(2, store.hashAt(2).orElseThrow(), Instant.parse("2026-11-24T10:00:00Z"),
                new byte[] {1, 2, 3}, "a".repeat(64)));
        store.saveCheckpoint(new Checkpoint(3, store.hashAt(3).orElseThrow(), Instant.parse("2026-11-24T10:01:00Z"),
                new byte[] {4, 5}, "a".repeat(64)));

        Checkpoint latest = store.latestCheckpoint().orElseThrow();

        assertEquals(3, latest.sequence());
        assertEquals(store.hashAt(3).orElseThrow(), latest.hash());
        assertEquals(List.of((byte) 4, (byte) 5), List.of(latest.signature()[0], latest.signature()[1]));
    }

    @Test
    void theStoredTreeEqualsTheNaiveTreeAtEverySize() {
        int appended = 0;
        for (int batch = 1; appended < 64; batch++) {
            int count = Math.min(batch, 64 - appended);
            store.append(events(appended, appended + count));
            appended += count;
        }
        List<StoredEvent> rows = all();
        LogProofs proofs = new LogProofs(store);

        assertEquals(64, store.treeSize());
        for (int size = 0; size <= 64; size++) {
            assertArrayEquals(NaiveTree.rootOfEvents(rows.subList(0, size)), proofs.root(size), "size " + size);
        }
    }

    @Test
    void storedProofsVerifyAgainstTheNaiveRoots() {
        store.append(events(0, 37));
        List<StoredEvent> rows = all();
        LogProofs proofs = new LogProofs(store);

        for (int size = 1; size <= 37; size++) {
            byte[] root = NaiveTree.rootOfEvents(rows.subList(0, size));
            for (int sequence = 1; sequence <= size; sequence++) {
                LogProofs.Inclusion inclusion = proofs.inclusion(sequence, size);
                assertTrue(MerkleProofs.verifyInclusion(sequence - 1, size, MerkleTree.eventLeafHash(rows.get(sequence - 1).hash()),
                        inclusion.hashes(), root), sequence + " in " + size);
            }
            for (int from = 1; from <= size; from++) {
                assertTrue(MerkleProofs.verifyConsistency(from, size, proofs.consistency(from, size).hashes(),
                        NaiveTree.rootOfEvents(rows.subList(0, from)), root), from + " to " + size);
            }
        }
    }

    @Test
    void eventsStoredBeforeTheTreeExistedAreAddedInBoundedSteps() throws Exception {
        store.append(events(0, 29));
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            // as the database looks right after the V4 migration
            statement.execute("DELETE FROM audit_tree_node");
            statement.execute("UPDATE audit_head SET tree_size = 0");
        }

        List<Long> missing = new ArrayList<>();
        for (long left = store.extendTree(10); left > 0; left = store.extendTree(10)) {
            missing.add(left);
        }

        assertEquals(List.of(19L, 9L), missing);
        assertEquals(29, store.treeSize());
        assertArrayEquals(NaiveTree.rootOfEvents(all()), new LogProofs(store).root(29));
    }

    @Test
    void anAppendAddsEventsTheTreeLacksBeforeItsOwn() throws Exception {
        store.append(events(0, 9));
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            statement.execute("DELETE FROM audit_tree_node");
            statement.execute("UPDATE audit_head SET tree_size = 0");
        }

        store.append(events(9, 12));

        assertEquals(12, store.treeSize());
        assertArrayEquals(NaiveTree.rootOfEvents(all()), new LogProofs(store).root(12));
    }

    @Test
    void anAppendOfStoredEventsOnlyKeepsTheLeavesItAddedToTheTree() throws Exception {
        store.append(events(0, 9));
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            statement.execute("DELETE FROM audit_tree_node");
            statement.execute("UPDATE audit_head SET tree_size = 0");
        }

        AppendResult resent = store.append(events(3, 5));
        store.append(events(9, 10));

        assertEquals(2, resent.duplicates());
        assertEquals(10, store.treeSize());
        assertArrayEquals(NaiveTree.rootOfEvents(all()), new LogProofs(store).root(10));
    }

    @Test
    void anEventAnotherReplicaStoredIsADuplicateForThisOne() {
        JdbcAuditStore replica = new JdbcAuditStore(dataSource, Clock.fixed(Instant.parse("2026-11-24T10:00:01Z"), ZoneOffset.UTC));
        store.append(events(0, 4));

        AppendResult resent = replica.append(List.of(event(2), event(4), event(5)));
        store.append(events(6, 8));

        assertEquals(List.of(5L, 6L), resent.stored().stream().map(StoredEvent::sequence).toList());
        assertEquals(1, resent.duplicates());
        List<StoredEvent> rows = all();
        assertEquals(8, rows.size());
        ChainVerifier verifier = new ChainVerifier(1, ChainHash.GENESIS);
        rows.forEach(verifier::accept);
        assertTrue(verifier.finish(8, null).intact());
        assertArrayEquals(NaiveTree.rootOfEvents(rows), new LogProofs(store).root(8));
    }

    @Test
    void knownCallersAreTheActorsThatSubmittedRuns() {
        store.append(events(0, 8));

        assertEquals(Set.of("spiffe://example.org/ci/app-1", "spiffe://example.org/ci/app-2",
                "spiffe://example.org/ci/app-0", "spiffe://example.org/ci/app-3"), Set.copyOf(store.knownCallers()));
    }
}
