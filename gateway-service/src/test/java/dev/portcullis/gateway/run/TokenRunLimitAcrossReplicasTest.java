package dev.portcullis.gateway.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.gateway.store.jdbc.JdbcRunStore;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.identity.Credential;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The per-token run limit holds across gateway replicas: two replicas, each with its own
 * connection pool and store over one database (H2 and PostgreSQL), submitting with one token from
 * several threads at once never store more runs than the limit, in total.
 */
class TokenRunLimitAcrossReplicasTest {
    private static final int THREADS = 8;
    private static final int SUBMITS_PER_THREAD = 3;
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";

    private TestDatabases.Settings db;
    private final List<HikariDataSource> pools = new ArrayList<>();

    static Stream<Arguments> databases() {
        return Stream.of(Arguments.of("h2", (Supplier<TestDatabases.Settings>) TestDatabases::freshH2),
                Arguments.of("postgresql", (Supplier<TestDatabases.Settings>) TestDatabases::freshPostgresSchema));
    }

    @AfterEach
    void close() {
        pools.forEach(HikariDataSource::close);
        if (db != null && db.jdbcUrl().startsWith("jdbc:postgresql:")) {
            TestDatabases.drop(db);
        }
    }

    /** A replica: its own pool, store and service over the shared database. */
    private RunService replica() {
        HikariDataSource pool = Databases.open("gateway", db.jdbcUrl(), db.user(), db.password(), db.schema(), 8);
        pools.add(pool);
        RecordingAuditRecorder audit = new RecordingAuditRecorder();
        RunStore store = new JdbcRunStore(pool, Clock.systemUTC(), audit.table(Clock.systemUTC()));
        RunSettings settings = new RunSettings(Duration.ofHours(1), Duration.ofMinutes(5), 10_000, 10_000,
                Duration.ofSeconds(3), Duration.ofMillis(50));
        PolicyCheck allow = (caller, spec, plan, breakGlass, claims, traceId) -> Runs.ALLOW;
        TaskRunner noTasks = new TaskRunner() {
            @Override
            public TaskStatus start(TaskRequest request) {
                throw new AssertionError("no driver runs here");
            }

            @Override
            public TaskStatus cancel(dev.portcullis.runtime.request.RunId run, String reason) {
                throw new AssertionError("no driver runs here");
            }

            @Override
            public Subscription follow(dev.portcullis.runtime.request.RunId run, long fromOffset, Sink sink) {
                throw new AssertionError("no driver runs here");
            }
        };
        return new RunService(store, allow, noTasks, audit, run -> { }, new RunSignals(), settings, Clock.systemUTC());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void oneTokenNeverSubmitsMoreThanTheLimitThroughTwoReplicasAtOnce(String name, Supplier<TestDatabases.Settings> database)
            throws Exception {
        db = database.get();
        List<RunService> replicas = List.of(replica(), replica());
        Actor caller = new Actor(Runs.CI, false, "127.0.0.1:1", new Credential.IdentityToken("github",
                new CommitSha("0123456789abcdef0123456789abcdef01234567"), new GitRef("refs/heads/main"), "jti-shared",
                Clock.systemUTC().instant().plus(Duration.ofMinutes(30)), Map.of()));
        RunSpec spec = Runs.spec("stage/app", "stage", "plan");
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger exhausted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            RunService replica = replicas.get(t % 2);
            int thread = t;
            done.add(threads.submit(() -> {
                start.await();
                for (int i = 0; i < SUBMITS_PER_THREAD; i++) {
                    try {
                        replica.submit(new RunService.Submission(spec, "t" + thread + "-" + i, "", TRACE), caller);
                        accepted.incrementAndGet();
                    } catch (DomainException refused) {
                        assertEquals("TOKEN_RUNS_EXHAUSTED", refused.reason());
                        exhausted.incrementAndGet();
                    }
                }
                return null;
            }));
        }

        start.countDown();
        for (Future<?> each : done) {
            each.get(60, TimeUnit.SECONDS);
        }
        threads.shutdown();

        assertEquals(RunSettings.DEFAULT_MAX_RUNS_PER_TOKEN, accepted.get());
        assertEquals(THREADS * SUBMITS_PER_THREAD - RunSettings.DEFAULT_MAX_RUNS_PER_TOKEN, exhausted.get());
        List<Run> stored = replicas.get(0).list(new RunStore.RunQuery("", "", Set.of(), "", 100, Long.MAX_VALUE));
        assertEquals(RunSettings.DEFAULT_MAX_RUNS_PER_TOKEN, stored.size());
        assertTrue(stored.stream().allMatch(run -> run.tokenUse().orElseThrow().jti().equals("jti-shared")));
        assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
    }
}
