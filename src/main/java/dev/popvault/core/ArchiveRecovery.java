package dev.popvault.core;

import dev.popvault.archive.ArchiveFile;
import dev.popvault.archive.ArchiveRoot;
import dev.popvault.archive.Codec;
import dev.popvault.ledger.ArchiveFileRow;
import dev.popvault.ledger.Ledger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What every run that reads or writes an account's archive does first, under the account's lock: it
 * brings the files back to what the ledger committed (M3), and refuses to go on when committed mail
 * is gone from disk.
 */
final class ArchiveRecovery {
  private ArchiveRecovery() {}

  /**
   * Finishes a repair that was recorded but not renamed into place, then cuts the bytes past each
   * file's committed length (M3).
   *
   * @param deleting the run may delete: a missing file with committed mail is then refused (M5: a
   *     moved archive does not make its messages new again, but deleting them could lose the only
   *     copy)
   * @param repairOnly the run rewrites damaged files: short files are left for it
   * @param note receives each note for the user
   * @throws PopvaultException (data error) when committed mail is gone from disk
   */
  static void recover(
      Path archiveDir,
      ArchiveRoot root,
      Ledger ledger,
      long accountId,
      boolean deleting,
      boolean repairOnly,
      Consumer<String> note)
      throws IOException {
    // First: a repair that was recorded but not renamed into place (the ledger describes it).
    ArchiveRepair.finishPending(root, ledger, accountId, note);
    for (ArchiveFileRow row : ledger.archiveFiles(accountId)) {
      Path path = archiveDir.resolve(row.relativePath());
      if (!Files.isRegularFile(path)) {
        // M5: a moved archive does not make its messages new again; but deleting them from the
        // server could lose the only copy.
        if (deleting && row.committedLength() > 0) {
          throw new PopvaultException(
              ExitCode.DATA_ERROR,
              "archive file "
                  + path
                  + " is missing (the ledger records "
                  + row.committedLength()
                  + " bytes); refusing to delete; run popvault verify --repair");
        }
        continue;
      }
      long size = Files.size(path);
      if (size < row.committedLength() && repairOnly) {
        continue; // The repair rewrites the file from what is left of it.
      }
      if (size < row.committedLength()) {
        // Committed mail is gone from disk: never delete from the server, never append after a
        // hole.
        throw new PopvaultException(
            ExitCode.DATA_ERROR,
            "archive file "
                + path
                + " is "
                + (row.committedLength() - size)
                + " bytes shorter than the ledger's committed length "
                + row.committedLength()
                + "; nothing was deleted; run popvault verify --repair");
      }
      if (size == row.committedLength()) {
        continue;
      }
      try (ArchiveFile file =
          ArchiveFile.openForAppend(
              root, Path.of(row.relativePath()), Codec.parse(row.codec()), row.committedLength())) {
        note.accept(
            "cut "
                + file.truncatedBytes()
                + " bytes of an interrupted run from "
                + path
                + " (they were never committed)");
      }
    }
  }
}
