package dev.popvault.ledger;

import dev.popvault.ledger.LedgerException.Kind;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Maps SQLite failures to {@link LedgerException}s with one-line messages that name the ledger
 * file. Messages never include SQL or values: SQLite's own text is kept only in the cause.
 */
final class SqliteErrors {
  // Primary result codes (https://sqlite.org/rescode.html); extended codes carry them in the low
  // byte.
  private static final int SQLITE_PERM = 3;
  private static final int SQLITE_BUSY = 5;
  private static final int SQLITE_LOCKED = 6;
  private static final int SQLITE_NOMEM = 7;
  private static final int SQLITE_READONLY = 8;
  private static final int SQLITE_IOERR = 10;
  private static final int SQLITE_CORRUPT = 11;
  private static final int SQLITE_FULL = 13;
  private static final int SQLITE_CANTOPEN = 14;
  private static final int SQLITE_PROTOCOL = 15;
  private static final int SQLITE_CONSTRAINT = 19;
  private static final int SQLITE_NOLFS = 22;
  private static final int SQLITE_NOTADB = 26;

  private SqliteErrors() {}

  /** Returns the primary SQLite result code of {@code e}. */
  static int primaryCode(SQLException e) {
    return e.getErrorCode() & 0xff;
  }

  /** Tells whether {@code e} means another connection holds a lock this one needs. */
  static boolean isBusy(SQLException e) {
    int code = primaryCode(e);
    return code == SQLITE_BUSY || code == SQLITE_LOCKED;
  }

  /** Tells whether {@code e} is a constraint violation (unique, check, foreign key, not null). */
  static boolean isConstraint(SQLException e) {
    return primaryCode(e) == SQLITE_CONSTRAINT;
  }

  /**
   * Returns the {@link LedgerException} for {@code e}. Codes that only a bug in this package can
   * cause (SQL errors, misuse) are not environmental failures and are thrown as {@link
   * IllegalStateException} so they stay loud.
   */
  static LedgerException map(SQLException e, Path file, Duration busyTimeout) {
    String f = "ledger " + file;
    return switch (primaryCode(e)) {
      case SQLITE_BUSY, SQLITE_LOCKED ->
          new LedgerException(
              Kind.LOCKED,
              f + " is locked by another process (waited " + describe(busyTimeout) + ")",
              e);
      case SQLITE_FULL -> new LedgerException(Kind.IO, "cannot write " + f + ": disk full", e);
      case SQLITE_IOERR -> new LedgerException(Kind.IO, "I/O error on " + f, e);
      case SQLITE_CANTOPEN -> new LedgerException(Kind.IO, "cannot open " + f, e);
      case SQLITE_READONLY, SQLITE_PERM ->
          new LedgerException(Kind.IO, "cannot write " + f + ": read-only or permission denied", e);
      case SQLITE_NOMEM -> new LedgerException(Kind.IO, "out of memory using " + f, e);
      case SQLITE_NOLFS, SQLITE_PROTOCOL ->
          new LedgerException(Kind.IO, "cannot use " + f + " on this file system", e);
      case SQLITE_NOTADB -> new LedgerException(Kind.CORRUPT, f + " is not a SQLite database", e);
      case SQLITE_CORRUPT -> new LedgerException(Kind.CORRUPT, f + " is corrupt", e);
      case SQLITE_CONSTRAINT ->
          new LedgerException(Kind.CONFLICT, f + " already records conflicting data", e);
      default ->
          throw new IllegalStateException(
              "unexpected SQLite error " + e.getErrorCode() + " on " + f, e);
    };
  }

  /** Returns a duration as users read it: "10 s", "1.5 s" or "200 ms". */
  static String describe(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms % 1000 == 0) {
      return (ms / 1000) + " s";
    }
    return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
