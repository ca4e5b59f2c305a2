package dev.portcullis.executor.server;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/**
 * The executor's task database, a type of its own so that services sharing one JVM (dev mode)
 * never mix up their data sources.
 */
public final class TaskDatabase implements AutoCloseable {
    private final HikariDataSource dataSource;

    TaskDatabase(HikariDataSource dataSource) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
