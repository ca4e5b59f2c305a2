package dev.portcullis.audit.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.audit.chain.ChainHash;
import dev.portcullis.audit.chain.ChainVerifier;
import dev.portcullis.audit.chain.LogProofs;
import dev.portcullis.audit.chain.NaiveTree;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.testing.TestDatabases;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two audit replicas, each with its own connection pool, appending to one PostgreSQL at once
 * build one Merkle tree: the chain head lock serialises their appends, tree nodes included.
 */
class TwoReplicasTreeTest {
    private TestDatabases.Settings db;
    private HikariDataSource first;
    private HikariDataSource second;

    @BeforeEach
    void open() {
        db = TestDatabases.freshPostgresSchema();
        first = Databases.open("audit", db.jdbcUrl(), db.user(), db.password(), db.schema(), 3);
        second = Databases.open("audit", db.jdbcUrl(), db.user(), db.password(), db.schema(), 3);
    }

    @AfterEach
    void close() {
        if (db == null) { // PostgreSQL was unreachable: the test skipped before opening anything
            return;
        }
        first.close();
        second.close();
        TestDatabases.drop(db);
    }

    @Test
    void concurrentAppendsThroughTwoReplicasYieldOneTreeEqualToTheNaiveTree() throws Exception {
        List<JdbcAuditStore> replicas = List.of(new JdbcAuditStore(first, Clock.systemUTC()),
                new JdbcAuditStore(second, Clock.systemUTC()));
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            JdbcAuditStore replica = replicas.get(w % 2);
            int base = w * 1000;
            done.add(writers.submit(() -> {
                for (int batch = 0; batch < 20; batch++) {
                    // uneven batches, so the replicas interleave at every alignment of the tree
                    int size = 1 + (batch * 7 + base / 1000) % 13;
                    replica.append(IntStream.range(base + batch * 20, base + batch * 20 + size)
                            .mapToObj(AuditEventsForTests::event).toList());
                }
            }));
        }
        for (Future<?> future : done) {
            future.get(120, TimeUnit.SECONDS);
        }
        writers.shutdown();

        List<StoredEvent> rows = new ArrayList<>();
        replicas.get(0).scan(1, Long.MAX_VALUE, rows::add);
        ChainVerifier chain = new ChainVerifier(1, ChainHash.GENESIS);
        rows.forEach(chain::accept);
        assertTrue(chain.finish(rows.size(), null).intact());
        long size = rows.size();
        assertEquals(size, replicas.get(0).treeSize());
        assertEquals(size, replicas.get(1).treeSize());
        for (long at = 1; at <= size; at++) {
            byte[] naive = NaiveTree.rootOfEvents(rows.subList(0, (int) at));
            assertArrayEquals(naive, new LogProofs(replicas.get((int) (at % 2))).root(at), "size " + at);
        }
    }
}
