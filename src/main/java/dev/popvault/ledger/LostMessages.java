package dev.popvault.ledger;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The {@code lost_message} table (migration 2): messages whose only copy was damaged while the
 * server no longer had them, kept so that they are never silently forgotten.
 */
final class LostMessages {
  private final Sql sql;

  LostMessages(Sql sql) {
    this.sql = sql;
  }

  /**
   * Copies the message row {@code k} of the account to the lost list; returns false if there is no
   * such row. The caller deletes the row in the same transaction.
   */
  boolean record(long accountId, FileReplacement.MessageKey k, Instant lostAt, String damagedCopy)
      throws SQLException {
    return sql.update(
            "INSERT INTO lost_message(account_id, uidl, size, wire_length, sha256,"
                + " message_id, date, from_addr, subject, archived_at, deleted_at,"
                + " lost_at, damaged_copy)"
                + " SELECT account_id, uidl, size, wire_length, sha256, message_id, date,"
                + " from_addr, subject, archived_at, deleted_at, ?, ? FROM message"
                + " WHERE account_id = ? AND uidl = ? AND size = ? AND sha256 = ?",
            lostAt,
            damagedCopy,
            accountId,
            k.uidl(),
            k.listSize(),
            k.sha256())
        == 1;
  }

  /** The account's lost messages, oldest loss first. */
  List<LostMessage> ofAccount(long accountId) throws SQLException, LedgerException {
    return sql.all(
        "SELECT uidl, message_id, date, from_addr, subject, archived_at, lost_at,"
            + " damaged_copy FROM lost_message WHERE account_id = ? ORDER BY lost_at, id",
        r ->
            new LostMessage(
                r.getString(1),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                r.getString(5),
                Instant.ofEpochMilli(r.getLong(6)),
                Instant.ofEpochMilli(r.getLong(7)),
                r.getString(8)),
        accountId);
  }
}
