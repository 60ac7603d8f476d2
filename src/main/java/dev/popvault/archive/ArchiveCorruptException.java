package dev.popvault.archive;

import java.io.IOException;

/**
 * Signals that an archive file does not hold what the caller recorded: it is shorter than its
 * committed length, a frame does not decode, or a message does not match its recorded length or
 * SHA-256.
 */
public class ArchiveCorruptException extends IOException {
  /** Creates the exception with a one-line message that names the file and position. */
  public ArchiveCorruptException(String message) {
    super(message);
  }

  /** Creates the exception with a one-line message and the failure that revealed the corruption. */
  public ArchiveCorruptException(String message, Throwable cause) {
    super(message, cause);
  }
}
