package dev.portcullis.audit.witness;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.audit.alert.AlertPipeline;
import dev.portcullis.audit.alert.AlertStore;
import dev.portcullis.audit.alert.JdbcAlertStore;
import dev.portcullis.audit.alert.StoredAlert;
import dev.portcullis.audit.alert.WebhookReceiver;
import dev.portcullis.audit.alert.delivery.AlertDeliveryConfig;
import dev.portcullis.audit.alert.delivery.AlertDispatcher;
import dev.portcullis.audit.alert.delivery.WebhookAlertSink;
import dev.portcullis.audit.chain.ChainHash;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.chain.LogProofs;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.audit.store.AuditEventsForTests;
import dev.portcullis.audit.store.JdbcAuditStore;
import dev.portcullis.audit.witness.s3.S3CheckpointArchive;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.testing.S3Fake;
import dev.portcullis.runtime.testing.TestDatabases;
import dev.portcullis.runtime.testing.TestPki;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Checkpoints reach a C2SP tlog-witness over HTTPS on loopback, in order and across restarts; a
 * witness that holds a checkpoint of the log before its tail was rewritten leads to a
 * {@code log_inconsistent} CRITICAL alert on the alert sinks; a witness that is down neither
 * delays appends nor loses checkpoints; an S3 bucket (the real AWS SDK against {@link S3Fake})
 * keeps one object per checkpoint, and its newest one, read back at start, catches a rewrite.
 * Checkpoints every 5 events. Run on H2 and PostgreSQL.
 */
abstract class WitnessPublisherContract {
    private static final WitnessPublisher.Retry FAST = new WitnessPublisher.Retry(Duration.ofMillis(10), Duration.ofMillis(40), 3);

    @TempDir
    Path dir;

    private final Clock clock = Clock.systemUTC();
    private TestDatabases.Settings db;
    private HikariDataSource dataSource;
    private JdbcAuditStore store;
    private CheckpointSigner signer;
    private AuditIngest ingest;
    private AlertStore alertStore;
    private WebhookReceiver chat;
    private AlertDispatcher dispatcher;
    private AlertPipeline alerts;
    private TlogWitnessServer witness;
    private TlogWitnessClient client;
    private int events;
    private Path pkiCa;

    protected abstract TestDatabases.Settings database();

    @BeforeEach
    void log() {
        db = database();
        dataSource = Databases.open("audit", db.jdbcUrl(), db.user(), db.password(), db.schema(), 4);
        store = new JdbcAuditStore(dataSource, clock);
        signer = CheckpointSigner.load(dir.resolve("checkpoint.key"), dir.resolve("checkpoint.pub"), true);
        ingest = new AuditIngest(store, signer, 5, Duration.ofDays(1), clock, List.of());
        alertStore = new JdbcAlertStore(dataSource, clock);
        chat = WebhookReceiver.accepting();
        dispatcher = new AlertDispatcher(List.of(new WebhookAlertSink("chat", chat.url(), Duration.ofSeconds(5))), alertStore,
                new AlertDeliveryConfig(List.of(), Duration.ofSeconds(5), 3, Duration.ofMillis(10), Duration.ofMillis(40)), clock);
        alerts = new AlertPipeline(List.of(), alertStore, dispatcher);
        TestPki pki = TestPki.create(dir.resolve("pki"));
        pkiCa = pki.caFile();
        witness = new TlogWitnessServer(pki, signer.publicKey());
        client = new TlogWitnessClient("witness.test", witness.url(), PemFiles.trustingOnly(pki.caFile()), Duration.ofSeconds(30));
    }

    @AfterEach
    void close() {
        if (db == null) { // PostgreSQL was unreachable: the test skipped before opening anything
            return;
        }
        witness.close();
        dispatcher.close();
        chat.close();
        dataSource.close();
        TestDatabases.drop(db);
    }

    private WitnessPublisher publisher() {
        return publisher(client);
    }

