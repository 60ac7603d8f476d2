package dev.popvault.ledger;

import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/** Uploads to IMAP destinations (migration 8): which message went where, and in what state. */
final class Uploads {
  private final Sql sql;

  Uploads(Sql sql) {
    this.sql = sql;
  }

  /** Message row id → state ('appending' or 'done') of every upload to {@code destination}. */
  Map<Long, String> states(String destination) throws SQLException, LedgerException {
    Map<Long, String> states = new HashMap<>();
    sql.each(
        "SELECT message_id, state FROM upload WHERE destination = ?",
        r -> states.put(r.getLong(1), r.getString(2)),
        destination);
    return states;
  }

  /** Hex SHA-256 of every message uploaded to {@code destination} (whatever its account). */
  Set<String> doneDigests(String destination) throws SQLException, LedgerException {
    Set<String> digests = new HashSet<>();
    HexFormat hex = HexFormat.of();
    sql.each(
        "SELECT m.sha256 FROM upload u JOIN message m ON m.id = u.message_id"
            + " WHERE u.destination = ? AND u.state = 'done'",
        r -> digests.add(hex.formatHex(r.getBytes(1))),
        destination);
    return digests;
  }

  void begin(long messageRowId, String destination, Instant at) throws SQLException {
    sql.update(
        "INSERT INTO upload(message_id, destination, state, started_at) VALUES (?, ?, 'appending', ?)"
            + " ON CONFLICT (message_id, destination) DO UPDATE SET state = 'appending',"
            + " started_at = excluded.started_at WHERE state = 'appending'",
        messageRowId,
        destination,
        at);
  }

  void finish(long messageRowId, String destination, Long uidValidity, Long uid, Instant at)
      throws SQLException {
    sql.update(
        "INSERT INTO upload(message_id, destination, state, uid_validity, uid, started_at, done_at)"
            + " VALUES (?, ?, 'done', ?, ?, ?, ?)"
            + " ON CONFLICT (message_id, destination) DO UPDATE SET state = 'done',"
            + " uid_validity = excluded.uid_validity, uid = excluded.uid, done_at = excluded.done_at",
        messageRowId,
        destination,
        uidValidity,
        uid,
        at,
        at);
  }
}
