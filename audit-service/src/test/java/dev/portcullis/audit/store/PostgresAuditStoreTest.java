package dev.portcullis.audit.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.runtime.testing.TestDatabases;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The same contract against the machine's PostgreSQL (never skipped under CI=true). */
class PostgresAuditStoreTest extends AuditStoreContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshPostgresSchema();
    }

    /**
     * A key-share lock on the head blocks {@code SELECT … FOR UPDATE} but not an update of the
     * head's other columns: an append at the head this store left is the one conditional
     * statement, not the locked read-then-write.
     */
    @Test
    void anAppendAtTheHeadThisStoreLeftIsOneStatementWithoutTheLockedRead() throws Exception {
        store.append(IntStream.range(0, 3).mapToObj(AuditEventsForTests::event).toList());
        AppendResult appended;
        try (Connection holder = dataSource.getConnection(); Statement statement = holder.createStatement()) {
            holder.setAutoCommit(false);
            statement.execute("SELECT id FROM audit_head WHERE id = 1 FOR KEY SHARE");

            appended = CompletableFuture.supplyAsync(() -> store.append(List.of(AuditEventsForTests.event(3))))
                    .get(30, TimeUnit.SECONDS);

            holder.rollback();
        }

        assertEquals(4, appended.stored().get(0).sequence());
        assertEquals(4, store.headSequence());
    }
}
