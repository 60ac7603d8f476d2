package dev.popvault.ledger;

import dev.popvault.ledger.LedgerException.Kind;
import java.sql.SQLException;
import java.util.List;

/**
 * Commits a verified frame (M1): its frame row, its messages and the file's new committed length,
 * inside the caller's one transaction, so the ledger and the archive's committed prefix agree after
 * any crash.
 */
final class Commits {
  private final Sql sql;
  private final ArchiveFiles files;
  private final Runs runs;
  private final Frames frames;
  private final Messages messages;

  Commits(Sql sql, ArchiveFiles files, Runs runs, Frames frames, Messages messages) {
    this.sql = sql;
    this.files = files;
    this.runs = runs;
    this.frames = frames;
    this.messages = messages;
  }

  /** See {@link Ledger#commitFrame}; {@code batch} is non-empty and in frame order. */
  void commit(long fileId, long runId, long frameOffset, long frameLength, List<MessageRow> batch)
      throws SQLException, LedgerException {
    ArchiveFiles.Unchecked file = files.byId(fileId);
    if (file == null) {
      throw new IllegalArgumentException("no archive file with id " + fileId);
    }
    if (file.committedLength() != frameOffset) {
      throw sql.error(
          Kind.CONFLICT,
          ": archive file "
              + file.path()
              + " has committed length "
              + file.committedLength()
              + ", but the new frame starts at "
              + frameOffset);
    }
    Long runAccount = runs.accountOf(runId);
    if (runAccount == null) {
      throw new IllegalArgumentException("no run with id " + runId);
    }
    if (runAccount != file.accountId()) {
      throw new IllegalArgumentException(
          "run " + runId + " and archive file " + fileId + " belong to different accounts");
    }
    try {
      // A frame is committed only after it read back intact (M1): its archive time is when.
      long frameId =
          frames.insert(
              fileId, frameOffset, frameLength, runId, batch.get(batch.size() - 1).archivedAt());
      messages.insert(file.accountId(), frameId, batch);
      files.extend(fileId, frameOffset, frameOffset + frameLength);
    } catch (SQLException e) {
      if (SqliteErrors.isConstraint(e)) {
        throw sql.error(
            Kind.CONFLICT,
            ": a message of this frame or the frame itself is already recorded (archive file "
                + file.path()
                + ", offset "
                + frameOffset
                + ")",
            e);
      }
      throw e;
    }
  }
}
