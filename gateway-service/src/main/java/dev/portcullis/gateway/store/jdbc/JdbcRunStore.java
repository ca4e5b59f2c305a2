package dev.portcullis.gateway.store.jdbc;

import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.run.Approval;
import dev.portcullis.gateway.run.PlanArtifact;
import dev.portcullis.gateway.run.RequestKeyTakenException;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunChange;
import dev.portcullis.gateway.run.RunEvent;
import dev.portcullis.gateway.run.RunSpec;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.gateway.run.RunStore;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RunStore} on JDBC: embedded H2 by default, PostgreSQL in production, one code path.
 * Changes to a run take its row lock ({@code SELECT … FOR UPDATE}), so replicas serialise on it;
 * the queue lock is the primary key of {@code run_locks}. A change's audit events go into
 * {@code audit_pending} in the change's transaction (one batch insert) and, once it committed, to
 * the {@link AuditRecorder}; their rows are deleted when the recorder took them. Thread-safe.
 */
public final class JdbcRunStore implements RunStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcRunStore.class);
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String COLUMNS = "run_id, seq, request_key, requester, repo, commit_sha, git_ref, folder, environment, "
            + "command, plan_run_id, state, state_reason, decision, approval_deadline, artifact_uri, artifact_sha256, "
            + "artifact_size, exit_code, trace_id, break_glass, created_at, updated_at, next_offset, task_offset, "
            + "cancel_requested, trace_span_id";
    private static final String ACTIVE = "'QUEUED', 'RUNNING'";

    private final DataSource dataSource;
    private final Clock clock;
    private final AuditRecorder recorder;

    /** @param recorder where the audit events of committed changes go (the durable outbox) */
    public JdbcRunStore(DataSource dataSource, Clock clock, AuditRecorder recorder) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.recorder = requireNonNull(recorder, "recorder is null");
    }

    @Override
    public Run create(Run run, Function<Run, List<AuditEvent>> audit) {
        Run created;
        List<AuditEvent> events;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO runs (run_id, request_key, requester, "
                        + "repo, commit_sha, git_ref, folder, environment, command, plan_run_id, lock_key, state, state_reason, "
                        + "decision, approval_deadline, trace_id, break_glass, created_at, updated_at, next_offset, task_offset, "
                        + "cancel_requested, trace_span_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0, FALSE, ?)")) {
                    RunSpec spec = run.spec();
                    insert.setString(1, run.id().value());
                    insert.setString(2, run.requestKey());
                    insert.setString(3, run.requester().value());
                    insert.setString(4, spec.repo().value());
                    insert.setString(5, spec.commit().value());
                    insert.setString(6, spec.ref().value());
                    insert.setString(7, spec.folder().value());
                    insert.setString(8, spec.environment().value());
                    insert.setString(9, spec.command().value());
                    insert.setString(10, spec.planRun().map(RunId::value).orElse(null));
                    insert.setString(11, spec.lockKey());
                    insert.setString(12, run.state().name());
                    insert.setString(13, run.stateReason());
                    insert.setString(14, DecisionCodec.encode(run.decision()));
                    insert.setObject(15, run.approvalDeadline().map(JdbcRunStore::timestamp).orElse(null), Types.TIMESTAMP_WITH_TIMEZONE);
                    insert.setString(16, run.traceId());
                    insert.setString(17, run.breakGlassJustification());
                    insert.setObject(18, timestamp(run.createdAt()));
                    insert.setObject(19, timestamp(run.updatedAt()));
                    insert.setString(20, run.traceSpanId());
                    insert.executeUpdate();
                }
                insertState(connection, run.id(), 0, run.createdAt(), run.state(), run.stateReason(), Optional.empty());
                created = reread(connection, run.id());
                events = List.copyOf(audit.apply(created));
                insertAudit(connection, events);
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw new RequestKeyTakenException();
                }
                throw e;
            } catch (RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        handOff(events);
        return created;
    }

    /** The run as this transaction sees it, with approvals and queue position. */
    private static Run reread(Connection connection, RunId id) throws SQLException {
        List<Run> runs = query(connection, "SELECT " + COLUMNS + " FROM runs WHERE run_id = ?", List.of(id.value()));
        if (runs.isEmpty()) {
            throw new IllegalStateException("run " + id + " vanished inside its own transaction");
        }
        return runs.get(0);
    }

    private void insertAudit(Connection connection, List<AuditEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO audit_pending (event_id, event, created_at) VALUES (?, ?, ?)")) {
            OffsetDateTime now = timestamp(clock.instant());
            for (AuditEvent event : events) {
                insert.setObject(1, event.eventId());
                insert.setBytes(2, AuditEvents.encode(event));
                insert.setObject(3, now);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * Hands committed events to the recorder, then deletes the rows of those it took. Never
     * throws: the change is committed, and whatever is left behind is {@link #relayAudit}'s.
     */
    private int handOff(List<AuditEvent> events) {
        List<UUID> taken = new ArrayList<>();
        for (AuditEvent event : events) {
            try {
                recorder.record(event);
            } catch (RuntimeException e) {
                // the outbox is full or broken: it reports itself unhealthy and new runs are refused
                log.atWarn().addKeyValue("event_id", event.eventId()).addKeyValue("action", event.action().dottedName())
                        .addKeyValue("error", e.toString()).log("run.audit_handoff_deferred");
                break;
            }
            taken.add(event.eventId());
        }
        if (taken.isEmpty()) {
            return 0;
        }
        // the ids are UUIDs, never input: safe to inline, one statement for the whole change
        String in = taken.stream().map(id -> "'" + id + "'").collect(Collectors.joining(", "));
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement("DELETE FROM audit_pending WHERE event_id IN (" + in
                        + ")")) {
            delete.executeUpdate();
        } catch (SQLException e) {
            // recorded already: a relay records them again, and the audit service stores an event id once
            log.atWarn().addKeyValue("sql_state", String.valueOf(e.getSQLState())).setCause(e).log("run.audit_delete_deferred");
        }
        return taken.size();
    }

    @Override
    public int relayAudit(Instant createdBefore, Instant now, Instant claimUntil, int max) {
        String token = UUID.randomUUID().toString();
        List<AuditEvent> events = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            // claim first (one statement, committed at once), so another replica's relay skips these rows; a
            // claim that outlives its relay (the replica died) runs out at claimUntil
            String free = "created_at < ? AND (claimed_until IS NULL OR claimed_until < ?)";
            try (PreparedStatement claim = connection.prepareStatement("UPDATE audit_pending SET claim_token = ?, "
                    + "claimed_until = ? WHERE " + free + " AND event_id IN (SELECT event_id FROM audit_pending WHERE " + free
                    + " ORDER BY created_at FETCH FIRST " + max + " ROWS ONLY)")) {
                claim.setString(1, token);
                claim.setObject(2, timestamp(claimUntil));
                claim.setObject(3, timestamp(createdBefore));
                claim.setObject(4, timestamp(now));
                claim.setObject(5, timestamp(createdBefore));
                claim.setObject(6, timestamp(now));
                if (claim.executeUpdate() == 0) {
                    return 0;
                }
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT event_id, event FROM audit_pending WHERE claim_token = ? ORDER BY created_at")) {
                select.setString(1, token);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        try {
                            events.add(AuditEvents.decode(rows.getBytes(2)));
                        } catch (IllegalArgumentException e) {
                            // written by a newer gateway: left for it (and counted as pending), never dropped
                            log.atError().addKeyValue("event_id", rows.getObject(1)).log("run.audit_row_unreadable");
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        int handedOn = handOff(events);
        if (handedOn > 0) {
            log.atInfo().addKeyValue("events", handedOn).log("run.audit_relayed");
        }
        if (handedOn < events.size()) {
            // the recorder refused (outbox full): let go at once, so any replica may try again next round
            String refused = events.subList(handedOn, events.size()).stream().map(e -> "'" + e.eventId() + "'")
                    .collect(Collectors.joining(", "));
            execute("UPDATE audit_pending SET claim_token = NULL, claimed_until = NULL WHERE claim_token = ? AND event_id IN ("
                    + refused + ")", token);
        }
        return handedOn;
    }

    @Override
    public long pendingAudit() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM audit_pending");
                ResultSet rows = select.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Optional<Run> find(RunId id) {
        return queryOne("SELECT " + COLUMNS + " FROM runs WHERE run_id = ?", id.value());
    }

    @Override
    public Optional<Run> findByRequestKey(SpiffeId requester, String requestKey) {
        return queryOne("SELECT " + COLUMNS + " FROM runs WHERE requester = ? AND request_key = ?", requester.value(), requestKey);
    }

    private Optional<Run> queryOne(String sql, String... parameters) {
        try (Connection connection = dataSource.getConnection()) {
            List<Run> runs = query(connection, sql, List.of((Object[]) parameters));
            return runs.stream().findFirst();
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public List<Run> list(RunQuery query) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM runs WHERE seq < ?");
        List<Object> parameters = new ArrayList<>();
        parameters.add(query.beforeSequence());
        if (!query.repo().isEmpty()) {
            sql.append(" AND repo = ?");
            parameters.add(query.repo());
        }
        if (!query.environment().isEmpty()) {
            sql.append(" AND environment = ?");
            parameters.add(query.environment());
        }
        if (!query.requester().isEmpty()) {
            sql.append(" AND requester = ?");
            parameters.add(query.requester());
        }
        if (!query.states().isEmpty()) {
            sql.append(" AND state IN (").append(query.states().stream().map(s -> "?").collect(Collectors.joining(", ")))
                    .append(")");
            query.states().stream().map(Enum::name).sorted().forEach(parameters::add);
        }
        sql.append(" ORDER BY seq DESC FETCH FIRST ").append(query.limit()).append(" ROWS ONLY");
        try (Connection connection = dataSource.getConnection()) {
            return query(connection, sql.toString(), parameters);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Run update(RunId id, Function<Run, RunChange> decide) {
        Run after;
        List<AuditEvent> events;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<Run> locked = query(connection, "SELECT " + COLUMNS + " FROM runs WHERE run_id = ? FOR UPDATE",
                        List.of(id.value()));
                if (locked.isEmpty()) {
                    throw notFound(id);
                }
                Run run = locked.get(0);
                RunChange change = decide.apply(run);
                if (!change.isEmpty()) {
                    apply(connection, run, change);
                }
                after = change.isEmpty() ? run : reread(connection, id);
                events = change.auditOf(after);
                if (change.isEmpty() && events.isEmpty()) {
                    connection.rollback();
                    return run;
                }
                insertAudit(connection, events);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        handOff(events);
        return after;
    }

    private void apply(Connection connection, Run run, RunChange change) throws SQLException {
        Instant now = clock.instant();
        long offset = run.nextOffset();
        if (!change.lines().isEmpty()) {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO run_events (run_id, event_offset, "
                    + "event_time, kind, state, exit_code, body, redacted) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)")) {
                for (RunChange.Line line : change.lines()) {
                    insert.setString(1, run.id().value());
                    insert.setLong(2, offset++);
                    insert.setObject(3, timestamp(line.time()));
                    insert.setString(4, line.stream().name());
                    insert.setString(5, line.text());
                    insert.setBoolean(6, line.redacted());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
        RunState state = run.state();
        if (change.state().isPresent()) {
            RunState next = change.state().get();
            if (!state.canMoveTo(next)) {
                throw new DomainException(DomainException.Kind.PRECONDITION, "RUN_STATE_CONFLICT",
                        "run " + run.id() + " is " + state + " and cannot become " + next,
                        Map.of("run_id", run.id().value(), "state", state.name()));
            }
            insertState(connection, run.id(), offset++, now, next, change.reason(), change.exitCode());
            state = next;
        }
        if (change.approval().isPresent()) {
            Approval approval = change.approval().get();
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO run_approvals (run_id, approver, "
                    + "approved_at, plan_digest, comment) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, run.id().value());
                insert.setString(2, approval.approver().value());
                insert.setObject(3, timestamp(approval.approvedAt()));
                insert.setString(4, approval.planDigest());
                insert.setString(5, approval.comment());
                insert.executeUpdate();
            }
        }
        boolean ended = state.isFinal();
        // a run that ended is nobody's to drive any more: its lease goes with it
        try (PreparedStatement update = connection.prepareStatement("UPDATE runs SET state = ?, state_reason = ?, decision = ?, "
                + "artifact_uri = ?, artifact_sha256 = ?, artifact_size = ?, exit_code = ?, updated_at = ?, next_offset = ?, "
                + "task_offset = ?, cancel_requested = ?" + (ended ? ", owner = NULL, lease_until = NULL" : "")
                + " WHERE run_id = ?")) {
            update.setString(1, state.name());
            update.setString(2, change.state().isPresent() ? change.reason() : run.stateReason());
            update.setString(3, DecisionCodec.encode(change.decision().orElse(run.decision())));
            Optional<PlanArtifact> artifact = change.artifact().or(run::artifact);
            update.setString(4, artifact.map(PlanArtifact::uri).orElse(null));
            update.setString(5, artifact.map(a -> a.sha256().value()).orElse(null));
            update.setObject(6, artifact.map(PlanArtifact::sizeBytes).orElse(null), Types.BIGINT);
            update.setObject(7, change.exitCode().or(run::exitCode).orElse(null), Types.INTEGER);
            update.setObject(8, timestamp(change.state().isPresent() ? now : run.updatedAt()));
            update.setLong(9, offset);
            update.setLong(10, change.taskOffset() >= 0 ? change.taskOffset() : run.taskOffset());
            update.setBoolean(11, run.cancelRequested() || change.isCancelRequested());
            update.setString(12, run.id().value());
            update.executeUpdate();
        }
        if (state.isFinal() || state == RunState.AWAITING_APPROVAL) {
            try (PreparedStatement unlock = connection.prepareStatement("DELETE FROM run_locks WHERE run_id = ?")) {
                unlock.setString(1, run.id().value());
                unlock.executeUpdate();
            }
        }
    }

    private static void insertState(Connection connection, RunId id, long offset, Instant time, RunState state, String reason,
            Optional<Integer> exitCode) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO run_events (run_id, event_offset, event_time, "
                + "kind, state, exit_code, body, redacted) VALUES (?, ?, ?, 'STATE', ?, ?, ?, FALSE)")) {
            insert.setString(1, id.value());
            insert.setLong(2, offset);
            insert.setObject(3, timestamp(time));
            insert.setString(4, state.name());
            insert.setObject(5, exitCode.orElse(null), Types.INTEGER);
            insert.setString(6, reason);
            insert.executeUpdate();
        }
    }

    @Override
    public List<RunEvent> events(RunId id, long fromOffset, int max) {
        String sql = "SELECT event_offset, event_time, kind, state, exit_code, body, redacted FROM run_events "
                + "WHERE run_id = ? AND event_offset >= ? ORDER BY event_offset FETCH FIRST " + max + " ROWS ONLY";
        try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, id.value());
            select.setLong(2, fromOffset);
            List<RunEvent> events = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    long offset = rows.getLong(1);
                    Instant time = rows.getObject(2, OffsetDateTime.class).toInstant();
                    String kind = rows.getString(3);
                    if ("STATE".equals(kind)) {
                        int exit = rows.getInt(5);
                        boolean exited = !rows.wasNull();
                        events.add(new RunEvent.StateChanged(offset, time, RunState.valueOf(rows.getString(4)), rows.getString(6),
                                exit, exited));
                    } else {
                        events.add(new RunEvent.LogLine(offset, time, RunEvent.Stream.valueOf(kind), rows.getString(6),
                                rows.getBoolean(7)));
                    }
                }
            }
            return events;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public boolean tryLock(RunId id) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<Run> locked = query(connection, "SELECT " + COLUMNS + " FROM runs WHERE run_id = ? FOR UPDATE",
                        List.of(id.value()));
                if (locked.isEmpty() || locked.get(0).state() != RunState.QUEUED) {
                    connection.rollback();
                    return false;
                }
                Run run = locked.get(0);
                try (PreparedStatement held = connection.prepareStatement("SELECT run_id FROM run_locks WHERE lock_key = ?")) {
                    held.setString(1, run.spec().lockKey());
                    try (ResultSet rows = held.executeQuery()) {
                        if (rows.next()) {
                            connection.rollback();
                            return rows.getString(1).equals(id.value());
                        }
                    }
                }
                try (PreparedStatement ahead = connection.prepareStatement(
                        "SELECT COUNT(*) FROM runs WHERE lock_key = ? AND state = 'QUEUED' AND seq < ?")) {
                    ahead.setString(1, run.spec().lockKey());
                    ahead.setLong(2, run.sequence());
                    try (ResultSet rows = ahead.executeQuery()) {
                        rows.next();
                        if (rows.getLong(1) > 0) {
                            connection.rollback();
                            return false;
                        }
                    }
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO run_locks (lock_key, run_id, acquired_at) VALUES (?, ?, ?)")) {
                    insert.setString(1, run.spec().lockKey());
                    insert.setString(2, id.value());
                    insert.setObject(3, timestamp(clock.instant()));
                    insert.executeUpdate();
                }
                connection.commit();
                return true;
            } catch (SQLException e) {
                connection.rollback();
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    return false; // another replica took the lock first
                }
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public List<Run> unattended(Set<RunState> states, String owner, Instant now, int max) {
        if (states.isEmpty()) {
            return List.of();
        }
        String sql = "SELECT " + COLUMNS + " FROM runs WHERE state IN ("
                + states.stream().map(s -> "'" + s.name() + "'").sorted().collect(Collectors.joining(", "))
                + ") AND (owner IS NULL OR owner = ? OR lease_until < ?) ORDER BY seq FETCH FIRST " + max + " ROWS ONLY";
        try (Connection connection = dataSource.getConnection()) {
            return query(connection, sql, List.of(owner, timestamp(now)), false);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public boolean claim(RunId id, String owner, Instant now, Instant until) {
        return execute("UPDATE runs SET owner = ?, lease_until = ? WHERE run_id = ? AND state IN (" + ACTIVE + ") "
                + "AND (owner IS NULL OR owner = ? OR lease_until < ?)", owner, timestamp(until), id.value(), owner,
                timestamp(now)) == 1;
    }

    @Override
    public void renew(String owner, Instant until) {
        execute("UPDATE runs SET lease_until = ? WHERE owner = ?", timestamp(until), owner);
    }

    @Override
    public List<Run> approvalsPastDeadline(Instant now, int max) {
        try (Connection connection = dataSource.getConnection()) {
            return query(connection, "SELECT " + COLUMNS + " FROM runs WHERE state = 'AWAITING_APPROVAL' AND approval_deadline < ? "
                    + "ORDER BY seq FETCH FIRST " + max + " ROWS ONLY", List.of(timestamp(now)), false);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public int activeRuns(SpiffeId requester) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM runs WHERE requester = ? "
                        + "AND state IN ('SUBMITTED', 'AWAITING_APPROVAL', " + ACTIVE + ")")) {
            select.setString(1, requester.value());
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Map<RunState, Long> countByState(Set<RunState> states) {
        Map<RunState, Long> counts = new java.util.EnumMap<>(RunState.class);
        states.forEach(state -> counts.put(state, 0L));
        if (states.isEmpty()) {
            return counts;
        }
        // the state names are the enum's own, never input: safe to inline; the queue index covers the scan
        String in = states.stream().map(state -> "'" + state.name() + "'").sorted().collect(Collectors.joining(", "));
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT state, COUNT(*) FROM runs WHERE state IN (" + in + ") GROUP BY state");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                counts.put(RunState.valueOf(rows.getString(1)), rows.getLong(2));
            }
            return counts;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private int execute(String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static List<Run> query(Connection connection, String sql, List<Object> parameters) throws SQLException {
        return query(connection, sql, parameters, true);
    }

    /**
     * Runs {@code sql}; with {@code details} each run also gets its approvals and queue position
     * (two more queries per run), which the driver's frequent scans do without.
     */
    private static List<Run> query(Connection connection, String sql, List<Object> parameters, boolean details)
            throws SQLException {
        List<Run.Builder> builders = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                select.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    builders.add(read(rows));
                }
            }
        }
        List<Run> runs = new ArrayList<>();
        for (Run.Builder builder : builders) {
            if (!details) {
                runs.add(builder.build());
                continue;
            }
            Run partial = builder.build();
            builder.approvals(approvals(connection, partial.id()));
            if (partial.state() == RunState.QUEUED) {
                builder.queuePosition(ahead(connection, partial));
            }
            runs.add(builder.build());
        }
        return runs;
    }

    private static Run.Builder read(ResultSet row) throws SQLException {
        Optional<RunId> planRun = Optional.ofNullable(row.getString(11)).map(RunId::new);
        RunSpec spec = new RunSpec(new CatalogName(row.getString(5)), new CommitSha(row.getString(6)),
                new GitRef(row.getString(7)), RepoFolder.parse(row.getString(8)), new CatalogName(row.getString(9)),
                new CatalogName(row.getString(10)), planRun);
        Run.Builder builder = Run.builder()
                .id(new RunId(row.getString(1)))
                .sequence(row.getLong(2))
                .requestKey(row.getString(3))
                .requester(new SpiffeId(row.getString(4)))
                .spec(spec)
                .state(RunState.valueOf(row.getString(12)))
                .stateReason(row.getString(13))
                .decision(DecisionCodec.decode(row.getString(14)))
                .traceId(row.getString(20))
                .breakGlassJustification(row.getString(21))
                .createdAt(row.getObject(22, OffsetDateTime.class).toInstant())
                .updatedAt(row.getObject(23, OffsetDateTime.class).toInstant())
                .nextOffset(row.getLong(24))
                .taskOffset(row.getLong(25))
                .cancelRequested(row.getBoolean(26))
                .traceSpanId(row.getString(27));
        OffsetDateTime deadline = row.getObject(15, OffsetDateTime.class);
        if (deadline != null) {
            builder.approvalDeadline(deadline.toInstant());
        }
        String uri = row.getString(16);
        if (uri != null) {
            builder.artifact(new PlanArtifact(uri, new Sha256Digest(row.getString(17)), row.getLong(18)));
        }
        int exit = row.getInt(19);
        if (!row.wasNull()) {
            builder.exitCode(exit);
        }
        return builder;
    }

    private static List<Approval> approvals(Connection connection, RunId id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT approver, approved_at, plan_digest, comment "
                + "FROM run_approvals WHERE run_id = ? ORDER BY approved_at, approver")) {
            select.setString(1, id.value());
            List<Approval> approvals = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    approvals.add(new Approval(new SpiffeId(rows.getString(1)), rows.getObject(2, OffsetDateTime.class).toInstant(),
                            rows.getString(3), rows.getString(4)));
                }
            }
            return approvals;
        }
    }

    private static int ahead(Connection connection, Run run) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT COUNT(*) FROM runs WHERE lock_key = ? AND state IN (" + ACTIVE + ") AND seq < ?")) {
            select.setString(1, run.spec().lockKey());
            select.setLong(2, run.sequence());
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static DomainException notFound(RunId id) {
        return new DomainException(DomainException.Kind.NOT_FOUND, "RUN_NOT_FOUND", "no run " + id, Map.of("run_id", id.value()));
    }

    private static DomainException unavailable(SQLException e) {
        // the SQL and driver text stay in our log; the caller learns only that storage is down
        log.atWarn().addKeyValue("sql_state", String.valueOf(e.getSQLState())).setCause(e).log("run.store_unavailable");
        return new DomainException(DomainException.Kind.UNAVAILABLE, "STORE_UNAVAILABLE", "the run store is unavailable",
                Map.of());
    }
}
