package dev.popvault.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The search catalog (migration 7): header text of every archived message in the FTS5 index {@code
 * catalog}, kept in step with the message table by triggers, and the back-fill of To and Cc for
 * rows recorded before they were kept.
 */
final class Catalog {
  private static final String SELECT =
      "SELECT m.id, a.name, m.uidl, m.size, m.message_id, af.path, af.codec, f.file_offset,"
          + " f.byte_length, m.frame_offset, m.encoded_length, m.wire_length, m.sha256,"
          + " m.raw_from_line, m.no_final_newline, m.date, m.date_ms, m.from_addr, m.to_addr,"
          + " m.cc_addr, m.subject, m.archived_at, m.cataloged"
          + " FROM message m JOIN frame f ON f.id = m.frame_id"
          + " JOIN archive_file af ON af.id = f.file_id"
          + " JOIN account a ON a.id = m.account_id";

  private final Sql sql;

  Catalog(Sql sql) {
    this.sql = sql;
  }

  /** Messages matching {@code filter}, oldest Date first (undated last), at most {@code limit}. */
  List<CatalogEntry> search(CatalogFilter filter, int limit) throws SQLException, LedgerException {
    List<CatalogEntry> found = new ArrayList<>();
    sql.each(
        SELECT
            + " WHERE (? IS NULL OR m.id IN (SELECT rowid FROM catalog WHERE catalog MATCH ?))"
            + " AND (? IS NULL OR m.date_ms >= ?) AND (? IS NULL OR m.date_ms < ?)"
            + " AND (? IS NULL OR a.name = ?) AND (? IS NULL OR m.uidl = ?)"
            + " AND (? IS NULL OR m.message_id = ?)"
            + " ORDER BY m.date_ms IS NULL, m.date_ms, m.archived_at, m.id LIMIT ?",
        r -> found.add(entry(r)),
        filter.match(),
        filter.match(),
        filter.fromMillis(),
        filter.fromMillis(),
        filter.untilMillis(),
        filter.untilMillis(),
        filter.account(),
        filter.account(),
        filter.uidl(),
        filter.uidl(),
        filter.messageId(),
        filter.messageId(),
        limit);
    return found;
  }

  /** Up to {@code limit} messages whose To and Cc were never read, in archive order. */
  List<CatalogEntry> uncataloged(int limit) throws SQLException, LedgerException {
    List<CatalogEntry> found = new ArrayList<>();
    sql.each(
        SELECT + " WHERE m.cataloged = 0 ORDER BY af.id, f.file_offset, m.frame_offset LIMIT ?",
        r -> found.add(entry(r)),
        limit);
    return found;
  }

  long uncatalogedCount() throws SQLException, LedgerException {
    return sql.number("SELECT count(*) FROM message WHERE cataloged = 0");
  }

  void recordAddresses(long messageRowId, String to, String cc) throws SQLException {
    sql.update(
        "UPDATE message SET to_addr = ?, cc_addr = ?, cataloged = 1 WHERE id = ?",
        to,
        cc,
        messageRowId);
  }

  private static CatalogEntry entry(ResultSet r) throws SQLException {
    StoredMessage stored =
        new StoredMessage(
            r.getString(2),
            r.getString(3),
            r.getLong(4),
            r.getString(5),
            r.getString(6),
            r.getString(7),
            r.getLong(8),
            r.getLong(9),
            r.getLong(10),
            r.getLong(11),
            r.getLong(12),
            r.getBytes(13),
            r.getLong(14),
            r.getInt(15) == 1);
    return new CatalogEntry(
        r.getLong(1),
        stored,
        r.getString(16),
        r.getObject(17) == null ? null : r.getLong(17),
        r.getString(18),
        r.getString(19),
        r.getString(20),
        r.getString(21),
        Instant.ofEpochMilli(r.getLong(22)),
        r.getInt(23) == 1);
  }
}
