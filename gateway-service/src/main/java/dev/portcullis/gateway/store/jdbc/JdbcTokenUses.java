package dev.portcullis.gateway.store.jdbc;

import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.run.TokenRunsExhaustedException;
import dev.portcullis.gateway.run.TokenUse;
import dev.portcullis.runtime.database.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The rows of {@code token_uses}: how many runs each OIDC identity token submitted, shared by
 * every replica. Thread-safe.
 *
 * <p>Why a row lock and not a count of {@code runs}: two replicas counting a token's runs at READ
 * COMMITTED would both see 3 of 4 and both insert. Instead a submission locks its token's row
 * ({@code SELECT … FOR UPDATE}) inside the transaction that inserts the run: a second submission
 * with the same token waits for the first to commit or roll back, then reads the count the first
 * left (PostgreSQL and H2 both return the latest committed row version to a locking read), so at
 * most the limit commits. The count rises in the same transaction as the run's insert: a run that
 * is not stored (a request key already taken, the database failing) is not counted.
 *
 * <p>The row must exist before it can be locked. It is created by its own auto-committed insert
 * whose unique violation (another submission created it first) is expected and ignored: portable
 * across H2 and PostgreSQL, where {@code ON CONFLICT} and {@code MERGE} differ, and outside the
 * run's transaction, which a failed statement would abort on PostgreSQL.
 */
final class JdbcTokenUses {
    private final Transactions transactions;

    JdbcTokenUses(Transactions transactions) {
        this.transactions = requireNonNull(transactions, "transactions is null");
    }

    /** Makes sure {@code token} has its row (with no runs); auto-committed, before the run's transaction. */
    void ensureRow(TokenUse token) {
        transactions.autoCommit(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO token_uses (token_issuer, token_jti, runs) VALUES (?, ?, 0)")) {
                insert.setString(1, token.issuer());
                insert.setString(2, token.jti());
                insert.executeUpdate();
            }
            return null;
        }, failure -> {
            if (Transactions.isUniqueViolation(failure)) {
                return null; // created by an earlier or concurrent submission with the same token
            }
            throw transactions.unavailable(failure);
        });
    }

    /**
     * Counts one more run for {@code token} in the caller's transaction, holding its row lock until
     * that transaction ends.
     *
     * @throws TokenRunsExhaustedException when the token already submitted {@code maxRuns} runs
     */
    void count(Connection connection, TokenUse token, int maxRuns) throws SQLException {
        int runs;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT runs FROM token_uses WHERE token_issuer = ? AND token_jti = ? FOR UPDATE")) {
            select.setString(1, token.issuer());
            select.setString(2, token.jti());
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalStateException("token_uses row missing after it was ensured");
                }
                runs = rows.getInt(1);
            }
        }
        if (runs >= maxRuns) {
            throw new TokenRunsExhaustedException(maxRuns);
        }
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE token_uses SET runs = runs + 1 WHERE token_issuer = ? AND token_jti = ?")) {
            update.setString(1, token.issuer());
            update.setString(2, token.jti());
            update.executeUpdate();
        }
    }
}