    private WitnessPublisher publisher(CheckpointWitness witness) {
        return new WitnessPublisher(store, signer.publicKey(), new JdbcWitnessStore(dataSource), List.of(witness), alerts, FAST, clock);
    }

    private void append(int count) {
        ingest.append(IntStream.range(events, events + count).mapToObj(AuditEventsForTests::event).toList());
        events += count;
    }

    @Test
    void theWitnessReceivesEveryCheckpointInOrder() {
        append(5);
        append(5);
        append(10);

        try (WitnessPublisher publisher = publisher()) {
            publisher.publishPending();
        }

        assertEquals(List.of(5L, 10L, 20L), witness.accepted());
        assertEquals(List.of(200, 200, 200), witness.answers());
    }

    @Test
    void aRestartedPublisherPublishesOnlyWhatTheWitnessLacks() {
        append(5);
        append(5);
        try (WitnessPublisher first = publisher()) {
            first.publishPending();
        }
        append(5);

        try (WitnessPublisher afterRestart = publisher()) {
            afterRestart.publishPending();
        }

        assertEquals(List.of(5L, 10L, 15L), witness.accepted());
        assertEquals(List.of(200, 200, 200), witness.answers());
    }

    @Test
    void aWitnessHoldingTheLogBeforeItsTailWasRewrittenRaisesLogInconsistentOnTheAlertSinks() throws Exception {
        append(5);
        append(5);
        try (WitnessPublisher publisher = publisher()) {
            publisher.publishPending();
        }
        rewriteTail(8);
        store.append(IntStream.range(10, 15).mapToObj(AuditEventsForTests::event).toList());
        // whoever holds the signing key re-signs the rewritten log
        store.saveTreeCheckpoint(signer.signTree(15, new LogProofs(store).root(15), clock.instant()));

        try (WitnessPublisher publisher = publisher()) {
            publisher.publishPending();
        }

        StoredAlert alert = alertStore.list(Optional.empty(), Optional.of("log_inconsistent"), Long.MAX_VALUE, 10).get(0);
        assertEquals("CRITICAL", alert.alert().severity().name());
        assertEquals("10", alert.alert().attributes().get("witness_size"));
        assertEquals("15", alert.alert().attributes().get("checkpoint_size"));
        String posted = chat.awaitAccepted(Duration.ofSeconds(10));
        assertTrue(posted.contains("[CRITICAL] log_inconsistent"), posted);
        assertEquals(List.of(5L, 10L), witness.accepted());
        assertEquals(422, witness.answers().get(witness.answers().size() - 1));
    }

