package dev.popvault.ledger;

import dev.popvault.ledger.LedgerException.Kind;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Records a verified rewrite of an archive file (repair, M7) across the frame, message,
 * lost_message and archive_file tables, inside the caller's one transaction.
 */
final class Replacements {
  private final Sql sql;
  private final ArchiveFiles files;
  private final Frames frames;
  private final Messages messages;
  private final LostMessages lost;

  Replacements(Sql sql, ArchiveFiles files, Frames frames, Messages messages, LostMessages lost) {
    this.sql = sql;
    this.files = files;
    this.frames = frames;
    this.messages = messages;
    this.lost = lost;
  }

  /** See {@link Ledger#replaceFile}. */
  void replace(FileReplacement r, Instant lostAt) throws SQLException, LedgerException {
    ArchiveFiles.Unchecked file = files.byId(r.fileId());
    if (file == null) {
      throw new IllegalArgumentException("no archive file with id " + r.fileId());
    }
    long accountId = file.accountId();
    Set<Long> keptIds = new HashSet<>();
    for (FileReplacement.KeptFrame k : r.kept()) {
      keptIds.add(k.frameId());
    }
    List<Long> dropped = new ArrayList<>();
    for (long id : frames.ids(r.fileId())) {
      if (!keptIds.remove(id)) {
        dropped.add(id);
      }
    }
    if (!keptIds.isEmpty()) {
      throw new IllegalArgumentException("kept frames that are not in the file: " + keptIds);
    }
    frames.park(r.fileId());
    for (FileReplacement.KeptFrame k : r.kept()) {
      frames.move(k.frameId(), k.newOffset(), r.verifiedAt());
    }
    for (FileReplacement.AddedFrame f : r.added()) {
      long frameId = frames.insert(r.fileId(), f.offset(), f.length(), r.runId(), r.verifiedAt());
      for (FileReplacement.RepairedMessage m : f.messages()) {
        if (!messages.repair(accountId, frameId, m.oldSha256(), m.fresh())) {
          throw sql.error(
              Kind.CONFLICT, ": repaired message UIDL " + m.fresh().uidl() + " is not recorded");
        }
      }
    }
    String damagedCopy = r.aside() != null ? r.aside() : file.path();
    for (FileReplacement.MessageKey k : r.lost()) {
      if (!lost.record(accountId, k, lostAt, damagedCopy)) {
        throw sql.error(Kind.CONFLICT, ": lost message UIDL " + k.uidl() + " is not recorded");
      }
      messages.delete(accountId, k);
    }
    for (long id : dropped) {
      try {
        frames.delete(id);
      } catch (SQLException e) {
        if (SqliteErrors.isConstraint(e)) {
          // A message would be left pointing at a frame that no longer exists.
          throw sql.error(
              Kind.CONFLICT,
              ": a dropped frame of "
                  + file.path()
                  + " still holds a message that was neither repaired nor recorded lost",
              e);
        }
        throw e;
      }
    }
    files.replace(r.fileId(), r.newLength(), r.replacement(), r.aside());
  }
}
