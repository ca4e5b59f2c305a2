package dev.portcullis.bench;

import static dev.portcullis.bench.BenchSupport.env;

import com.google.protobuf.Timestamp;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.audit.alert.AlertPipeline;
import dev.portcullis.audit.alert.AlertRulesConfig;
import dev.portcullis.audit.alert.AnomalyDetector;
import dev.portcullis.audit.alert.JdbcAlertStore;
import dev.portcullis.audit.alert.delivery.AlertDeliveryConfig;
import dev.portcullis.audit.alert.delivery.AlertDispatcher;
import dev.portcullis.audit.api.AuditGrpcService;
import dev.portcullis.audit.chain.ChainVerification;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.audit.source.JdbcSourceActivityStore;
import dev.portcullis.audit.source.SourceCounters;
import dev.portcullis.audit.source.SourceMonitor;
import dev.portcullis.audit.source.Sources;
import dev.portcullis.audit.store.EventFilter;
import dev.portcullis.audit.store.JdbcAuditStore;
import dev.portcullis.bench.Bench.Figure;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.GetInclusionProofRequest;
import dev.portcullis.v1.QueryOrder;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.QueryResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;

/**
 * Audit ingest, query and proofs on the machine's PostgreSQL: events/s through {@code Append} over
 * mTLS into the hash chain and Merkle tree, next to the same rows as plain batched JDBC inserts
 * and next to the audit store alone; then query and inclusion-proof p50/p99 over one million
 * stored events.
 */
final class AuditBench {
    private static final int BATCH = 500;
    /** Ingest and baseline take turns this many times, each with a tenth of the batches. */
    private static final int ROUNDS = 10;
    private static final int MEASURED_EVENTS = 100_000;
    /**
     * Events stored while querying and proving: a million unless PORTCULLIS_BENCH_AUDIT_EVENTS says
     * fewer, at least 150,000: the queries pick events filled in after the ≈ 100,500 ingested ones
     * with an hour (36,000 events) after them.
     */
    private final int storedEvents = Math.max(150_000, Integer.parseInt(env("PORTCULLIS_BENCH_AUDIT_EVENTS", "1000000")));
    private static final int QUERIES_PER_KIND = 200;
    private static final int PROOFS = 1000;

    /** The baseline: the same rows, chained, inserted in JDBC batches with nothing else. */
    private static final class PlainInserts {
        private final javax.sql.DataSource dataSource;
        private long sequence;
        private String previous = dev.portcullis.audit.chain.ChainHash.GENESIS;

        PlainInserts(javax.sql.DataSource dataSource) {
            this.dataSource = dataSource;
        }

        void insert(List<AuditEvent> events) {
            try (Connection connection = dataSource.getConnection();
                    java.sql.PreparedStatement insert = connection.prepareStatement("INSERT INTO audit_event (seq, event_id,"
                            + " event_time, stored_at, service, actor, action, resource_kind, resource_id, repo, run_id, outcome,"
                            + " reason, trace_id, source_address, attributes, previous_hash, hash)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                connection.setAutoCommit(false);
                Instant storedAt = Instant.ofEpochMilli(System.currentTimeMillis());
                for (AuditEvent event : events) {
                    sequence++;
                    String hash = dev.portcullis.audit.chain.ChainHash.of(previous, sequence, storedAt, event);
                    Object[] values = {sequence, event.eventId().toString(), event.time().toEpochMilli(), storedAt.toEpochMilli(),
                        event.service(), event.actor(), event.action().dottedName(), event.resource().kind(),
                        event.resource().id(), event.resource().repo(), event.resource().runId(), event.outcome().name(),
                        event.reason(), event.traceId(), event.sourceAddress(),
                        dev.portcullis.runtime.json.CanonicalJson.object(event.attributes()), previous, hash};
                    for (int i = 0; i < values.length; i++) {
                        insert.setObject(i + 1, values[i]);
                    }
                    insert.addBatch();
                    previous = hash;
                }
                insert.executeBatch();
                connection.commit();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("the baseline insert failed", e);
            }
        }

        /** Empties the table, so the store measured next starts its chain at 1. */
        void clear() {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("DELETE FROM audit_event");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("the baseline table cannot be emptied", e);
            }
        }
    }
    /** The filled events are numbered from here, after the ingest part's. */
    private static final int FILLED = 1_000_000;

