package dev.popvault.ledger;

import dev.popvault.ledger.LedgerException.Kind;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code frame} table: the committed byte ranges of each archive file, each holding messages,
 * with the time it last read back intact (verified_at, migration 2).
 */
final class Frames {
  private final Sql sql;
  private final Messages messages;

  Frames(Sql sql, Messages messages) {
    this.sql = sql;
    this.messages = messages;
  }

  long insert(long fileId, long offset, long length, long runId, Instant verifiedAt)
      throws SQLException, LedgerException {
    return sql.number(
        "INSERT INTO frame(file_id, file_offset, byte_length, run_id, verified_at)"
            + " VALUES (?, ?, ?, ?, ?) RETURNING id",
        fileId,
        offset,
        length,
        runId,
        verifiedAt);
  }

  /** The file's frames in offset order, each with its messages in frame order: one query. */
  List<FrameRow> withMessages(long fileId) throws SQLException, LedgerException {
    List<Joined> rows =
        sql.all(
            "SELECT f.id, f.file_offset, f.byte_length, "
                + Messages.COLUMNS
                + " FROM frame f LEFT JOIN message m ON m.frame_id = f.id"
                + " WHERE f.file_id = ? ORDER BY f.file_offset, m.frame_offset, m.id",
            r ->
                new Joined(
                    r.getLong(1),
                    r.getLong(2),
                    r.getLong(3),
                    r.getString(4) == null ? null : messages.row(r, 4)),
            fileId);
    List<FrameRow> frames = new ArrayList<>();
    int i = 0;
    while (i < rows.size()) {
      Joined first = rows.get(i);
      List<MessageRow> held = new ArrayList<>();
      for (; i < rows.size() && rows.get(i).frameId() == first.frameId(); i++) {
        if (rows.get(i).message() != null) {
          held.add(rows.get(i).message());
        }
      }
      try {
        frames.add(new FrameRow(first.frameId(), first.offset(), first.length(), held));
      } catch (IllegalArgumentException e) {
        throw sql.error(Kind.CORRUPT, " records an invalid frame", e);
      }
    }
    return List.copyOf(frames);
  }

  /** One row of the frame-message join; {@code message} is null for a frame without messages. */
  private record Joined(long frameId, long offset, long length, MessageRow message) {}

  void markVerified(Collection<Long> frameIds, Instant when) throws SQLException {
    try (Sql.Statement p = sql.prepare("UPDATE frame SET verified_at = ? WHERE id = ?")) {
      for (long id : frameIds) {
        p.update(when, id);
      }
    }
  }

  Map<Long, Instant> verifiedAt(long fileId) throws SQLException, LedgerException {
    Map<Long, Instant> times = new HashMap<>();
    sql.each(
        "SELECT id, verified_at FROM frame WHERE file_id = ? AND verified_at IS NOT NULL",
        r -> times.put(r.getLong(1), Instant.ofEpochMilli(r.getLong(2))),
        fileId);
    return times;
  }

  List<Long> ids(long fileId) throws SQLException, LedgerException {
    return sql.all("SELECT id FROM frame WHERE file_id = ?", r -> r.getLong(1), fileId);
  }

  /**
   * Moves every frame of the file past any old or new offset (2^52), so that frames can then be
   * given their new offsets one by one without the unique (file, offset) key colliding.
   */
  void park(long fileId) throws SQLException {
    sql.update(
        "UPDATE frame SET file_offset = file_offset + ? WHERE file_id = ?", 1L << 52, fileId);
  }

  void move(long frameId, long newOffset, Instant verifiedAt) throws SQLException {
    sql.update(
        "UPDATE frame SET file_offset = ?, verified_at = ? WHERE id = ?",
        newOffset,
        verifiedAt,
        frameId);
  }

  /** Deletes the frame; fails with a constraint error while a message still points at it. */
  void delete(long frameId) throws SQLException {
    sql.update("DELETE FROM frame WHERE id = ?", frameId);
  }
}
