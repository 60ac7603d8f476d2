package dev.popvault.ledger;

import dev.popvault.ledger.LedgerException.Kind;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code message} table: one row per archived message, keyed by (account, UIDL, LIST size,
 * SHA-256), pointing into its frame. {@code date_ms} (migration 4) is always {@link MailDates}'s
 * reading of {@code date}; every write of {@code date} here writes both.
 */
final class Messages {
  /** The columns {@link #row} reads, in its order, for a query that names the table {@code m}. */
  static final String COLUMNS =
      "m.uidl, m.size, m.wire_length, m.sha256, m.frame_offset, m.encoded_length,"
          + " m.raw_from_line, m.no_final_newline, m.message_id, m.date, m.from_addr, m.subject,"
          + " m.to_addr, m.cc_addr, m.archived_at, m.deleted_at";

  private final Sql sql;
  private final MailDates dates = new MailDates();

  Messages(Sql sql) {
    this.sql = sql;
  }

  long count(long accountId) throws SQLException, LedgerException {
    return sql.number("SELECT count(*) FROM message WHERE account_id = ?", accountId);
  }

  Set<ArchivedKey> keys(long accountId) throws SQLException, LedgerException {
    Set<ArchivedKey> keys = new HashSet<>();
    sql.each(
        "SELECT DISTINCT uidl, size FROM message WHERE account_id = ?",
        r -> keys.add(new ArchivedKey(r.getString(1), r.getLong(2))),
        accountId);
    // Not copied: on a no-op run over a large mailbox every pass over the keys shows.
    return keys;
  }

  Map<ArchivedKey, Instant> firstArchived(long accountId) throws SQLException, LedgerException {
    Map<ArchivedKey, Instant> first = new HashMap<>();
    sql.each(
        "SELECT uidl, size, min(archived_at) FROM message WHERE account_id = ?"
            + " GROUP BY uidl, size",
        r ->
            first.put(
                new ArchivedKey(r.getString(1), r.getLong(2)), Instant.ofEpochMilli(r.getLong(3))),
        accountId);
    return Map.copyOf(first);
  }

  /** The Message-IDs under each key; "" stands for no Message-ID header. */
  Map<ArchivedKey, Set<String>> messageIds(long accountId) throws SQLException, LedgerException {
    Map<ArchivedKey, Set<String>> ids = new HashMap<>();
    sql.each(
        "SELECT uidl, size, coalesce(message_id, '') FROM message WHERE account_id = ?",
        r ->
            ids.computeIfAbsent(new ArchivedKey(r.getString(1), r.getLong(2)), k -> new HashSet<>())
                .add(r.getString(3)),
        accountId);
    return ids;
  }

  /**
   * Inserts a frame's messages. Plain INSERT: a duplicate key must abort the whole frame, never be
   * skipped silently.
   */
  void insert(long accountId, long frameId, List<MessageRow> batch) throws SQLException {
    try (Sql.Statement insert =
        sql.prepare(
            "INSERT INTO message(account_id, uidl, size, wire_length, sha256, frame_id,"
                + " frame_offset, encoded_length, raw_from_line, no_final_newline, message_id,"
                + " date, date_ms, from_addr, subject, to_addr, cc_addr, cataloged, archived_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)")) {
      for (MessageRow m : batch) {
        insert.update(
            accountId,
            m.uidl(),
            m.listSize(),
            m.wireLength(),
            m.sha256(),
            frameId,
            m.offsetInFrame(),
            m.encodedLength(),
            m.rawFromLine(),
            m.noFinalNewline(),
            m.messageId(),
            m.date(),
            dates.epochMillis(m.date()),
            m.from(),
            m.subject(),
            m.to(),
            m.cc(),
            m.archivedAt());
      }
    }
  }