    Map<String, Figure> run() throws Exception {
        String url = env("PORTCULLIS_TEST_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/portcullis_test");
        String user = env("PORTCULLIS_TEST_DB_USER", "portcullis_test");
        String password = env("PORTCULLIS_TEST_DB_PASSWORD", "portcullis_test");
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "");
        String baselineSchema = schema + "_base";
        Path dir = Files.createTempDirectory("portcullis-audit-bench");
        try (HikariDataSource chained = Databases.open("audit", url, user, password, schema, 8);
                HikariDataSource baseline = Databases.open("audit", url, user, password, baselineSchema, 8)) {
            Clock clock = Clock.systemUTC();
            JdbcAuditStore store = new JdbcAuditStore(chained, clock);
            // the store without gRPC or ingest, into the same schema as the baseline's (its rows come after)
            JdbcAuditStore baselineStore = new JdbcAuditStore(baseline, clock);
            PlainInserts plain = new PlainInserts(baseline);
            CheckpointSigner signer = CheckpointSigner.load(dir.resolve("checkpoint.key"), dir.resolve("checkpoint.pub"), true);
            // the anomaly rules run on ingest, as in the service
            JdbcAlertStore alerts = new JdbcAlertStore(chained, clock);
            AlertDispatcher dispatcher = new AlertDispatcher(List.of(), alerts, new AlertDeliveryConfig(List.of(),
                    Duration.ofSeconds(5), 5, Duration.ofSeconds(1), Duration.ofSeconds(60)), clock);
            AlertPipeline pipeline = new AlertPipeline(new AnomalyDetector(new AlertRulesConfig(true, 5, Duration.ofMinutes(5), true, 10,
                    Duration.ofMinutes(10), true, true, true, true), clock), alerts, dispatcher);
            AuditIngest ingest = new AuditIngest(store, signer, 10_000, Duration.ofMinutes(1), clock, List.of(pipeline));
            AuditGrpcService service = new AuditGrpcService(ingest, store, new ChainVerification(store, signer.publicKey()),
                    alerts, pipeline, new SourceMonitor(new Sources(List.of()),
                            new SourceCounters(new JdbcSourceActivityStore(chained), Duration.ofSeconds(1)), ingest, clock),
                    false);
            try (LoopbackMtls mtls = new LoopbackMtls(List.of(service))) {
                AuditServiceGrpc.AuditServiceBlockingStub audit = AuditServiceGrpc.newBlockingStub(mtls.channel());
                List<AppendRequest> batches = new ArrayList<>();
                for (int b = 0; b < MEASURED_EVENTS / BATCH; b++) {
                    AppendRequest.Builder request = AppendRequest.newBuilder();
                    for (int i = 0; i < BATCH; i++) {
                        request.addEvents(AuditEvents.toProto(event(b * BATCH + i)));
                    }
                    batches.add(request.build());
                }
                // warm every path on throwaway rows, then measure in ten alternating rounds: on a
                // shared machine the load moves within seconds, and two halves let it favour one side
                audit.withDeadlineAfter(60, TimeUnit.SECONDS).append(warmup(0));
                plain.insert(warmupEvents(1));
                double ingestSeconds = 0;
                double baselineSeconds = 0;
                double storeSeconds = 0;
                int share = batches.size() / ROUNDS;
                for (int round = 0; round < ROUNDS; round++) {
                    long start = System.nanoTime();
                    for (AppendRequest batch : batches.subList(round * share, (round + 1) * share)) {
                        audit.withDeadlineAfter(60, TimeUnit.SECONDS).append(batch);
                    }
                    ingestSeconds += (System.nanoTime() - start) / 1e9;
                    start = System.nanoTime();
                    for (AppendRequest batch : batches.subList(round * share, (round + 1) * share)) {
                        plain.insert(batch.getEventsList().stream().map(AuditEvents::fromProto).toList());
                    }
                    baselineSeconds += (System.nanoTime() - start) / 1e9;
                }
                // the store alone (chain, tree, head lock; no gRPC, no ingest), into a fresh table
                plain.clear();
                baselineStore.append(warmupEvents(2));
                long storeStart = System.nanoTime();
                for (AppendRequest batch : batches) {
                    baselineStore.append(batch.getEventsList().stream().map(AuditEvents::fromProto).toList());
                }
                storeSeconds += (System.nanoTime() - storeStart) / 1e9;
                double ingestRate = MEASURED_EVENTS / ingestSeconds;
                double baselineRate = MEASURED_EVENTS / baselineSeconds;
                double storeRate = MEASURED_EVENTS / storeSeconds;

                // fill up to a million stored events, still chained, through the store itself
                long stored = store.headSequence();
                for (int n = (int) stored; n < storedEvents; n += 2_000) {
                    List<AuditEvent> fill = new ArrayList<>();
                    for (int i = n; i < Math.min(n + 2_000, storedEvents); i++) {
                        fill.add(storedEvent(FILLED + i));
                    }
                    store.append(fill);
                }
                analyze(url, user, password, schema);
                java.util.Random random = new java.util.Random(7);
                long treeSize = store.treeSize();
                Latencies proofs = new Latencies();
                for (int q = 0; q < PROOFS + 100; q++) {
                    GetInclusionProofRequest request = GetInclusionProofRequest.newBuilder()
                            .setSequence(1 + random.nextInt((int) treeSize)).setTreeSize(treeSize).build();
                    if (q < 100) {
                        audit.withDeadlineAfter(60, TimeUnit.SECONDS).getInclusionProof(request);
                    } else {
                        proofs.measure(1, () -> audit.withDeadlineAfter(60, TimeUnit.SECONDS).getInclusionProof(request));
                    }
                }
                Map<String, Figure> figures = new LinkedHashMap<>();
                figures.put("ingest_events_per_s", new Figure(Math.round(ingestRate), "1/s",
                        "Append over mTLS into the hash chain on PostgreSQL, batches of " + BATCH));
                figures.put("baseline_rows_per_s", new Figure(Math.round(baselineRate), "1/s",
                        "baseline: the same rows, chained, as plain batched JDBC inserts (no lock, no tree, no gRPC)"));
                figures.put("ingest_ratio", new Figure(round(ingestRate / baselineRate), "x", "target >= 0.5"));
                figures.put("store_rows_per_s", new Figure(Math.round(storeRate), "1/s",
                        "the audit store alone: head lock, chain and Merkle tree, no gRPC or ingest"));
                figures.put("store_ratio", new Figure(round(storeRate / baselineRate), "x",
                        "what the head lock and the tree cost next to plain inserts"));
                figures.putAll(queries(audit, store, (int) stored));
                figures.put("events_stored", new Figure(store.headSequence(), "", "events in the chain while querying"));
                figures.put("inclusion_proof_p50_ms", new Figure(round(proofs.percentileMicros(50) / 1000), "ms",
                        "GetInclusionProof over gRPC in the tree of every stored event, random leaf, median"));
                figures.put("inclusion_proof_p99_ms", new Figure(round(proofs.percentileMicros(99) / 1000), "ms",
                        "GetInclusionProof, p99"));
                return figures;
            }
        } finally {
            try (Connection connection = DriverManager.getConnection(url, user, password);
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                statement.execute("DROP SCHEMA IF EXISTS " + baselineSchema + " CASCADE");
            }
            try (var files = Files.list(dir)) {
                files.forEach(file -> file.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    /** One way auditors filter: {@code filter} picks a query from a random stored event's number. */
    private record QueryKind(String name, String meaning, IntFunction<EventFilter> filter, boolean newestFirst) {}

    /**
     * Query p50/p99 over gRPC per filter the CLI offers, each 100 events newest first (one kind
     * oldest first, one a second page through the cursor), the kinds interleaved so load drift
     * touches all alike; and the plan PostgreSQL chose for one of each, summarised.
     */
    private Map<String, Figure> queries(AuditServiceGrpc.AuditServiceBlockingStub audit, JdbcAuditStore store,
            int filledFrom) {
        List<QueryKind> kinds = List.of(
                new QueryKind("baseline", "baseline: a Query that matches nothing (one index probe), the floor of a call here and now",
                        n -> EventFilter.builder().traceId(String.format("%032x", -1 - n)).build(), true),
                new QueryKind("actor", "--actor", n -> EventFilter.builder().actor(actor(n)).build(), true),
                new QueryKind("action", "--action policy.denied (10 % of events)",
                        n -> EventFilter.builder().actions(Set.of(AuditAction.POLICY_DENIED)).build(), true),
                new QueryKind("actions", "--action auth.failed,policy.denied (1 % and 10 %)",
                        n -> EventFilter.builder().actions(Set.of(AuditAction.AUTH_FAILED, AuditAction.POLICY_DENIED)).build(), true),
                new QueryKind("repo", "--repo", n -> EventFilter.builder().repo(repo(n)).build(), true),
                new QueryKind("run", "--run", n -> EventFilter.builder().runId(runId(n)).build(), true),
                new QueryKind("trace", "--trace", n -> EventFilter.builder().traceId(traceId(n)).build(), true),
                new QueryKind("time_range", "--since T --until T+1h (36,000 events) anywhere in the log",
                        n -> EventFilter.builder().from(time(n)).to(time(n).plus(Duration.ofHours(1))).build(), true),
                new QueryKind("time_until", "--until T anywhere in the log (open start)",
                        n -> EventFilter.builder().to(time(n)).build(), true),
                new QueryKind("time_range_oldest", "--since T --until T+1h --oldest-first",
                        n -> EventFilter.builder().from(time(n)).to(time(n).plus(Duration.ofHours(1))).build(), false),
                new QueryKind("actor_action", "--actor and --action policy.denied",
                        n -> EventFilter.builder().actor(actor(n)).actions(Set.of(AuditAction.POLICY_DENIED)).build(), true),
                new QueryKind("action_time_range", "--action policy.denied --since T --until T+1h",
                        n -> EventFilter.builder().actions(Set.of(AuditAction.POLICY_DENIED)).from(time(n))
                                .to(time(n).plus(Duration.ofHours(1))).build(), true));
        java.util.Random random = new java.util.Random(7);
        // numbers of filled events whose hour after them is stored too
        IntSupplier stored = () -> FILLED + filledFrom + random.nextInt(storedEvents - filledFrom - 36_000);
        Map<String, Latencies> latencies = new LinkedHashMap<>();
        kinds.forEach(kind -> latencies.put(kind.name(), new Latencies()));
        Latencies nextPages = new Latencies();
        Latencies unbatched = new Latencies();
        Latencies all = new Latencies();
        Latencies storeOnly = new Latencies();
        for (int warm = 0; warm < 10; warm++) {
            for (QueryKind kind : kinds) {
                QueryRequest request = request(kind.filter().apply(stored.getAsInt()), kind.newestFirst(), "");
                drain(audit, request);
                if (kind.name().equals("actor")) {
                    drainUnbatched(audit, request.toBuilder().setBatched(false).build());
                }
            }
        }
        for (int q = 0; q < QUERIES_PER_KIND; q++) {
            for (QueryKind kind : kinds) {
                QueryRequest request = request(kind.filter().apply(stored.getAsInt()), kind.newestFirst(), "");
                long start = System.nanoTime();
                String cursor = drain(audit, request);
                long nanos = System.nanoTime() - start;
                latencies.get(kind.name()).record(nanos);
                if (!kind.name().equals("baseline")) {
                    all.record(nanos);
                    // the same kind of query on the store itself: the database and reading rows, without gRPC
                    EventFilter filter = kind.filter().apply(stored.getAsInt());
                    storeOnly.measure(1, () -> store.query(filter, kind.newestFirst(), 0, 100));
                }
                if (kind.name().equals("actor")) {
                    // the same answer one event a message, as callers written before batches read it
                    QueryRequest single = request.toBuilder().setBatched(false).build();
                    unbatched.measure(1, () -> drainUnbatched(audit, single));
                }
                if (kind.name().equals("time_range") && !cursor.isEmpty()) {
                    QueryRequest next = request.toBuilder().setCursor(cursor).build();
                    nextPages.measure(1, () -> drain(audit, next));
                }
            }
        }
        Map<String, Figure> figures = new LinkedHashMap<>();
        figures.put("query_p50_ms", new Figure(round(all.percentileMicros(50) / 1000), "ms",
                "every filtered Query below but the baseline (100 events each) over gRPC, median"));
        figures.put("query_p99_ms", new Figure(round(all.percentileMicros(99) / 1000), "ms", "target <= 10 for each filter"));
        figures.put("query_store_p50_ms", new Figure(round(storeOnly.percentileMicros(50) / 1000), "ms",
                "the same filters straight on JdbcAuditStore.query (no gRPC, no protobuf), interleaved, median"));
        figures.put("query_store_p99_ms", new Figure(round(storeOnly.percentileMicros(99) / 1000), "ms", ""));
        for (QueryKind kind : kinds) {
            Latencies measured = latencies.get(kind.name());
            List<String> plan = store.queryPlan(kind.filter().apply(stored.getAsInt()), kind.newestFirst(), 0, 100);
            figures.put("query_" + kind.name() + "_p50_ms", new Figure(round(measured.percentileMicros(50) / 1000), "ms", kind.meaning()));
            figures.put("query_" + kind.name() + "_p99_ms", new Figure(round(measured.percentileMicros(99) / 1000), "ms",
                    "plan: " + QueryPlans.summary(plan)));
            figures.put("query_" + kind.name() + "_sorts", new Figure(QueryPlans.sorts(plan), "",
                    "Sort nodes in that plan (0: read in order off an index)"));
        }
        figures.put("query_time_range_next_page_p50_ms", new Figure(round(nextPages.percentileMicros(50) / 1000), "ms",
                "time_range's second page, through the first page's last cursor"));
        figures.put("query_time_range_next_page_p99_ms", new Figure(round(nextPages.percentileMicros(99) / 1000), "ms", ""));
        figures.put("query_actor_unbatched_p50_ms", new Figure(round(unbatched.percentileMicros(50) / 1000), "ms",
                "actor's query again right after it, one event a message (QueryRequest.batched unset), median"));
        figures.put("query_actor_unbatched_p99_ms", new Figure(round(unbatched.percentileMicros(99) / 1000), "ms", ""));
        return figures;
    }

    private static QueryRequest request(EventFilter filter, boolean newestFirst, String cursor) {
        QueryRequest.Builder request = QueryRequest.newBuilder().setLimit(100).setCursor(cursor).setBatched(true)
                .setOrder(newestFirst ? QueryOrder.QUERY_ORDER_NEWEST_FIRST : QueryOrder.QUERY_ORDER_OLDEST_FIRST);
        filter.from().ifPresent(from -> request.setFromTime(timestamp(from)));
        filter.to().ifPresent(to -> request.setToTime(timestamp(to)));
        filter.actor().ifPresent(request::setActor);
        filter.actions().forEach(action -> request.addActions(AuditEvents.toProto(action)));
        filter.repo().ifPresent(request::setRepo);
        filter.runId().ifPresent(request::setRunId);
        filter.traceId().ifPresent(request::setTraceId);
        return request.build();
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    /** Reads the whole answer, every event of it; the last message's cursor, or empty. */
    private static String drain(AuditServiceGrpc.AuditServiceBlockingStub audit, QueryRequest request) {
        String cursor = "";
        var responses = audit.withDeadlineAfter(60, TimeUnit.SECONDS).query(request);
        while (responses.hasNext()) {
            QueryResponse response = responses.next();
            if (response.getEventsCount() == 0) {
                throw new IllegalStateException("a batched Query answered a message without events");
            }
            cursor = response.getCursor();
        }
        return cursor;
    }

    /** Reads a whole answer sent one event a message. */
    @SuppressWarnings("deprecation") // the one-event form, measured against batches
    private static void drainUnbatched(AuditServiceGrpc.AuditServiceBlockingStub audit, QueryRequest request) {
        var responses = audit.withDeadlineAfter(60, TimeUnit.SECONDS).query(request);
        while (responses.hasNext()) {
            if (!responses.next().hasEvent()) {
                throw new IllegalStateException("an unbatched Query answered a message without its event");
            }
        }
    }

    private static void analyze(String url, String user, String password, String schema) throws Exception {
        try (Connection connection = DriverManager.getConnection(url, user, password);
                Statement statement = connection.createStatement()) {
            statement.execute("ANALYZE " + schema + ".audit_event");
        }
    }

    private static AppendRequest warmup(int round) {
        AppendRequest.Builder request = AppendRequest.newBuilder();
        warmupEvents(round).forEach(event -> request.addEvents(AuditEvents.toProto(event)));
        return request.build();
    }

    private static List<AuditEvent> warmupEvents(int round) {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            events.add(event(5_000_000 + round * BATCH + i));
        }
        return events;
    }

    private static AuditEvent event(int n) {
        return event(n, n % 10 == 0 ? AuditAction.POLICY_DENIED : AuditAction.RUN_SUBMITTED);
    }

    /** The events filled in for querying: also 1 % failed authentications, for a multi-action filter. */
    private static AuditEvent storedEvent(int n) {
        return event(n, n % 10 == 0 ? AuditAction.POLICY_DENIED : n % 100 == 1 ? AuditAction.AUTH_FAILED : AuditAction.RUN_SUBMITTED);
    }

    private static AuditEvent event(int n, AuditAction action) {
        boolean denied = n % 10 == 0;
        return AuditEvent.builder("gateway", action, time(n))
                .eventId(new UUID(0x5eed_0000_0000_0000L | n, n))
                .actor(actor(n))
                .resource(new AuditResource("run", runId(n), repo(n), runId(n)))
                .outcome(denied ? AuditOutcome.DENIED : AuditOutcome.SUCCESS)
                .reason(denied ? "REF_NOT_ALLOWED" : "")
                .traceId(traceId(n))
                .sourceAddress("10.0." + (n % 250) + ".1:443")
                .attributes(Map.of("environment", n % 2 == 0 ? "prod" : "stage"))
                .build();
    }

    private static Instant time(int n) {
        return Instant.parse("2026-11-01T00:00:00Z").plusMillis(n * 100L);
    }

    private static String actor(int n) {
        return "spiffe://bench.example/ci/github/acme/repo-" + (n % 1000);
    }

    private static String runId(int n) {
        return new UUID(0x7000_0000_0000_0000L | (n / 10), 0).toString();
    }

    private static String repo(int n) {
        return "repo-" + (n % 200);
    }

    private static String traceId(int n) {
        return String.format("%032x", n / 5);
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