    @Test
    void aWitnessThatIsDownDelaysNoAppendIsRetriedAlertsAfterThreeFailuresAndCatchesUp() throws Exception {
        witness.hold();
        try (WitnessPublisher publisher = publisher()) {
            publisher.start(Duration.ofMillis(10));
            append(5);
            assertTrue(witness.awaitRequest());

            // the publisher waits on the witness; appends and signing do not
            append(5);
            append(5);
            assertEquals(15, store.latestTreeCheckpoint().orElseThrow().size());
            assertEquals(List.of(), witness.accepted());

            witness.mode(TlogWitnessServer.Mode.DOWN);
            witness.release();
            await("witness_failing").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() ->
                    !alertStore.list(Optional.empty(), Optional.of("witness_failing"), Long.MAX_VALUE, 10).isEmpty());
            witness.mode(TlogWitnessServer.Mode.ACCEPTING);
            await("the witness catching up").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> witness.accepted().size() == 3);
        }

        assertEquals(List.of(5L, 10L, 15L), witness.accepted());
        assertTrue(witness.answers().stream().filter(status -> status == 503).count() >= 3, witness.answers().toString());
        StoredAlert failing = alertStore.list(Optional.empty(), Optional.of("witness_failing"), Long.MAX_VALUE, 10).get(0);
        assertEquals("HIGH", failing.alert().severity().name());
        assertEquals(0, new JdbcWitnessStore(dataSource).cursor("witness.test").orElseThrow().failures());
    }

    @Test
    void theWitnessesCosignaturesAreVerifiedWithItsVerifierKeyAndKeptForEachCheckpoint() {
        TlogWitnessClient checking = new TlogWitnessClient("witness.test", witness.url(), PemFiles.trustingOnly(pkiCa),
                Duration.ofSeconds(30), List.of(CosignerKey.parse(witness.verifierKey())));
        append(5);
        append(5);

        try (WitnessPublisher publisher = publisher(checking)) {
            publisher.publishPending();
        }

        JdbcWitnessStore kept = new JdbcWitnessStore(dataSource);
        List<Cosignature> cosignatures = kept.cosignatures(10).get("witness.test");
        assertEquals(1, cosignatures.size());
        assertEquals(TlogWitnessServer.NAME, cosignatures.get(0).keyName());
        assertTrue(cosignatures.get(0).line().startsWith("\u2014 " + TlogWitnessServer.NAME + " "), cosignatures.get(0).line());
        assertEquals(1, kept.cosignatures(5).size());
        assertEquals(10, kept.cursor("witness.test").orElseThrow().publishedSize());
    }

    @Test
    void aCosignatureThatDoesNotVerifyIsAFailedPublicationThatAlertsWitnessFailingUntilAValidOneArrives() {
        TlogWitnessClient checking = new TlogWitnessClient("witness.test", witness.url(), PemFiles.trustingOnly(pkiCa),
                Duration.ofSeconds(30), List.of(CosignerKey.parse(witness.verifierKey())));
        witness.mode(TlogWitnessServer.Mode.BAD_COSIGNATURE);
        append(5);

        try (WitnessPublisher publisher = publisher(checking)) {
            publisher.start(Duration.ofMillis(10));
            await("witness_failing").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() ->
                    !alertStore.list(Optional.empty(), Optional.of("witness_failing"), Long.MAX_VALUE, 10).isEmpty());
            assertEquals(Map.of(), new JdbcWitnessStore(dataSource).cosignatures(5));
            witness.mode(TlogWitnessServer.Mode.ACCEPTING);
            await("a valid cosignature").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> !new JdbcWitnessStore(dataSource).cosignatures(5).isEmpty());
        }

        StoredAlert failing = alertStore.list(Optional.empty(), Optional.of("witness_failing"), Long.MAX_VALUE, 10).get(0);
        assertTrue(failing.alert().attributes().get("error").contains("does not verify"), failing.alert().attributes().toString());
        assertEquals(5, new JdbcWitnessStore(dataSource).cursor("witness.test").orElseThrow().publishedSize());
    }

    @Test
    void theBucketKeepsOneObjectPerCheckpointKeyedByOriginAndSize() throws Exception {
        append(5);
        append(5);

        try (S3Fake s3 = new S3Fake("audit-witness"); WitnessPublisher publisher = publisher(archive(s3))) {
            publisher.publishPending();

            String origin = signer.origin();
            assertEquals(store.treeCheckpointAt(5).orElseThrow().note(),
                    new String(s3.object("log/" + origin + "/00000000000000000005").bytes(), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(store.treeCheckpointAt(10).orElseThrow().note(),
                    new String(s3.object("log/" + origin + "/00000000000000000010").bytes(), java.nio.charset.StandardCharsets.UTF_8));
            assertTrue(s3.object("log/" + origin + "/00000000000000000010").checksumSha256().length() > 0);
        }
    }

    @Test
    void theNewestObjectInTheBucketOfALogSinceRewrittenRaisesLogInconsistentAtStart() throws Exception {
        append(5);
        append(5);
        try (S3Fake s3 = new S3Fake("audit-witness")) {
            try (WitnessPublisher publisher = publisher(archive(s3))) {
                publisher.publishPending();
            }
            rewriteTail(8);

            try (WitnessPublisher afterRestart = publisher(archive(s3))) {
                afterRestart.publishPending();
            }
        }

        StoredAlert alert = alertStore.list(Optional.empty(), Optional.of("log_inconsistent"), Long.MAX_VALUE, 10).get(0);
        assertEquals("CRITICAL", alert.alert().severity().name());
        assertEquals("s3:audit-witness", alert.alert().attributes().get("witness"));
        assertEquals("10", alert.alert().attributes().get("witness_size"));
    }

    @Test
    void aReSignedCheckpointOfARewrittenLogIsNotKeptInTheBucketAndRaisesLogInconsistent() throws Exception {
        append(5);
        append(5);
        try (S3Fake s3 = new S3Fake("audit-witness"); WitnessPublisher publisher = publisher(archive(s3))) {
            publisher.publishPending();
            rewriteTail(8);
            store.append(IntStream.range(10, 15).mapToObj(AuditEventsForTests::event).toList());
            store.saveTreeCheckpoint(signer.signTree(15, new LogProofs(store).root(15), clock.instant()));

            publisher.publishPending();

            assertEquals(null, s3.object("log/" + signer.origin() + "/00000000000000000015"));
        }
        StoredAlert alert = alertStore.list(Optional.empty(), Optional.of("log_inconsistent"), Long.MAX_VALUE, 10).get(0);
        assertEquals("CRITICAL", alert.alert().severity().name());
        assertEquals("10", alert.alert().attributes().get("witness_size"));
        assertEquals("15", alert.alert().attributes().get("checkpoint_size"));
    }

    @Test
    void theNewestObjectInTheBucketOfTheSameLogRaisesNothing() throws Exception {
        append(5);
        try (S3Fake s3 = new S3Fake("audit-witness")) {
            try (WitnessPublisher publisher = publisher(archive(s3))) {
                publisher.publishPending();
            }
            append(5);

            try (WitnessPublisher afterRestart = publisher(archive(s3))) {
                afterRestart.publishPending();
            }

            assertEquals(List.of(), alertStore.list(Optional.empty(), Optional.empty(), Long.MAX_VALUE, 10));
            assertTrue(s3.object("log/" + signer.origin() + "/00000000000000000010") != null);
        }
    }

    private static S3CheckpointArchive archive(S3Fake s3) {
        S3Client client = S3Client.builder().region(Region.of(S3Fake.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "test-secret")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).endpointOverride(s3.endpoint()).forcePathStyle(true).build();
        return new S3CheckpointArchive(client, "audit-witness", "log/");
    }

    /** Rewrites events from {@code first} to the head with a new actor, a valid chain and a rebuilt tree. */
    private void rewriteTail(int first) throws SQLException {
        long head = store.headSequence();
        List<StoredEvent> rows = new ArrayList<>();
        store.scan(1, head, rows::add);
        String previous = rows.get(first - 2).hash();
        for (int sequence = first; sequence <= head; sequence++) {
            StoredEvent row = rows.get(sequence - 1);
            AuditEvent forged = new AuditEvent(row.event().eventId(), row.event().time(), row.event().service(),
                    "spiffe://example.org/ci/someone-else", row.event().action(), row.event().resource(), row.event().outcome(),
                    row.event().reason(), row.event().traceId(), row.event().sourceAddress(), row.event().attributes());
            String hash = ChainHash.of(previous, sequence, row.storedAt(), forged);
            sql("UPDATE audit_event SET actor = 'spiffe://example.org/ci/someone-else', previous_hash = '" + previous
                    + "', hash = '" + hash + "' WHERE seq = " + sequence);
            previous = hash;
        }
        sql("UPDATE audit_head SET hash = '" + previous + "', tree_size = 0");
        sql("DELETE FROM audit_tree_node");
        while (store.extendTree(1000) > 0) {
            // rebuilt from the rewritten events
        }
    }

    private void sql(String statement) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement s = connection.createStatement()) {
            s.execute(statement);
        }
    }
}
