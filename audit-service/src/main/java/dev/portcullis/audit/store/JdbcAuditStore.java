package dev.portcullis.audit.store;

import dev.portcullis.runtime.json.CanonicalJson;
import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.chain.ChainHash;
import dev.portcullis.audit.chain.Checkpoint;
import dev.portcullis.audit.chain.CompactRange;
import dev.portcullis.audit.chain.MerkleTree;
import dev.portcullis.audit.chain.SignedCheckpoint;
import dev.portcullis.audit.chain.SignedNote;
import dev.portcullis.audit.chain.TreeHead;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.error.DomainException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * The audit log over JDBC, on embedded H2 and PostgreSQL. Appenders hold a row lock on the chain
 * head, so appends are serialised even across replicas sharing a database, and a batch is
 * chained, added to the Merkle tree (the O(log n) nodes each leaf completes) and committed in one
 * transaction. On PostgreSQL a store that made the last append chains the next batch after the
 * head it left and writes events, nodes and head in one statement whose head update (the row
 * lock) applies only if the head is still that one; otherwise, and on H2, it locks the head,
 * reads it and looks up which events are stored already. Thread-safe.
 */
public final class JdbcAuditStore implements AuditStore {
    static final String COLUMNS = "seq, event_id, event_time, stored_at, service, actor, action, resource_kind,"
            + " resource_id, repo, run_id, outcome, reason, trace_id, source_address, attributes, previous_hash, hash";

    private static final HexFormat HEX = HexFormat.of();

    private final DataSource dataSource;
    private final Clock clock;
    /**
     * The head and the tree's right edge as this store's last committed append left them: the
     * next append chains after it without reading it back. Replaced after commit by a newer one
     * only; stale when another replica appended since, which the head row then tells.
     */
    private final AtomicReference<Known> known = new AtomicReference<>(Known.UNKNOWN);

    /** The chain head row: sequence, hash and tree size. */
    private record Head(long sequence, String hash, long treeSize) {}

    /** A head whose tree covers every event, and that tree's right edge. */
    private record Known(Head head, List<byte[]> edge) {
        static final Known UNKNOWN = new Known(new Head(-1, "", -1), List.of());

        CompactRange tree() {
            return CompactRange.of(head.treeSize(), edge);
        }
    }

    /** A batch chained after a head: the events to store, the tree nodes they complete, the head after them. */
    private record Chained(List<StoredEvent> stored, int duplicates, List<CompactRange.Created> nodes, Known after) {}