  /** Maps the {@link #COLUMNS} starting at column {@code first}. */
  MessageRow row(ResultSet r, int first) throws SQLException, LedgerException {
    int c = first;
    try {
      return new MessageRow(
          r.getString(c),
          r.getLong(c + 1),
          r.getLong(c + 2),
          r.getBytes(c + 3),
          r.getLong(c + 4),
          r.getLong(c + 5),
          r.getLong(c + 6),
          r.getInt(c + 7) != 0,
          r.getString(c + 8),
          r.getString(c + 9),
          r.getString(c + 10),
          r.getString(c + 11),
          r.getString(c + 12),
          r.getString(c + 13),
          Instant.ofEpochMilli(r.getLong(c + 14)),
          r.getObject(c + 15) == null ? null : Instant.ofEpochMilli(r.getLong(c + 15)));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw sql.error(Kind.CORRUPT, " records an invalid message", e);
    }
  }

  /**
   * Marks every row under each key deleted at {@code when}, keeping an earlier time; returns how
   * many keys have no row for the account.
   */
  int markDeleted(long accountId, List<ArchivedKey> keys, Instant when)
      throws SQLException, LedgerException {
    int missing = 0;
    try (Sql.Statement exists =
            sql.prepare(
                "SELECT 1 FROM message WHERE account_id = ? AND uidl = ? AND size = ? LIMIT 1");
        Sql.Statement mark =
            sql.prepare(
                "UPDATE message SET deleted_at = ? WHERE account_id = ? AND uidl = ?"
                    + " AND size = ? AND deleted_at IS NULL")) {
      for (ArchivedKey k : keys) {
        if (exists.first(r -> true, accountId, k.uidl(), k.listSize()) == null) {
          missing++;
          continue;
        }
        mark.update(when, accountId, k.uidl(), k.listSize());
      }
    }
    return missing;
  }

  /** The frames holding any row under one of {@code keys}. */
  Set<Long> frameIdsHolding(long accountId, Collection<ArchivedKey> keys)
      throws SQLException, LedgerException {
    Set<Long> ids = new HashSet<>();
    try (Sql.Statement p =
        sql.prepare(
            "SELECT frame_id FROM message WHERE account_id = ? AND uidl = ? AND size = ?")) {
      for (ArchivedKey k : keys) {
        p.each(r -> ids.add(r.getLong(1)), accountId, k.uidl(), k.listSize());
      }
    }
    return ids;
  }

  /**
   * Points the row (account, fresh's UIDL and size, {@code oldSha256}) at its fresh copy in {@code
   * frameId}; null header fields of {@code fresh} keep the recorded ones. Returns false if there is
   * no such row.
   */
  boolean repair(long accountId, long frameId, byte[] oldSha256, MessageRow fresh)
      throws SQLException {
    return sql.update(
            "UPDATE message SET frame_id = ?, frame_offset = ?, encoded_length = ?,"
                + " raw_from_line = ?, no_final_newline = ?, wire_length = ?, sha256 = ?,"
                + " message_id = coalesce(?, message_id), date = coalesce(?, date),"
                + " date_ms = CASE WHEN ? IS NULL THEN date_ms ELSE ? END,"
                + " from_addr = coalesce(?, from_addr), subject = coalesce(?, subject),"
                + " to_addr = coalesce(?, to_addr), cc_addr = coalesce(?, cc_addr)"
                + " WHERE account_id = ? AND uidl = ? AND size = ? AND sha256 = ?",
            frameId,
            fresh.offsetInFrame(),
            fresh.encodedLength(),
            fresh.rawFromLine(),
            fresh.noFinalNewline(),
            fresh.wireLength(),
            fresh.sha256(),
            fresh.messageId(),
            fresh.date(),
            fresh.date(),
            dates.epochMillis(fresh.date()),
            fresh.from(),
            fresh.subject(),
            fresh.to(),
            fresh.cc(),
            accountId,
            fresh.uidl(),
            fresh.listSize(),
            oldSha256)
        == 1;
  }

  void delete(long accountId, FileReplacement.MessageKey k) throws SQLException {
    sql.update(
        "DELETE FROM message WHERE account_id = ? AND uidl = ? AND size = ? AND sha256 = ?",
        accountId,
        k.uidl(),
        k.listSize(),
        k.sha256());
  }
}
