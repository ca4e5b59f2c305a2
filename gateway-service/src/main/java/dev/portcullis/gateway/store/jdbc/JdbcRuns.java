package dev.portcullis.gateway.store.jdbc;

import static dev.portcullis.runtime.database.Transactions.timestamp;
import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.run.Approval;
import dev.portcullis.gateway.run.PlanArtifact;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunChange;
import dev.portcullis.gateway.run.RunSpec;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.gateway.run.RunStore.RunQuery;
import dev.portcullis.gateway.run.TokenUse;
import dev.portcullis.runtime.database.Transactions;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.json.CanonicalJson;
import dev.portcullis.runtime.request.RunId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The rows of {@code runs} and {@code run_approvals}: writes join the caller's transaction. Thread-safe. */
final class JdbcRuns {
    private final Transactions transactions;

    JdbcRuns(Transactions transactions) {
        this.transactions = requireNonNull(transactions, "transactions is null");
    }

    /** Inserts a new run; its sequence is assigned by the database. A request key used twice is a unique violation. */
    void insert(Connection connection, Run run) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO runs (run_id, request_key, requester, "
                + "repo, commit_sha, git_ref, folder, environment, command, plan_run_id, lock_key, state, state_reason, "
                + "decision, approval_deadline, trace_id, break_glass, created_at, updated_at, next_offset, task_offset, "
                + "cancel_requested, trace_span_id, token_claims, drift, authentication, token_issuer, token_jti) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0, FALSE, ?, ?, ?, ?, ?, ?)")) {
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
            insert.setObject(15, run.approvalDeadline().map(Transactions::timestamp).orElse(null), Types.TIMESTAMP_WITH_TIMEZONE);
            insert.setString(16, run.traceId());
            insert.setString(17, run.breakGlassJustification());
            insert.setObject(18, timestamp(run.createdAt()));
            insert.setObject(19, timestamp(run.updatedAt()));
            insert.setString(20, run.traceSpanId());
            // NULL for a certificate caller; the claims never change after submission, so write() leaves them
            insert.setString(21, run.claims().isEmpty() ? null : CanonicalJson.object(run.claims().values()));
            insert.setBoolean(22, run.drift());
            insert.setString(23, run.authentication());
            insert.setString(24, run.tokenUse().map(TokenUse::issuer).orElse(null));
            insert.setString(25, run.tokenUse().map(TokenUse::jti).orElse(null));
            insert.executeUpdate();
        }
    }

    /**
     * Writes what {@code change} changes of {@code run}: its state (already checked and its event
     * appended), reason, decision, artifact and its plan summary, exit code, next event offset, task offset and
     * cancellation request.
     */
    void write(Connection connection, Run run, RunChange change, RunState state, long nextOffset, Instant now)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE runs SET state = ?, state_reason = ?, decision = ?, "
                + "artifact_uri = ?, artifact_sha256 = ?, artifact_size = ?, exit_code = ?, updated_at = ?, next_offset = ?, "
                + "task_offset = ?, cancel_requested = ?, plan_summary = ? WHERE run_id = ?")) {
            update.setString(1, state.name());
            update.setString(2, change.state().isPresent() ? change.reason() : run.stateReason());
            update.setString(3, DecisionCodec.encode(change.decision().orElse(run.decision())));
            Optional<PlanArtifact> artifact = change.artifact().or(run::artifact);
            update.setString(4, artifact.map(PlanArtifact::uri).orElse(null));
            update.setString(5, artifact.map(a -> a.sha256().value()).orElse(null));
            update.setObject(6, artifact.map(PlanArtifact::sizeBytes).orElse(null), Types.BIGINT);
            update.setObject(7, change.exitCode().or(run::exitCode).orElse(null), Types.INTEGER);
            update.setObject(8, timestamp(change.state().isPresent() ? now : run.updatedAt()));
            update.setLong(9, nextOffset);
            update.setLong(10, change.taskOffset() >= 0 ? change.taskOffset() : run.taskOffset());
            update.setBoolean(11, run.cancelRequested() || change.isCancelRequested());
            update.setString(12, change.planSummary().or(run::planSummary).map(PlanSummaryCodec::encode).orElse(null));
            update.setString(13, run.id().value());
            update.executeUpdate();
        }
    }

    void addApproval(Connection connection, RunId id, Approval approval) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO run_approvals (run_id, approver, "
                + "approved_at, plan_digest, comment) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, id.value());
            insert.setString(2, approval.approver().value());
            insert.setObject(3, timestamp(approval.approvedAt()));
            insert.setString(4, approval.planDigest());
            insert.setString(5, approval.comment());
            insert.executeUpdate();
        }
    }

    Optional<Run> find(RunId id) {
        return queryOne("SELECT " + RunRows.COLUMNS + " FROM runs WHERE run_id = ?", id.value());
    }

    Optional<Run> findByRequestKey(SpiffeId requester, String requestKey) {
        return queryOne("SELECT " + RunRows.COLUMNS + " FROM runs WHERE requester = ? AND request_key = ?", requester.value(),
                requestKey);
    }

    private Optional<Run> queryOne(String sql, String... parameters) {
        return transactions.autoCommit(connection -> RunRows.query(connection, sql, List.of((Object[]) parameters)).stream()
                .findFirst());
    }

    /** Runs matching {@code query}, newest first. */
    List<Run> list(RunQuery query) {
        StringBuilder sql = new StringBuilder("SELECT " + RunRows.COLUMNS + " FROM runs WHERE seq < ?");
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
        if (query.drift() != RunQuery.Drift.ANY) {
            sql.append(" AND drift = ?");
            parameters.add(query.drift() == RunQuery.Drift.ONLY);
        }
        if (!query.states().isEmpty()) {
            sql.append(" AND state IN (").append(query.states().stream().map(s -> "?").collect(Collectors.joining(", ")))
                    .append(")");
            query.states().stream().map(Enum::name).sorted().forEach(parameters::add);
        }
        sql.append(" ORDER BY seq DESC FETCH FIRST ").append(query.limit()).append(" ROWS ONLY");
        return transactions.autoCommit(connection -> RunRows.query(connection, sql.toString(), parameters));
    }

    /** AWAITING_APPROVAL runs whose approval deadline passed, without approvals or queue position. */
    List<Run> approvalsPastDeadline(Instant now, int max) {
        return transactions.autoCommit(connection -> RunRows.query(connection, "SELECT " + RunRows.COLUMNS + " FROM runs "
                + "WHERE state IN (" + RunRows.inList(Set.of(RunState.AWAITING_APPROVAL)) + ") AND approval_deadline < ? "
                + "ORDER BY seq FETCH FIRST " + max + " ROWS ONLY", List.of(timestamp(now)), false));
    }

    /** How many unfinished runs {@code requester} has. */
    int activeRuns(SpiffeId requester) {
        return transactions.autoCommit(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM runs WHERE requester = ? "
                    + "AND state IN (" + RunRows.inList(RunState.where(state -> !state.isFinal())) + ")")) {
                select.setString(1, requester.value());
                try (ResultSet rows = select.executeQuery()) {
                    rows.next();
                    return rows.getInt(1);
                }
            }
        });
    }

    /** How many runs are in each of {@code states}, in one query; a state without runs counts 0. */
    Map<RunState, Long> countByState(Set<RunState> states) {
        Map<RunState, Long> counts = new EnumMap<>(RunState.class);
        states.forEach(state -> counts.put(state, 0L));
        if (states.isEmpty()) {
            return counts;
        }
        return transactions.autoCommit(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT state, COUNT(*) FROM runs WHERE state IN (" + RunRows.inList(states) + ") GROUP BY state");
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    counts.put(RunState.valueOf(rows.getString(1)), rows.getLong(2));
                }
                return counts;
            }
        });
    }
}
