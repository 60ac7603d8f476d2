package dev.popvault.ledger;

import java.io.IOException;

/**
 * Signals that the ledger could not do what was asked; the message is one line for users, names the
 * ledger file and never contains user data or secrets.
 */
public class LedgerException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Says what kind of failure this is, so callers can choose an exit code without parsing text. */
  public enum Kind {
    /** The file cannot be created, opened, read or written (permissions, disk full, I/O error). */
    IO,
    /** Another process held the write lock for longer than the busy timeout. */
    LOCKED,
    /** The ledger was written by a newer popvault whose schema this code does not know. */
    NEWER_SCHEMA,
    /** The file is not a SQLite database, not a popvault ledger, or is damaged. */
    CORRUPT,
    /** A write contradicts what the ledger already records; nothing of that write was committed. */
    CONFLICT
  }

  private final Kind kind;

  /** Creates an exception of the given kind with a one-line message. */
  public LedgerException(Kind kind, String message) {
    super(message);
    this.kind = java.util.Objects.requireNonNull(kind, "kind");
  }

  /** Creates an exception of the given kind with a one-line message and its underlying cause. */
  public LedgerException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = java.util.Objects.requireNonNull(kind, "kind");
  }

  /** Returns the kind of failure. */
  public Kind kind() {
    return kind;
  }
}
