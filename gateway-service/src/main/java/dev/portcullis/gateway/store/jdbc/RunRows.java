package dev.portcullis.gateway.store.jdbc;

import dev.portcullis.gateway.run.Approval;
import dev.portcullis.gateway.run.PlanArtifact;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunSpec;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.gateway.run.TokenUse;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.identity.TokenClaims;
import dev.portcullis.runtime.json.CanonicalJson;
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
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reads rows of {@code runs} into {@link Run}s, with their approvals and queue position when asked. */
final class RunRows {
    /** The columns {@link #read} expects, in its order. */
    static final String COLUMNS = "run_id, seq, request_key, requester, repo, commit_sha, git_ref, folder, environment, "
            + "command, plan_run_id, state, state_reason, decision, approval_deadline, artifact_uri, artifact_sha256, "
            + "artifact_size, exit_code, trace_id, break_glass, created_at, updated_at, next_offset, task_offset, "
            + "cancel_requested, trace_span_id, plan_summary, token_claims, drift, authentication, token_issuer, token_jti";

    private RunRows() {}

    /**
     * The states as an SQL list ({@code 'QUEUED', 'RUNNING'}), sorted. The names are the enum's own,
     * never input: safe to inline, so the queue index covers the scan.
     */
    static String inList(Collection<RunState> states) {
        return states.stream().map(state -> "'" + state.name() + "'").sorted().collect(Collectors.joining(", "));
    }

    /** The run as this transaction sees it, with approvals and queue position. */
    static Run reread(Connection connection, RunId id) throws SQLException {
        List<Run> runs = query(connection, "SELECT " + COLUMNS + " FROM runs WHERE run_id = ?", List.of(id.value()));
        if (runs.isEmpty()) {
            throw new IllegalStateException("run " + id + " vanished inside its own transaction");
        }
        return runs.get(0);
    }

    /** The run, its row locked until the transaction ends, so changes to it serialise (also across replicas). */
    static Optional<Run> lock(Connection connection, RunId id) throws SQLException {
        return query(connection, "SELECT " + COLUMNS + " FROM runs WHERE run_id = ? FOR UPDATE", List.of(id.value()))
                .stream().findFirst();
    }

    static List<Run> query(Connection connection, String sql, List<Object> parameters) throws SQLException {
        return query(connection, sql, parameters, true);
    }

    /**
     * Runs {@code sql}; with {@code details} each run also gets its approvals and queue position
     * (two more queries per run), which the driver's frequent scans do without.
     */
    static List<Run> query(Connection connection, String sql, List<Object> parameters, boolean details)
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

    /** One row of {@link #COLUMNS}, read by column name, so a column added anywhere in the list reads right. */
    private static Run.Builder read(ResultSet row) throws SQLException {
        Optional<RunId> planRun = Optional.ofNullable(row.getString("plan_run_id")).map(RunId::new);
        RunSpec spec = new RunSpec(new CatalogName(row.getString("repo")), new CommitSha(row.getString("commit_sha")),
                new GitRef(row.getString("git_ref")), RepoFolder.parse(row.getString("folder")),
                new CatalogName(row.getString("environment")), new CatalogName(row.getString("command")), planRun);
        Run.Builder builder = Run.builder()
                .id(new RunId(row.getString("run_id")))
                .sequence(row.getLong("seq"))
                .requestKey(row.getString("request_key"))
                .requester(new SpiffeId(row.getString("requester")))
                .spec(spec)
                .state(RunState.valueOf(row.getString("state")))
                .stateReason(row.getString("state_reason"))
                .decision(DecisionCodec.decode(row.getString("decision")))
                .traceId(row.getString("trace_id"))
                .breakGlassJustification(row.getString("break_glass"))
                .createdAt(row.getObject("created_at", OffsetDateTime.class).toInstant())
                .updatedAt(row.getObject("updated_at", OffsetDateTime.class).toInstant())
                .nextOffset(row.getLong("next_offset"))
                .taskOffset(row.getLong("task_offset"))
                .cancelRequested(row.getBoolean("cancel_requested"))
                .traceSpanId(row.getString("trace_span_id"))
                .drift(row.getBoolean("drift"))
                .authentication(row.getString("authentication"));
        String tokenIssuer = row.getString("token_issuer");
        if (tokenIssuer != null) {
            builder.tokenUse(new TokenUse(tokenIssuer, row.getString("token_jti")));
        }
        OffsetDateTime deadline = row.getObject("approval_deadline", OffsetDateTime.class);
        if (deadline != null) {
            builder.approvalDeadline(deadline.toInstant());
        }
        String uri = row.getString("artifact_uri");
        if (uri != null) {
            builder.artifact(new PlanArtifact(uri, new Sha256Digest(row.getString("artifact_sha256")),
                    row.getLong("artifact_size")));
        }
        String summary = row.getString("plan_summary");
        if (summary != null) {
            builder.planSummary(PlanSummaryCodec.decode(summary));
        }
        String claims = row.getString("token_claims");
        if (claims != null) {
            builder.claims(new TokenClaims(CanonicalJson.parseObject(claims)));
        }
        int exit = row.getInt("exit_code");
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

    /** How many driven runs are ahead of {@code run} in the line for its lock. */
    private static int ahead(Connection connection, Run run) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM runs WHERE lock_key = ? AND state IN ("
                + inList(RunState.where(RunState::isDriven)) + ") AND seq < ?")) {
            select.setString(1, run.spec().lockKey());
            select.setLong(2, run.sequence());
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
