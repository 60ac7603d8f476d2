package dev.popvault.ledger;

import dev.popvault.ledger.LedgerException.Kind;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * The {@code run} table: one row per run of an account. Outcome, end and counts stay NULL while a
 * run is in progress, and for good if its process was killed.
 */
final class Runs {
  private final Sql sql;

  Runs(Sql sql) {
    this.sql = sql;
  }

  long begin(long accountId, Instant started, RunKind kind) throws SQLException, LedgerException {
    return begin(accountId, started, kind, null);
  }

  long begin(long accountId, Instant started, RunKind kind, String source)
      throws SQLException, LedgerException {
    try {
      return sql.number(
          "INSERT INTO run(account_id, started, kind, source) VALUES (?, ?, ?, ?) RETURNING id",
          accountId,
          started,
          kind.word(),
          source);
    } catch (SQLException e) {
      if (SqliteErrors.isConstraint(e)) {
        throw new IllegalArgumentException("no account with id " + accountId, e);
      }
      throw e;
    }
  }

  void end(long runId, RunOutcome outcome) throws SQLException, LedgerException {
    if (sql.update(
            "UPDATE run SET ended = ?, outcome = ?, exit_code = ?, new_count = ?,"
                + " skipped_count = ?, deleted_count = ?, bytes = ?, error = ?"
                + " WHERE id = ? AND ended IS NULL",
            outcome.ended(),
            outcome.outcome(),
            outcome.exitCode(),
            outcome.newCount(),
            outcome.skippedCount(),
            outcome.deletedCount(),
            outcome.bytes(),
            outcome.error(),
            runId)
        == 1) {
      return;
    }
    if (accountOf(runId) == null) {
      throw new IllegalArgumentException("no run with id " + runId);
    }
    throw sql.error(Kind.CONFLICT, ": run " + runId + " has already ended");
  }

  /** The account's most recent runs, newest first. */
  List<RunRow> recent(long accountId, int limit) throws SQLException, LedgerException {
    return List.copyOf(
        sql.all(
            "SELECT id, started, ended, outcome, exit_code, new_count, skipped_count,"
                + " deleted_count, bytes, error, kind FROM run WHERE account_id = ?"
                + " ORDER BY started DESC, id DESC LIMIT ?",
            r -> row(accountId, r),
            accountId,
            limit));
  }

  private RunRow row(long accountId, ResultSet r) throws SQLException, LedgerException {
    try {
      RunOutcome outcome = null;
      if (r.getString(4) != null) {
        outcome =
            new RunOutcome(
                Instant.ofEpochMilli(r.getLong(3)),
                r.getString(4),
                r.getInt(5),
                r.getInt(6),
                r.getInt(7),
                r.getInt(8),
                r.getLong(9),
                r.getString(10));
      }
      return new RunRow(
          r.getLong(1),
          accountId,
          Instant.ofEpochMilli(r.getLong(2)),
          RunKind.ofWord(r.getString(11)),
          outcome);
    } catch (IllegalArgumentException e) {
      throw sql.error(Kind.CORRUPT, " records an invalid run", e);
    }
  }

  /** Returns the account of the run, or null if there is no such run. */
  Long accountOf(long runId) throws SQLException, LedgerException {
    return sql.first("SELECT account_id FROM run WHERE id = ?", r -> r.getLong(1), runId);
  }

  /** Records messages deleted from the server that the ledger holds no archived copy of. */
  void recordUnarchivedDeletions(
      long accountId, long runId, Collection<ArchivedKey> keys, Instant when)
      throws SQLException, LedgerException {
    for (ArchivedKey key : keys) {
      sql.update(
          "INSERT INTO unarchived_deletion(account_id, run_id, uidl, size, deleted_at)"
              + " VALUES (?, ?, ?, ?, ?)",
          accountId,
          runId,
          key.uidl(),
          key.listSize(),
          when);
    }
  }
}