    public JdbcAuditStore(DataSource dataSource, Clock clock) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public AppendResult append(List<AuditEvent> events) {
        if (events.isEmpty()) {
            return new AppendResult(List.of(), 0);
        }
        try (Connection connection = dataSource.getConnection()) {
            boolean postgres = isPostgres(connection);
            if (postgres) {
                Optional<AppendResult> appended = appendAtKnownHead(connection, events);
                if (appended.isPresent()) {
                    return appended.get();
                }
            }
            connection.setAutoCommit(false);
            try {
                Chained chained = appendLocked(connection, events, postgres);
                connection.commit();
                remember(chained.after());
                return new AppendResult(chained.stored(), chained.duplicates());
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * On PostgreSQL, when this store knows the head its last append left: the batch chained after
     * it and written in one statement, its own transaction, that moves the head only if the head
     * is still that one (one round trip, the lock held for that statement alone). Empty, with
     * nothing written, when another replica appended since or an event of the batch is stored
     * already (the insert fails on the unique event_id): the locked append settles those.
     */
    private Optional<AppendResult> appendAtKnownHead(Connection connection, List<AuditEvent> events) throws SQLException {
        Known head = known.get();
        if (head == Known.UNKNOWN) {
            return Optional.empty();
        }
        Chained chained = chain(events, Set.of(), head.head(), head.tree());
        if (chained.stored().isEmpty()) {
            return Optional.empty();
        }
        connection.setAutoCommit(true); // the statement is the transaction, whatever the pool's default
        try {
            if (!writeAtOnce(connection, chained, head.head())) {
                return Optional.empty();
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) { // unique_violation
                return Optional.empty();
            }
            throw e;
        }
        remember(chained.after());
        return Optional.of(new AppendResult(chained.stored(), chained.duplicates()));
    }

    private void remember(Known after) {
        known.accumulateAndGet(after, (old, next) -> next.head().sequence() >= old.head().sequence() ? next : old);
    }

    /** Locks the head, reads it and the stored ids among the batch's, and writes the batch after it. */
    private Chained appendLocked(Connection connection, List<AuditEvent> events, boolean postgres) throws SQLException {
        Head locked;
        try (PreparedStatement head = connection.prepareStatement("SELECT seq, hash, tree_size FROM audit_head WHERE id = 1 FOR UPDATE");
                ResultSet row = head.executeQuery()) {
            if (!row.next()) {
                throw new SQLException("the audit_head row is missing");
            }
            locked = new Head(row.getLong(1), row.getString(2), row.getLong(3));
        }
        // events stored before the tree existed go in first (normally done at start, see extendTree)
        long treeSize = JdbcTree.catchUp(connection, locked.treeSize(), locked.sequence(), Long.MAX_VALUE);
        // the right edge as this store left it, unless another replica appended since: then read under the lock
        Head current = new Head(locked.sequence(), locked.hash(), treeSize);
        Known cached = known.get();
        CompactRange tree = cached.head().equals(current) && treeSize > 0 ? cached.tree() : JdbcTree.edge(connection, treeSize);
        Chained chained = chain(events, existing(connection, events), current, tree);
        if (!chained.stored().isEmpty() || treeSize != locked.treeSize()) {
            if (!postgres) {
                write(connection, chained);
            } else if (!writeAtOnce(connection, chained, locked)) {
                throw new SQLException("the audit head changed while locked");
            }
        }
        return chained;
    }

    /** Chains the events of {@code events} not in {@code stored} (each id once) after {@code head}. */
    private Chained chain(List<AuditEvent> events, Set<String> stored, Head head, CompactRange tree) {
        Set<String> seen = new HashSet<>(stored);
        Instant storedAt = Instant.ofEpochMilli(clock.instant().toEpochMilli());
        List<StoredEvent> rows = new ArrayList<>();
        List<CompactRange.Created> nodes = new ArrayList<>();
        long sequence = head.sequence();
        String previousHash = head.hash();
        int duplicates = 0;
        for (AuditEvent event : events) {
            if (!seen.add(event.eventId().toString())) {
                duplicates++;
                continue;
            }
            sequence++;
            String hash = ChainHash.of(previousHash, sequence, storedAt, event);
            rows.add(new StoredEvent(sequence, event, storedAt, previousHash, hash));
            nodes.addAll(tree.append(MerkleTree.eventLeafHash(hash)));
            previousHash = hash;
        }
        return new Chained(rows, duplicates, nodes, new Known(new Head(sequence, previousHash, tree.size()), tree.hashes()));
    }

    /** Events, tree nodes and head in a statement each (H2, where a statement is no round trip). */
    private static void write(Connection connection, Chained chained) throws SQLException {
        List<StoredEvent> stored = chained.stored();
        Head head = chained.after().head();
        if (!stored.isEmpty()) {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO audit_event (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (StoredEvent row : stored) {
                    Object[] values = values(row);
                    for (int i = 0; i < values.length; i++) {
                        insert.setObject(i + 1, values[i]);
                    }
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
        JdbcTree.insert(connection, chained.nodes());
        try (PreparedStatement update = connection.prepareStatement("UPDATE audit_head SET seq = ?, hash = ?, tree_size = ? WHERE id = 1")) {
            update.setLong(1, head.sequence());
            update.setString(2, head.hash());
            update.setLong(3, head.treeSize());
            update.executeUpdate();
        }
    }

    /**
     * Events, tree nodes and head in one PostgreSQL statement, one round trip: the head moves
     * only from the expected one (taking its row lock), and the rows are inserted only if it
     * moved. Each table's rows come as one array a column, so the text is the same for every
     * batch size and the server keeps it prepared.
     */
    private static final String WRITE_AT_ONCE = "WITH head AS (UPDATE audit_head SET seq = ?, hash = ?, tree_size = ?"
            + " WHERE id = 1 AND seq = ? AND hash = ? AND tree_size = ? RETURNING 1),"
            + " events AS (INSERT INTO audit_event (" + COLUMNS + ") SELECT e.* FROM head,"
            + " unnest(?::bigint[], ?::varchar[], ?::bigint[], ?::bigint[], ?::varchar[], ?::varchar[],"
            + " ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[],"
            + " ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[]) AS e),"
            + " nodes AS (INSERT INTO audit_tree_node (height, idx, hash)"
            + " SELECT n.* FROM head, unnest(?::smallint[], ?::bigint[], ?::varchar[]) AS n)"
            + " SELECT count(*) FROM head";

    /** Writes {@code chained} if the head is still {@code expected}; false, nothing written, if not. */
    private static boolean writeAtOnce(Connection connection, Chained chained, Head expected) throws SQLException {
        List<StoredEvent> stored = chained.stored();
        List<CompactRange.Created> nodes = chained.nodes();
        Head after = chained.after().head();
        Object[][] columns = new Object[VALUES][stored.size()];
        for (int r = 0; r < stored.size(); r++) {
            Object[] values = values(stored.get(r));
            for (int c = 0; c < VALUES; c++) {
                columns[c][r] = values[c];
            }
        }
        Object[] heights = new Object[nodes.size()];
        Object[] indexes = new Object[nodes.size()];
        Object[] hashes = new Object[nodes.size()];
        for (int n = 0; n < nodes.size(); n++) {
            heights[n] = nodes.get(n).node().height();
            indexes[n] = nodes.get(n).node().index();
            hashes[n] = HEX.formatHex(nodes.get(n).hash());
        }
        try (PreparedStatement write = connection.prepareStatement(WRITE_AT_ONCE)) {
            write.setLong(1, after.sequence());
            write.setString(2, after.hash());
            write.setLong(3, after.treeSize());
            write.setLong(4, expected.sequence());
            write.setString(5, expected.hash());
            write.setLong(6, expected.treeSize());
            for (int c = 0; c < VALUES; c++) {
                write.setArray(7 + c, connection.createArrayOf(c == 0 || c == 2 || c == 3 ? "BIGINT" : "VARCHAR", columns[c]));
            }
            write.setArray(7 + VALUES, connection.createArrayOf("INTEGER", heights));
            write.setArray(8 + VALUES, connection.createArrayOf("BIGINT", indexes));
            write.setArray(9 + VALUES, connection.createArrayOf("VARCHAR", hashes));
            try (ResultSet moved = write.executeQuery()) {
                return moved.next() && moved.getLong(1) == 1;
            }
        }
    }

    private static Set<String> existing(Connection connection, List<AuditEvent> events) throws SQLException {
        Set<String> existing = new HashSet<>();
        // one array parameter rather than an IN list: the statement text stays the same for every
        // batch size, and PostgreSQL's cached generic plan still uses the unique index
        Object[] ids = events.stream().map(event -> event.eventId().toString()).toArray();
        try (PreparedStatement select = connection.prepareStatement("SELECT event_id FROM audit_event WHERE event_id = ANY(?)")) {
            select.setArray(1, connection.createArrayOf("VARCHAR", ids));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    existing.add(rows.getString(1));
                }
            }
        }
        return existing;
    }

    /** The number of {@link #COLUMNS}. */
    private static final int VALUES = 18;

    /** A row's values in {@link #COLUMNS} order. */
    private static Object[] values(StoredEvent row) {
        AuditEvent event = row.event();
        return new Object[] {row.sequence(), event.eventId().toString(), event.time().toEpochMilli(),
            row.storedAt().toEpochMilli(), event.service(), event.actor(), event.action().dottedName(),
            event.resource().kind(), event.resource().id(), event.resource().repo(), event.resource().runId(),
            event.outcome().name(), event.reason(), event.traceId(), event.sourceAddress(),
            CanonicalJson.object(event.attributes()), row.previousHash(), row.hash()};
    }

    /** Reads a row as stored, without judging it: verification decides whether it is intact. */
    private static StoredEvent read(ResultSet row) throws SQLException {
        AuditAction action = AuditAction.byDottedName(row.getString(7))
                .orElseThrow(() -> new SQLException("unknown action in the audit log"));
        AuditEvent event = new AuditEvent(UUID.fromString(row.getString(2)), Instant.ofEpochMilli(row.getLong(3)),
                row.getString(5), row.getString(6), action,
                new AuditResource(row.getString(8), row.getString(9), row.getString(10), row.getString(11)),
                AuditOutcome.valueOf(row.getString(12)), row.getString(13), row.getString(14), row.getString(15),
                CanonicalJson.parseObject(row.getString(16)));
        return new StoredEvent(row.getLong(1), event, Instant.ofEpochMilli(row.getLong(4)), row.getString(17).trim(),
                row.getString(18).trim());
    }

    @Override
    public void scan(long from, long to, Predicate<StoredEvent> sink) {
        try (Connection connection = dataSource.getConnection()) {
            // read in pages: bounded memory whatever the range, and no long-held cursor
            long next = from;
            while (next <= to) {
                int count = 0;
                try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS
                        + " FROM audit_event WHERE seq >= ? AND seq <= ? ORDER BY seq ASC LIMIT 1000")) {
                    select.setLong(1, next);
                    select.setLong(2, to);
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            StoredEvent row = read(rows);
                            count++;
                            next = row.sequence() + 1;
                            if (!sink.test(row)) {
                                return;
                            }
                        }
                    }
                }
                if (count < 1000) {
                    return;
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public List<StoredEvent> query(EventFilter filter, boolean newestFirst, long afterSequence, int limit) {
        try (Connection connection = dataSource.getConnection()) {
            Optional<EventQuery> query = statement(connection, filter, newestFirst, afterSequence, limit);
            if (query.isEmpty()) {
                return List.of();
            }
            List<StoredEvent> events = new ArrayList<>();
            try (PreparedStatement select = prepare(connection, "", query.get());
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    events.add(read(rows));
                }
            }
            return events;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * The plan the database chooses for {@link #query}, executed once and measured (EXPLAIN
     * ANALYZE on PostgreSQL, EXPLAIN on H2), one line per plan line: for benchmarks and operators
     * asking why a query is slow. Empty when the query needs no statement (an empty log or range).
     *
     * @throws DomainException UNAVAILABLE when the database cannot be reached
     */
    public List<String> queryPlan(EventFilter filter, boolean newestFirst, long afterSequence, int limit) {
        try (Connection connection = dataSource.getConnection()) {
            Optional<EventQuery> query = statement(connection, filter, newestFirst, afterSequence, limit);
            if (query.isEmpty()) {
                return List.of();
            }
            String explain = isPostgres(connection) ? "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " : "EXPLAIN ";
            List<String> plan = new ArrayList<>();
            try (PreparedStatement select = prepare(connection, explain, query.get());
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    plan.addAll(rows.getString(1).lines().toList());
                }
            }
            return plan;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** The statement for a query, or empty when nothing can match. */
    private static Optional<EventQuery> statement(Connection connection, EventFilter filter, boolean newestFirst,
            long afterSequence, int limit) throws SQLException {
        if (filter.from().isEmpty() && filter.to().isEmpty() || !isPostgres(connection)) {
            return Optional.of(EventQuery.of(filter, newestFirst, afterSequence, limit));
        }
        long from;
        long last;
        if (filter.from().isPresent() && filter.to().isPresent()) {
            from = filter.from().get().toEpochMilli();
            last = filter.to().get().toEpochMilli() - 1;
        } else {
            // an open end of the range stands at the oldest or newest event time stored: two
            // probes of the (event_time, seq) index
            try (PreparedStatement extremes = connection.prepareStatement(
                    "SELECT MIN(event_time), MAX(event_time) FROM audit_event");
                    ResultSet row = extremes.executeQuery()) {
                row.next();
                long earliest = row.getLong(1);
                if (row.wasNull()) {
                    return Optional.empty(); // an empty log
                }
                long latest = row.getLong(2);
                from = filter.from().map(Instant::toEpochMilli).orElse(earliest);
                last = filter.to().map(to -> to.toEpochMilli() - 1).orElse(latest);
            }
        }
        if (last < from) {
            return Optional.empty();
        }
        return Optional.of(EventQuery.TimeBox.of(from, last, newestFirst, afterSequence)
                .map(box -> EventQuery.of(filter, newestFirst, limit, box))
                .orElseGet(() -> EventQuery.of(filter, newestFirst, afterSequence, limit)));
    }

    private static boolean isPostgres(Connection connection) throws SQLException {
        return connection.getMetaData().getDatabaseProductName().equals("PostgreSQL");
    }

    private static PreparedStatement prepare(Connection connection, String prefix, EventQuery query) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(prefix + query.sql());
        try {
            for (int i = 0; i < query.parameters().size(); i++) {
                statement.setObject(i + 1, query.parameters().get(i));
            }
            return statement;
        } catch (SQLException e) {
            statement.close();
            throw e;
        }
    }

    @Override
    public long headSequence() {
        return single("SELECT COALESCE(MAX(seq), 0) FROM audit_event", statement -> { }, rows -> rows.getLong(1)).orElse(0L);
    }

    @Override
    public Optional<String> hashAt(long sequence) {
        if (sequence == 0) {
            return Optional.of(ChainHash.GENESIS);
        }
        return single("SELECT hash FROM audit_event WHERE seq = ?", statement -> statement.setLong(1, sequence),
                rows -> rows.getString(1).trim());
    }

    @Override
    public void saveCheckpoint(Checkpoint checkpoint) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO audit_checkpoint (seq, hash, signed_at, signature, key_id) VALUES (?, ?, ?, ?, ?)")) {
            insert.setLong(1, checkpoint.sequence());
            insert.setString(2, checkpoint.hash());
            insert.setLong(3, checkpoint.signedAt().toEpochMilli());
            insert.setString(4, Base64.getEncoder().encodeToString(checkpoint.signature()));
            insert.setString(5, checkpoint.keyId());
            insert.executeUpdate();
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Optional<Checkpoint> latestCheckpoint() {
        return single("SELECT seq, hash, signed_at, signature, key_id FROM audit_checkpoint ORDER BY seq DESC LIMIT 1",
                statement -> { }, rows -> new Checkpoint(rows.getLong(1), rows.getString(2).trim(),
                        Instant.ofEpochMilli(rows.getLong(3)), Base64.getDecoder().decode(rows.getString(4)),
                        rows.getString(5).trim()));
    }

    @Override
    public long extendTree(int maxLeaves) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                long sequence;
                long treeSize;
                try (PreparedStatement head = connection.prepareStatement("SELECT seq, tree_size FROM audit_head WHERE id = 1 FOR UPDATE");
                        ResultSet row = head.executeQuery()) {
                    if (!row.next()) {
                        throw new SQLException("the audit_head row is missing");
                    }
                    sequence = row.getLong(1);
                    treeSize = row.getLong(2);
                }
                long extended = JdbcTree.catchUp(connection, treeSize, sequence, maxLeaves);
                if (extended != treeSize) {
                    try (PreparedStatement head = connection.prepareStatement("UPDATE audit_head SET tree_size = ? WHERE id = 1")) {
                        head.setLong(1, extended);
                        head.executeUpdate();
                    }
                }
                connection.commit();
                return sequence - extended;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public long treeSize() {
        return single("SELECT tree_size FROM audit_head WHERE id = 1", statement -> { }, rows -> rows.getLong(1)).orElse(0L);
    }

    @Override
    public Map<MerkleTree.Node, byte[]> treeNodes(Set<MerkleTree.Node> nodes) {
        try (Connection connection = dataSource.getConnection()) {
            return JdbcTree.read(connection, nodes);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public void saveTreeCheckpoint(SignedCheckpoint checkpoint) {
        try (Connection connection = dataSource.getConnection()) {
            // replicas may sign the same size at once: Ed25519 is deterministic, so the notes are
            // equal and the first one stored stands
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO audit_tree_checkpoint (tree_size, signed_at, note)"
                    + " SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM audit_tree_checkpoint WHERE tree_size = ?)")) {
                insert.setLong(1, checkpoint.size());
                insert.setLong(2, checkpoint.signedAt().toEpochMilli());
                insert.setString(3, checkpoint.note());
                insert.setLong(4, checkpoint.size());
                insert.executeUpdate();
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                return;
            }
            throw unavailable(e);
        }
    }

    @Override
    public Optional<SignedCheckpoint> latestTreeCheckpoint() {
        return single("SELECT note, signed_at FROM audit_tree_checkpoint ORDER BY tree_size DESC LIMIT 1", statement -> { },
                JdbcAuditStore::readCheckpoint);
    }

    @Override
    public Optional<SignedCheckpoint> treeCheckpointAt(long size) {
        return single("SELECT note, signed_at FROM audit_tree_checkpoint WHERE tree_size = ?", statement -> statement.setLong(1, size),
                JdbcAuditStore::readCheckpoint);
    }

    @Override
    public List<SignedCheckpoint> treeCheckpoints(long fromSize, long toSize) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT note, signed_at FROM audit_tree_checkpoint WHERE tree_size >= ? AND tree_size <= ? ORDER BY tree_size")) {
            select.setLong(1, fromSize);
            select.setLong(2, toSize);
            List<SignedCheckpoint> checkpoints = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    checkpoints.add(readCheckpoint(rows));
                }
            }
            return checkpoints;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** Reads a stored note without judging its signature: verification does that with the public key. */
    private static SignedCheckpoint readCheckpoint(ResultSet row) throws SQLException {
        String note = row.getString(1);
        TreeHead head;
        try {
            head = TreeHead.parse(SignedNote.parse(note).text());
        } catch (IllegalArgumentException e) {
            throw new SQLException("a stored tree checkpoint is not a signed checkpoint note");
        }
        return new SignedCheckpoint(head, note, Instant.ofEpochMilli(row.getLong(2)));
    }

    @Override
    public Optional<Long> sequenceOf(UUID eventId) {
        return single("SELECT seq FROM audit_event WHERE event_id = ?", statement -> statement.setString(1, eventId.toString()),
                rows -> rows.getLong(1));
    }

    @Override
    public List<String> knownCallers() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT DISTINCT actor FROM audit_event WHERE action = ?")) {
            select.setString(1, AuditAction.RUN_SUBMITTED.dottedName());
            List<String> actors = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    actors.add(rows.getString(1));
                }
            }
            return actors;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private interface Reader<T> {
        T read(ResultSet rows) throws SQLException;
    }

    private <T> Optional<T> single(String sql, Binder binder, Reader<T> reader) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(reader.read(rows)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static DomainException unavailable(SQLException e) {
        // the SQL and driver text stay in our log; the caller learns only that storage is down
        org.slf4j.LoggerFactory.getLogger(JdbcAuditStore.class).atWarn()
                .addKeyValue("sql_state", String.valueOf(e.getSQLState())).setCause(e).log("audit.store_unavailable");
        return new DomainException(DomainException.Kind.UNAVAILABLE, "STORE_UNAVAILABLE",
                "the audit store is unavailable", Map.of());
    }

}
