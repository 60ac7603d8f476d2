package dev.popvault.archive;

import java.io.IOException;

/**
 * Signals that popvault refused to write somewhere because the place is not safely its own: a
 * symbolic link that leads out of the archive directory (M9), or a file or directory with a loose
 * mode that belongs to another user. The message is one line, names the path and says what to do.
 */
public final class UnsafePathException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a one-line message naming the path and the remedy. */
  public UnsafePathException(String message) {
    super(message);
  }
}
