package dev.portcullis.audit.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.audit.store.AuditEventsForTests;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.audit.store.JdbcAuditStore;
import dev.portcullis.runtime.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows changed, removed, added or reordered behind the service's back are found, and Verify names
 * the exact first broken sequence; a tail rewritten with a valid chain is caught by the signed
 * tree checkpoints, and one re-signed with the key by a checkpoint an auditor saved. 50 events;
 * checkpoints every 10, the newest at 50.
 */
abstract class TamperContract {
    @TempDir
    Path dir;

    private TestDatabases.Settings db;
    private HikariDataSource dataSource;
    protected JdbcAuditStore store;
    protected ChainVerification verification;
    protected CheckpointSigner signer;
    private Clock clock;

    protected abstract TestDatabases.Settings database();

    @BeforeEach
    void fiftyEvents() {
        db = database();
        dataSource = Databases.open("audit", db.jdbcUrl(), db.user(), db.password(), db.schema(), 2);
        clock = Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);
        store = new JdbcAuditStore(dataSource, clock);
        signer = CheckpointSigner.load(dir.resolve("checkpoint.key"), dir.resolve("checkpoint.pub"), true);
        AuditIngest ingest = new AuditIngest(store, signer, 10, Duration.ofDays(1), clock, List.of());
        for (int batch = 0; batch < 5; batch++) {
            ingest.append(IntStream.range(batch * 10, batch * 10 + 10).mapToObj(AuditEventsForTests::event).toList());
        }
        verification = new ChainVerification(store, signer.publicKey());
    }

    @AfterEach
    void close() {
        if (db == null) { // PostgreSQL was unreachable: the test skipped before opening anything
            return;
        }
        dataSource.close();
        TestDatabases.drop(db);
    }

    protected void sql(String statement) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement s = connection.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    void anUntouchedChainVerifies() {
        VerificationReport report = verification.verify(0, 0);

        assertTrue(report.intact(), report.problem());
        assertEquals(50, report.checked());
        assertEquals(50, report.latestTreeCheckpoint().orElseThrow().size());
        assertEquals(0, report.uncovered());
    }

    @Test
    void eventsAfterTheNewestCheckpointAreCountedAsUncovered() {
        store.append(IntStream.range(50, 53).mapToObj(AuditEventsForTests::event).toList());

        VerificationReport report = verification.verify(0, 0);

        assertTrue(report.intact(), report.problem());
        assertEquals(3, report.uncovered());
    }

    @Test
    void aReorderedPairIsTheFirstBrokenSequence() throws Exception {
        sql("UPDATE audit_event SET seq = -13 WHERE seq = 13");
        sql("UPDATE audit_event SET seq = 13 WHERE seq = 12");
        sql("UPDATE audit_event SET seq = 12 WHERE seq = -13");

        VerificationReport report = verification.verify(0, 0);

        assertFalse(report.intact());
        assertEquals(12, report.firstBrokenSequence());
    }

    @Test
    void aChainHeadCheckpointSignedBeforeTheTreeStillVerifies() {
        store.saveCheckpoint(signer.sign(30, store.hashAt(30).orElseThrow(), Instant.parse("2026-11-24T09:00:00Z")));

        VerificationReport report = verification.verify(0, 0);

        assertTrue(report.intact(), report.problem());
        assertEquals(30, report.latestCheckpoint().orElseThrow().sequence());
    }

    @Test
    void aChainHeadCheckpointSignedBeforeTheTreeStillCatchesAnEditOfItsEvent() throws Exception {
        store.saveCheckpoint(signer.sign(30, "ab".repeat(32), Instant.parse("2026-11-24T09:00:00Z")));

        VerificationReport report = verification.verify(0, 0);

        assertFalse(report.intact());
        assertEquals(30, report.firstBrokenSequence());
    }

    @Test
    void theServiceRefusesToSignALogRewrittenBehindItsBack() throws Exception {
        rewriteFrom(46, true);
        AuditIngest ingest = new AuditIngest(store, signer, 1, Duration.ofDays(1), clock, List.of());
        ingest.append(IntStream.range(50, 55).mapToObj(AuditEventsForTests::event).toList());

        DomainException refused = assertThrows(DomainException.class, ingest::checkpointNow);

        assertEquals("LOG_INCONSISTENT", refused.reason());
        assertEquals(50, store.latestTreeCheckpoint().orElseThrow().size());
    }

    @Test
    void aTailRewrittenWithANewValidChainAndReSignedCheckpointDoesNotExtendASavedCheckpoint() throws Exception {
        SignedCheckpoint saved = store.latestTreeCheckpoint().orElseThrow();
        rewriteFrom(46, true);
        store.append(IntStream.range(50, 55).mapToObj(AuditEventsForTests::event).toList());
        // whoever holds the signing key re-signs the rewritten log
        byte[] forgedRoot = new LogProofs(store).root(55);
        store.saveTreeCheckpoint(signer.signTree(55, forgedRoot, Instant.parse("2026-11-24T11:00:00Z")));

        LogProofs.Consistency proof = new LogProofs(store).consistency(saved.size(), 55);

        assertFalse(MerkleProofs.verifyConsistency(saved.size(), 55, proof.hashes(),
                CheckpointSigner.open(saved.note(), signer.publicKey()).orElseThrow().root(), forgedRoot));
        VerificationReport report = verification.verify(0, 0);
        // the old checkpoint of 50 is still stored, and names where the rewrite may start
        assertFalse(report.intact());
        assertEquals(41, report.firstBrokenSequence());
    }

    /**
     * Rewrites events from {@code first} to 50 with a new actor and a valid chain; with
     * {@code tree}, recomputes the tree nodes too, as an attacker who read the schema would.
     */
    private void rewriteFrom(int first, boolean tree) throws Exception {
        var rows = new java.util.ArrayList<StoredEvent>();
        store.scan(1, 50, rows::add);
        String previous = rows.get(first - 2).hash();
        for (int sequence = first; sequence <= 50; sequence++) {
            StoredEvent row = rows.get(sequence - 1);
            var forged = new dev.portcullis.runtime.audit.AuditEvent(row.event().eventId(), row.event().time(),
                    row.event().service(), "spiffe://example.org/ci/someone-else", row.event().action(),
                    row.event().resource(), row.event().outcome(), row.event().reason(), row.event().traceId(),
                    row.event().sourceAddress(), row.event().attributes());
            String hash = ChainHash.of(previous, sequence, row.storedAt(), forged);
            sql("UPDATE audit_event SET actor = 'spiffe://example.org/ci/someone-else', previous_hash = '" + previous
                    + "', hash = '" + hash + "' WHERE seq = " + sequence);
            previous = hash;
        }
        sql("UPDATE audit_head SET hash = '" + previous + "'");
        if (tree) {
            sql("DELETE FROM audit_tree_node");
            sql("UPDATE audit_head SET tree_size = 0");
            while (store.extendTree(1000) > 0) {
                // rebuilt from the rewritten events
            }
        }
    }

    @Test
    void anUpdatedRowIsTheFirstBrokenSequence() throws Exception {
        sql("UPDATE audit_event SET actor = 'spiffe://example.org/ci/innocent' WHERE seq = 17");

        VerificationReport report = verification.verify(0, 0);

        assertFalse(report.intact());
        assertEquals(17, report.firstBrokenSequence());
        assertTrue(report.problem().contains("does not match its hash"), report.problem());
    }

    @Test
    void aDeletedRowIsTheFirstBrokenSequence() throws Exception {
        sql("DELETE FROM audit_event WHERE seq = 23");

        VerificationReport report = verification.verify(0, 0);

        assertEquals(23, report.firstBrokenSequence());
        assertTrue(report.problem().contains("event 23 is missing"), report.problem());
    }

    @Test
    void anInsertedRowIsTheFirstBrokenSequence() throws Exception {
        sql("DELETE FROM audit_event WHERE seq = 30");
        sql("INSERT INTO audit_event SELECT 30, 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', event_time, stored_at, service,"
                + " 'spiffe://example.org/ci/forged', action, resource_kind, resource_id, repo, run_id, outcome, reason,"
                + " trace_id, source_address, attributes, previous_hash, hash FROM audit_event WHERE seq = 29");

        VerificationReport report = verification.verify(0, 0);

        assertEquals(30, report.firstBrokenSequence());
    }

    @Test
    void aRewrittenChainIsCaughtByTheSignedCheckpoint() throws Exception {
        // an attacker who recomputes every later hash still cannot sign a new checkpoint
        rewriteFrom(46, false);

        VerificationReport report = verification.verify(0, 0);

        // the checkpoint of 40 still holds: the rewrite is somewhere in 41..50
        assertEquals(41, report.firstBrokenSequence());
        assertTrue(report.problem().contains("differ from what the checkpoint of 50 events signed"), report.problem());
    }

    @Test
    void aCutOffTailIsReportedWithTheMissingCount() throws Exception {
        sql("DELETE FROM audit_event WHERE seq > 41");

        VerificationReport report = verification.verify(0, 0);

        assertFalse(report.intact());
        assertEquals(9, report.missingAfterCheckpoint());
        assertEquals(42, report.firstBrokenSequence());
    }
}
