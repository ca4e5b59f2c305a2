package dev.portcullis.audit.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.error.DomainException;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link JdbcAlertStore} on H2, the embedded default. */
class JdbcAlertStoreH2Test extends AlertStoreContract {
    private TestDatabase database;

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.freshH2();
    }

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    @Override
    AlertStore replica() {
        return new JdbcAlertStore(database.dataSource(), clock);
    }

    @Test
    void anUnreachableDatabaseIsReportedAsStoreUnavailableWithoutItsDetail() {
        JdbcDataSource missing = new JdbcDataSource();
        missing.setURL("jdbc:h2:mem:nothing_here;IFEXISTS=TRUE");
        JdbcAlertStore store = new JdbcAlertStore(missing, clock);

        DomainException e = assertThrows(DomainException.class, () -> store.append(alert("breakglass", START)));

        assertEquals(DomainException.Kind.UNAVAILABLE, e.kind());
        assertEquals("STORE_UNAVAILABLE", e.reason());
        assertEquals("the alert store could not be reached", e.getMessage());
    }
}
