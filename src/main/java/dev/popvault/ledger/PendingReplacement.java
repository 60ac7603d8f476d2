package dev.popvault.ledger;

/**
 * A rewrite of an archive file that the ledger already describes but whose renames may not have
 * happened: {@code replacement} must be renamed over {@code path}, the original first moved to
 * {@code aside} (null: there was no original). Paths are relative to the archive directory.
 */
public record PendingReplacement(long fileId, String path, String replacement, String aside) {
  /** Checks the paths. */
  public PendingReplacement {
    ArchiveFileRow.checkRelativePath(path);
    ArchiveFileRow.checkRelativePath(replacement);
    if (aside != null) {
      ArchiveFileRow.checkRelativePath(aside);
    }
  }
}
