package dev.popvault.ledger;

import java.util.Objects;

/**
 * Describes one archive file as the ledger records it. {@code committedLength} is the number of
 * leading bytes of the file that hold committed frames; bytes past it are an untrusted torn tail.
 *
 * <p>{@code relativePath} is relative to the archive directory and uses {@code /} as separator. It
 * is validated here because recovery truncates the file it names: a damaged or hostile ledger must
 * not be able to point outside the archive directory.
 */
public record ArchiveFileRow(
    long id, long accountId, String relativePath, String codec, long committedLength) {
  /**
   * Rejects paths that are absolute or climb out of the archive directory, and negative lengths.
   */
  public ArchiveFileRow {
    checkRelativePath(relativePath);
    Objects.requireNonNull(codec, "codec");
    if (codec.isEmpty()) {
      throw new IllegalArgumentException("empty codec name");
    }
    if (committedLength < 0) {
      throw new IllegalArgumentException("negative committed length " + committedLength);
    }
  }

  /** Throws unless {@code path} is a non-empty relative path of plain segments separated by '/'. */
  static void checkRelativePath(String path) {
    Objects.requireNonNull(path, "relativePath");
    if (path.isEmpty()
        || path.startsWith("/")
        || path.indexOf('\\') >= 0
        || path.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("not a relative archive path");
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("not a plain relative archive path");
      }
    }
  }
}
